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
#[serde(rename_all = "snake_case")]
pub enum CredentialRule {
    /// The one named exactly this (the newest, when several are).
    Named(String),
    /// The newest whose name starts with this.
    NewestStartingWith(String),
}

/// A field a template sets, or leaves alone (`None` in a template).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encryption {
    Off,
    On(CredentialRule),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
    #[serde(default)]
    pub encryption: Option<Encryption>,
    #[serde(default)]
    pub storage: Option<Storage>,
}

impl CredentialRule {
    /// "the public key named prod", "the newest AWS credential whose name
    /// starts with archive".
    pub fn words(&self, noun: &str) -> String {
        match self {
            Self::Named(name) => format!("the {noun} named {name}"),
            Self::NewestStartingWith(prefix) => {
                format!("the newest {noun} whose name starts with {prefix}")
            }
        }
    }
}

impl Template {
    /// What the template says, one line per field, as the pages show it.
    pub fn describe(&self) -> Vec<String> {
        let encryption = match &self.encryption {
            None => "Encryption: not managed".to_owned(),
            Some(Encryption::Off) => "Encryption: off".to_owned(),
            Some(Encryption::On(rule)) => {
                format!("Encryption: on, with {}", rule.words("public key"))
            }
        };
        let storage = match &self.storage {
            None => "Storage: not managed".to_owned(),
            Some(Storage::TwilioCloud) => "Storage: Twilio's cloud".to_owned(),
            Some(Storage::S3 {
                url_pattern,
                credential,
            }) => format!(
                "Storage: S3 at {url_pattern}, with {}",
                credential.words("AWS credential")
            ),
        };
        vec![encryption, storage]
    }
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
    Ok(resolve_noting(rule, listed, noun)?.0)
}

/// As [`resolve`], with a note when the rule matched more than one
/// credential and the newest was taken.
pub fn resolve_noting<'a>(
    rule: &CredentialRule,
    listed: &'a [Credential],
    noun: &str,
) -> Result<(&'a Credential, Option<String>), String> {
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
    let count = matching.len();
    // Twilio's dates are ISO 8601 in UTC: as text they sort by time.
    let newest = matching
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
        })?;
    let note = match rule {
        CredentialRule::Named(name) if count > 1 => Some(format!(
            "{count} {noun}s are named {name}; the newest ({}) is meant",
            newest.sid
        )),
        _ => None,
    };
    Ok((newest, note))
}

/// A field a template can manage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftField {
    Encryption,
    EncryptionKey,
    Storage,
    BucketUrl,
    AwsCredential,
}

impl DriftField {
    pub fn label(self) -> &'static str {
        match self {
            Self::Encryption => "Encryption",
            Self::EncryptionKey => "Encryption key",
            Self::Storage => "External storage",
            Self::BucketUrl => "S3 URL",
            Self::AwsCredential => "AWS credential",
        }
    }
}

/// One field where the project is not as its template says, in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDrift {
    pub field: DriftField,
    /// What the template says, resolved for this project (or why it cannot be).
    pub wanted: Result<String, String>,
    pub held: String,
    /// Said beside it: which of several same-named credentials is meant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn on_off(on: bool) -> String {
    if on { "on" } else { "off" }.to_owned()
}

/// "prod (CR…)", or "none".
fn credential_words(sid: Option<&str>, name: Option<&str>) -> String {
    match (sid, name) {
        (None, _) => "none".into(),
        (Some(sid), Some(name)) if name != sid => format!("{name} ({sid})"),
        (Some(sid), _) => sid.into(),
    }
}

/// The account's credentials as the last refresh listed them; `None` when
/// they could not be listed.
pub struct Listed<'a> {
    pub keys: Option<&'a [Credential]>,
    pub aws: Option<&'a [Credential]>,
}

/// The fields of `held` that differ from `template` for this project,
/// resolving its rules among the account's credentials.
pub fn drift(
    template: &Template,
    held: &SettingsState,
    project: &ProjectFacts<'_>,
    listed: &Listed<'_>,
) -> Vec<FieldDrift> {
    let mut found = Vec::new();
    let mut compare =
        |field, wanted: Result<(String, String), String>, held: (String, String), note| {
            // Compared by value (a SID); shown in words.
            if wanted.as_ref().map(|w| &w.0) != Ok(&held.0) {
                found.push(FieldDrift {
                    field,
                    wanted: wanted.map(|w| w.1),
                    held: held.1,
                    note,
                });
            }
        };
    let plain = |v: String| (v.clone(), v);
    let credential = |rule: &CredentialRule,
                      list: Option<&[Credential]>,
                      noun: &str|
     -> (Result<(String, String), String>, Option<String>) {
        let Some(list) = list else {
            return (
                Err(format!(
                    "the account's {noun}s have not been listed yet: refresh the project"
                )),
                None,
            );
        };
        match resolve_noting(rule, list, noun) {
            Ok((c, note)) => (
                Ok((
                    c.sid.to_string(),
                    credential_words(Some(c.sid.as_str()), c.friendly_name.as_deref()),
                )),
                note,
            ),
            Err(why) => (Err(why), None),
        }
    };
    match &template.encryption {
        None => {}
        Some(Encryption::Off) => compare(
            DriftField::Encryption,
            Ok(plain(on_off(false))),
            plain(on_off(held.encryption_enabled)),
            None,
        ),
        Some(Encryption::On(rule)) => {
            compare(
                DriftField::Encryption,
                Ok(plain(on_off(true))),
                plain(on_off(held.encryption_enabled)),
                None,
            );
            let (wanted, note) = credential(rule, listed.keys, "public key");
            let sid = held.encryption_key_sid.clone().unwrap_or_default();
            let words = credential_words(
                held.encryption_key_sid.as_deref(),
                held.encryption_key_name.as_deref(),
            );
            compare(DriftField::EncryptionKey, wanted, (sid, words), note);
        }
    }
    match &template.storage {
        None => {}
        Some(Storage::TwilioCloud) => compare(
            DriftField::Storage,
            Ok(plain(on_off(false))),
            plain(on_off(held.storage_enabled)),
            None,
        ),
        Some(Storage::S3 {
            url_pattern,
            credential: rule,
        }) => {
            compare(
                DriftField::Storage,
                Ok(plain(on_off(true))),
                plain(on_off(held.storage_enabled)),
                None,
            );
            let url = held.aws_s3_url.clone().unwrap_or_default();
            let shown = if url.is_empty() {
                "none".into()
            } else {
                url.clone()
            };
            compare(
                DriftField::BucketUrl,
                expand(url_pattern, project).map(plain),
                (url, shown),
                None,
            );
            let (wanted, note) = credential(rule, listed.aws, "AWS credential");
            let sid = held.aws_credentials_sid.clone().unwrap_or_default();
            let words = credential_words(
                held.aws_credentials_sid.as_deref(),
                held.aws_credentials_name.as_deref(),
            );
            compare(DriftField::AwsCredential, wanted, (sid, words), note);
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
        let listed = Listed {
            keys: Some(&keys),
            aws: Some(&[]),
        };
        let fields: Vec<DriftField> = drift(&template, &plain, &ACME, &listed)
            .iter()
            .map(|d| d.field)
            .collect();
        assert_eq!(fields, [DriftField::Encryption, DriftField::EncryptionKey]);
        let right = SettingsState {
            encryption_enabled: true,
            encryption_key_sid: Some("CR00000000000000000000000000000002".into()),
            storage_enabled: true, // not managed: no drift
            ..SettingsState::default()
        };
        assert_eq!(drift(&template, &right, &ACME, &listed), []);
        // A rule that resolves to nothing is drift, with the reason.
        let none = Listed {
            keys: Some(&[]),
            aws: None,
        };
        let missing = drift(&template, &right, &ACME, &none);
        assert_eq!(missing.len(), 1);
        assert_eq!(
            missing[0].wanted,
            Err("the account has no public key named prod".into())
        );
    }

    #[test]
    fn two_keys_of_one_name_mean_the_newest_and_the_drift_says_so() {
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
        ];
        let aws = [credential(
            "CR00000000000000000000000000000009",
            "archive",
            "2026-01-01T00:00:00Z",
        )];
        let template = Template {
            name: "all".into(),
            encryption: Some(Encryption::On(CredentialRule::Named("prod".into()))),
            storage: Some(Storage::S3 {
                url_pattern: "https://media.s3.amazonaws.com/{project_id}".into(),
                credential: CredentialRule::Named("archive".into()),
            }),
        };
        let held = SettingsState {
            encryption_enabled: true,
            encryption_key_sid: Some("CR00000000000000000000000000000001".into()),
            encryption_key_name: Some("prod".into()),
            storage_enabled: true,
            aws_credentials_sid: Some("CR00000000000000000000000000000009".into()),
            aws_s3_url: Some("https://media.s3.amazonaws.com/other".into()),
            ..SettingsState::default()
        };
        let listed = Listed {
            keys: Some(&keys),
            aws: Some(&aws),
        };
        let found = drift(&template, &held, &ACME, &listed);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].field, DriftField::EncryptionKey);
        assert_eq!(
            found[0].wanted,
            Ok("prod (CR00000000000000000000000000000002)".into())
        );
        assert_eq!(found[0].held, "prod (CR00000000000000000000000000000001)");
        assert!(found[0]
            .note
            .as_deref()
            .unwrap()
            .contains("2 public keys are named prod"));
        assert_eq!(found[1].field, DriftField::BucketUrl);
        assert_eq!(
            found[1].wanted,
            Ok("https://media.s3.amazonaws.com/acme".into())
        );
        // Lists that could not be read are said, not guessed.
        let unlisted = drift(
            &template,
            &held,
            &ACME,
            &Listed {
                keys: None,
                aws: Some(&aws),
            },
        );
        assert!(unlisted[0]
            .wanted
            .as_ref()
            .unwrap_err()
            .contains("not been listed yet"));
    }
}
