//! Desired state (issue 24, first part): a template says once what a
//! kind's settings should be across the fleet. Credential SIDs differ per
//! account, so a template names credentials by rule and a bucket by a
//! pattern; here they are resolved for one project and compared with what
//! its snapshot holds, field by field. Pure: no store, no Twilio.

use super::fleet::SettingsState;
use super::s3_url::check_s3_url;
use super::Credential;
use serde::{Deserialize, Serialize};

/// Which credential a rule means on an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CredentialRule {
    /// The one named exactly this (the newest, when several are).
    Named(String),
    /// The newest whose name starts with this.
    NewestStartingWith(String),
}

/// A field a template sets, or leaves alone (`None` in a template).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encryption {
    Off,
    On(CredentialRule),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Storage {
    TwilioCloud,
    /// An S3 bucket URL pattern (see [`expand`]) and the AWS credential.
    S3 {
        url_pattern: String,
        credential: CredentialRule,
    },
}

/// The desired state of one kind; `None` fields are not managed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub name: String,
    pub encryption: Option<Encryption>,
    pub storage: Option<Storage>,
}

/// What a pattern's placeholders stand for.
pub struct ProjectFacts<'a> {
    pub id: &'a str,
    pub account_sid: &'a str,
    pub name: &'a str,
}

/// "Acme Video (EU)" → "acme-video-eu".
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The bucket URL `pattern` names for a project: `{project_id}`,
/// `{account_sid}` and `{project_name_slug}` filled in, and the result held
/// to the settings form's rules, for this project (a pattern may be valid
/// for one project and not for another).
pub fn expand(pattern: &str, project: &ProjectFacts<'_>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err("the bucket URL pattern has a { without its }".into());
        };
        let value = match &after[..close] {
            "project_id" => project.id.to_owned(),
            "account_sid" => project.account_sid.to_owned(),
            "project_name_slug" => slug(project.name),
            other => {
                return Err(format!(
                    "the bucket URL pattern names {{{other}}}; expected {{project_id}}, {{account_sid}} or {{project_name_slug}}"
                ))
            }
        };
        out.push_str(&value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    check_s3_url(&out).map_err(|why| format!("the bucket URL {out} {why}"))?;
    Ok(out)
}

/// The credential `rule` means among `listed`, or why none is.
pub fn resolve<'a>(
    rule: &CredentialRule,
    listed: &'a [Credential],
    noun: &str,
) -> Result<&'a Credential, String> {
    let matching: Vec<&Credential> = listed
        .iter()
        .filter(|c| match rule {
            CredentialRule::Named(name) => c.friendly_name.as_deref() == Some(name.as_str()),
            CredentialRule::NewestStartingWith(prefix) => c
                .friendly_name
                .as_deref()
                .is_some_and(|n| n.starts_with(prefix.as_str())),
        })
        .collect();
    // Twilio's dates are ISO 8601 in UTC: as text they sort by time.
    matching
        .into_iter()
        .max_by(|a, b| {
            a.date_created
                .cmp(&b.date_created)
                .then(a.sid.as_str().cmp(b.sid.as_str()))
        })
        .ok_or_else(|| match rule {
            CredentialRule::Named(name) => format!("the account has no {noun} named {name}"),
            CredentialRule::NewestStartingWith(prefix) => {
                format!("the account has no {noun} whose name starts with {prefix}")
            }
        })
}

/// One field where the project is not as its template says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDrift {
    pub field: &'static str,
    /// What the template says, resolved for this project (or why it cannot be).
    pub wanted: Result<String, String>,
    pub held: String,
}

fn on_off(on: bool) -> String {
    if on { "on" } else { "off" }.to_owned()
}

/// The fields of `held` that differ from `template` for this project, with
/// the account's public keys and AWS credentials to resolve its rules.
pub fn drift(
    template: &Template,
    held: &SettingsState,
    project: &ProjectFacts<'_>,
    keys: &[Credential],
    aws: &[Credential],
) -> Vec<FieldDrift> {
    let mut found = Vec::new();
    let mut compare = |field: &'static str, wanted: Result<String, String>, held: String| {
        if wanted.as_ref() != Ok(&held) {
            found.push(FieldDrift {
                field,
                wanted,
                held,
            });
        }
    };
    match &template.encryption {
        None => {}
        Some(Encryption::Off) => compare(
            "encryption",
            Ok(on_off(false)),
            on_off(held.encryption_enabled),
        ),
        Some(Encryption::On(rule)) => {
            compare(
                "encryption",
                Ok(on_off(true)),
                on_off(held.encryption_enabled),
            );
            compare(
                "encryption key",
                resolve(rule, keys, "public key").map(|c| c.sid.to_string()),
                held.encryption_key_sid.clone().unwrap_or_default(),
            );
        }
    }
    match &template.storage {
        None => {}
        Some(Storage::TwilioCloud) => compare(
            "external storage",
            Ok(on_off(false)),
            on_off(held.storage_enabled),
        ),
        Some(Storage::S3 {
            url_pattern,
            credential,
        }) => {
            compare(
                "external storage",
                Ok(on_off(true)),
                on_off(held.storage_enabled),
            );
            compare(
                "bucket URL",
                expand(url_pattern, project),
                held.aws_s3_url.clone().unwrap_or_default(),
            );
            compare(
                "AWS credential",
                resolve(credential, aws, "AWS credential").map(|c| c.sid.to_string()),
                held.aws_credentials_sid.clone().unwrap_or_default(),
            );
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credential(sid: &str, name: &str, created: &str) -> Credential {
        Credential {
            sid: sid.parse().unwrap(),
            friendly_name: Some(name.into()),
            date_created: Some(created.into()),
        }
    }

    const ACME: ProjectFacts<'static> = ProjectFacts {
        id: "acme",
        account_sid: "AC00000000000000000000000000000001",
        name: "Acme Video (EU)",
    };

    #[test]
    fn a_pattern_is_filled_in_per_project_and_checked_for_it() {
        assert_eq!(
            expand(
                "https://archive.s3.amazonaws.com/{account_sid}/{project_name_slug}",
                &ACME
            ),
            Ok(
                "https://archive.s3.amazonaws.com/AC00000000000000000000000000000001/acme-video-eu"
                    .into()
            )
        );
        assert_eq!(
            expand("https://{project_id}-media.s3.amazonaws.com/c", &ACME),
            Ok("https://acme-media.s3.amazonaws.com/c".into())
        );
        let unknown = expand("https://a.s3.amazonaws.com/{region}", &ACME).unwrap_err();
        assert!(unknown.contains("{region}"), "{unknown}");
        assert!(expand("https://a.s3.amazonaws.com/{account_sid", &ACME).is_err());
        // Valid for one project, not for one whose slug is empty.
        let odd = ProjectFacts {
            name: "???",
            ..ACME
        };
        assert!(expand("https://{project_name_slug}.s3.amazonaws.com/c", &odd).is_err());
    }

    #[test]
    fn rules_find_the_newest_match_or_say_why_none() {
        let keys = [
            credential(
                "CR00000000000000000000000000000001",
                "prod",
                "2026-01-01T00:00:00Z",
            ),
            credential(
                "CR00000000000000000000000000000002",
                "prod",
                "2026-06-01T00:00:00Z",
            ),
            credential(
                "CR00000000000000000000000000000003",
                "prod-2027",
                "2026-03-01T00:00:00Z",
            ),
        ];
        let named = resolve(&CredentialRule::Named("prod".into()), &keys, "public key").unwrap();
        assert_eq!(named.sid.as_str(), "CR00000000000000000000000000000002");
        let newest = resolve(
            &CredentialRule::NewestStartingWith("prod".into()),
            &keys,
            "public key",
        )
        .unwrap();
        assert_eq!(newest.sid.as_str(), "CR00000000000000000000000000000002");
        assert_eq!(
            resolve(
                &CredentialRule::Named("staging".into()),
                &keys,
                "public key"
            )
            .unwrap_err(),
            "the account has no public key named staging"
        );
    }

    #[test]
    fn drift_names_each_field_that_differs_and_nothing_else() {
        let keys = [credential(
            "CR00000000000000000000000000000002",
            "prod",
            "2026-06-01T00:00:00Z",
        )];
        let template = Template {
            name: "encrypted".into(),
            encryption: Some(Encryption::On(CredentialRule::Named("prod".into()))),
            storage: None,
        };
        let plain = SettingsState::default();
        let fields: Vec<&str> = drift(&template, &plain, &ACME, &keys, &[])
            .iter()
            .map(|d| d.field)
            .collect();
        assert_eq!(fields, ["encryption", "encryption key"]);
        let right = SettingsState {
            encryption_enabled: true,
            encryption_key_sid: Some("CR00000000000000000000000000000002".into()),
            storage_enabled: true, // not managed: no drift
            ..SettingsState::default()
        };
        assert_eq!(drift(&template, &right, &ACME, &keys, &[]), []);
        // A rule that resolves to nothing is drift, with the reason.
        let missing = drift(&template, &right, &ACME, &[], &[]);
        assert_eq!(missing.len(), 1);
        assert_eq!(
            missing[0].wanted,
            Err("the account has no public key named prod".into())
        );
    }
}
