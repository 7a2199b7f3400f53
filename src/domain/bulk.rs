//! Bulk changes (issue 24): what a template (or one field change) would do
//! to each project, planned from snapshots alone (the dry run), and how
//! each project's write ended. Pure: no store, no Twilio.

use super::fleet::SettingsState;
use super::template::{
    drift, expand, resolve, DriftField, Encryption, FieldDrift, Listed, ProjectFacts, Storage,
    Template,
};
use super::{SettingsInput, SettingsKind};
use serde::{Deserialize, Serialize};

/// Most projects one bulk change names.
pub const MAX_BULK_PROJECTS: usize = 2_000;

/// A bulk change as the fleet's form asks for it: a template (its id) or
/// one change (`change`, with `key_name`, for `kind`), for the projects
/// `ids` or for every project of the fleet view `view` (`every`); with
/// `follow`, admins also make the projects follow the template.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BulkRequest {
    pub kind: String,
    pub template: String,
    pub change: String,
    pub key_name: String,
    pub ids: Vec<String>,
    pub every: bool,
    pub view: String,
    pub follow: bool,
}

/// What the dry run found for one project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    /// These fields change: from what the last read saw to what is wanted.
    Change {
        diff: Vec<FieldDrift>,
        original: Box<SettingsInput>,
        wanted: Box<SettingsInput>,
    },
    /// Already as wanted: nothing to write.
    AsWanted,
    /// It cannot be changed, and why.
    Cannot(String),
}

/// The settings as a snapshot holds them, as the editor's form would.
pub fn input_of(state: &SettingsState) -> SettingsInput {
    SettingsInput {
        friendly_name: state.friendly_name.clone().unwrap_or_default(),
        encryption_enabled: state.encryption_enabled,
        encryption_key_sid: state.encryption_key_sid.clone().unwrap_or_default(),
        aws_storage_enabled: state.storage_enabled,
        aws_credentials_sid: state.aws_credentials_sid.clone().unwrap_or_default(),
        aws_s3_url: state.aws_s3_url.clone().unwrap_or_default(),
    }
}

/// What one project's last read says, for planning.
pub struct LastRead<'a> {
    /// The last state read successfully.
    pub state: Option<&'a SettingsState>,
    /// Why the last read failed, when it did.
    pub error: Option<&'a str>,
}

/// The dry run of `template` for one project, from what the console last
/// read of it and the account's credentials as last listed.
pub fn plan(
    template: &Template,
    read: &LastRead<'_>,
    project: &ProjectFacts<'_>,
    listed: &Listed<'_>,
) -> Plan {
    if let Some(error) = read.error {
        return Plan::Cannot(format!("its last read failed: {error}"));
    }
    let Some(held) = read.state else {
        return Plan::Cannot("it has not been read yet: refresh it first".into());
    };
    let diff = drift(template, held, project, listed);
    if diff.is_empty() {
        return Plan::AsWanted;
    }
    if let Some(why) = diff.iter().find_map(|d| d.wanted.as_ref().err()) {
        return Plan::Cannot(why.clone());
    }
    let original = input_of(held);
    let mut wanted = original.clone();
    let sid = |rule, list: Option<&[super::Credential]>, noun| {
        list.and_then(|l| resolve(rule, l, noun).ok())
            .map(|c| c.sid.to_string())
            .unwrap_or_default()
    };
    match &template.encryption {
        None => {}
        Some(Encryption::Off) => wanted.encryption_enabled = false,
        Some(Encryption::On(rule)) => {
            wanted.encryption_enabled = true;
            wanted.encryption_key_sid = sid(rule, listed.keys, "public key");
        }
    }
    match &template.storage {
        None => {}
        Some(Storage::TwilioCloud) => wanted.aws_storage_enabled = false,
        Some(Storage::S3 {
            url_pattern,
            credential,
        }) => {
            wanted.aws_storage_enabled = true;
            wanted.aws_s3_url = expand(url_pattern, project).unwrap_or_default();
            wanted.aws_credentials_sid = sid(credential, listed.aws, "AWS credential");
        }
    }
    // A name is required by Twilio's form; a project that never had one
    // gets the template's.
    if wanted.friendly_name.trim().is_empty() {
        wanted.friendly_name = template.name.clone();
    }
    Plan::Change {
        diff,
        original: Box::new(original),
        wanted: Box::new(wanted),
    }
}

/// Where one project of a bulk change stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// Planned by the dry run, not applied (yet).
    Planned,
    Cannot,
    AsWanted,
    /// Applying: waiting for its turn.
    Queued,
    /// Applying: sent to Twilio, no outcome recorded yet.
    Running,
    Changed,
    /// Twilio held something else than the dry run saw: not written.
    Skipped,
    Failed,
    /// Twilio's answer was unclear and the check could not tell.
    Unknown,
    /// Sent when the console stopped: the next refresh tells what Twilio holds.
    InFlight,
    /// Not sent: the console stopped first.
    NotApplied,
}

impl ItemState {
    pub const ALL: [ItemState; 11] = [
        Self::Planned,
        Self::Cannot,
        Self::AsWanted,
        Self::Queued,
        Self::Running,
        Self::Changed,
        Self::Skipped,
        Self::Failed,
        Self::Unknown,
        Self::InFlight,
        Self::NotApplied,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Cannot => "cannot",
            Self::AsWanted => "as_wanted",
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Changed => "changed",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
            Self::InFlight => "in_flight",
            Self::NotApplied => "not_applied",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Planned => "Will change",
            Self::Cannot => "Cannot be changed",
            Self::AsWanted => "Already as wanted",
            Self::Queued => "Waiting",
            Self::Running => "Sent to Twilio",
            Self::Changed => "Changed",
            Self::Skipped => "Changed since the dry run: not written",
            Self::Failed => "Failed",
            Self::Unknown => "Outcome unknown",
            Self::InFlight => "In flight when the console stopped",
            Self::NotApplied => "Not applied: the console stopped first",
        }
    }

    /// Whether it is still to be done while the job applies.
    pub fn pending(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }
}

/// One project of a bulk change, as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkItem {
    pub project_id: String,
    pub name: String,
    pub plan: Plan,
    pub state: ItemState,
    /// Twilio's message, the new value found, or what is not known.
    pub message: Option<String>,
}

/// Where a bulk job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobStage {
    /// A dry run, not applied.
    DryRun,
    Applying,
    Done,
    /// The console applying it stopped before it was done.
    Interrupted,
}

/// A bulk change, its plan and each project's outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkJob {
    pub id: String,
    pub kind: SettingsKind,
    /// The template's name, or "a single change".
    pub source: String,
    pub says: Vec<String>,
    pub started_by: String,
    pub created_at: i64,
    pub stage: JobStage,
    pub items: Vec<BulkItem>,
    /// What switching on storage or encryption means, once for the batch,
    /// with how many projects each concerns.
    pub risks: Vec<String>,
    /// Whether the caller may apply (or resume) it.
    pub can_apply: bool,
}

impl BulkJob {
    pub fn count(&self, state: ItemState) -> usize {
        self.items.iter().filter(|i| i.state == state).count()
    }

    /// "37 to change, 2 cannot, 1 already as wanted".
    pub fn summary(&self) -> String {
        let parts: Vec<String> = ItemState::ALL
            .into_iter()
            .filter_map(|state| match self.count(state) {
                0 => None,
                n => Some(format!("{}: {n}", state.label())),
            })
            .collect();
        parts.join(" · ")
    }
}

/// The risks of the changes planned, each said once with how many projects
/// it concerns.
pub fn batch_risks(kind: SettingsKind, plans: &[&Plan]) -> Vec<String> {
    let mut counted: Vec<(String, usize)> = Vec::new();
    for plan in plans {
        if let Plan::Change {
            original, wanted, ..
        } = plan
        {
            for risk in wanted.risks(kind, original) {
                match counted.iter_mut().find(|(r, _)| *r == risk) {
                    Some((_, n)) => *n += 1,
                    None => counted.push((risk, 1)),
                }
            }
        }
    }
    counted
        .into_iter()
        .map(|(risk, n)| format!("For {}: {risk}", super::fleet::projects(n)))
        .collect()
}

/// The fields a one-off change may set, as the fleet's form names them.
pub fn single_change(change: &str, key_name: &str) -> Result<Template, String> {
    let key = key_name.trim();
    let (name, template) = match change {
        "encryption-on" => {
            if key.is_empty()
                || key.chars().count() > super::MAX_FRIENDLY_NAME
                || key.chars().any(char::is_control)
            {
                return Err(
                    "Public key name is required to switch encryption on (at most 64 characters, no control characters)"
                        .into(),
                );
            }
            (
                format!("encryption on with the key named {key}"),
                Template {
                    encryption: Some(Encryption::On(super::template::CredentialRule::Named(
                        key.into(),
                    ))),
                    ..Template::default()
                },
            )
        }
        "encryption-off" => (
            "encryption off".to_owned(),
            Template {
                encryption: Some(Encryption::Off),
                ..Template::default()
            },
        ),
        "storage-cloud" => (
            "storage back to Twilio's cloud".to_owned(),
            Template {
                storage: Some(Storage::TwilioCloud),
                ..Template::default()
            },
        ),
        _ => return Err("Choose a template or a change".into()),
    };
    Ok(Template { name, ..template })
}

/// The fields a change touches, for its wording.
pub fn fields_of(diff: &[FieldDrift]) -> Vec<DriftField> {
    diff.iter().map(|d| d.field).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Credential;

    const ACME: ProjectFacts<'static> = ProjectFacts {
        id: "acme",
        account_sid: "AC00000000000000000000000000000001",
        name: "Acme",
    };

    fn key() -> Credential {
        Credential {
            sid: "CR00000000000000000000000000000002".parse().unwrap(),
            friendly_name: Some("prod".into()),
            date_created: Some("2026-01-01T00:00:00Z".into()),
        }
    }

    #[test]
    fn a_plan_changes_what_differs_and_says_why_it_cannot() {
        let template = single_change("encryption-on", "prod").unwrap();
        let state = SettingsState {
            friendly_name: Some("Acme compositions".into()),
            ..SettingsState::default()
        };
        let keys = [key()];
        let listed = Listed {
            keys: Some(&keys),
            aws: Some(&[]),
        };
        let read = LastRead {
            state: Some(&state),
            error: None,
        };
        let Plan::Change {
            diff,
            original,
            wanted,
        } = plan(&template, &read, &ACME, &listed)
        else {
            panic!("a change")
        };
        assert_eq!(
            fields_of(&diff),
            [DriftField::Encryption, DriftField::EncryptionKey]
        );
        assert!(!original.encryption_enabled);
        assert!(wanted.encryption_enabled);
        assert_eq!(
            wanted.encryption_key_sid,
            "CR00000000000000000000000000000002"
        );
        assert_eq!(wanted.friendly_name, "Acme compositions");
        let risks = batch_risks(
            SettingsKind::Recording,
            &[&plan(&template, &read, &ACME, &listed)],
        );
        assert!(
            risks[0].starts_with("For 1 project: Encryption"),
            "{risks:?}"
        );

        // Once as wanted, nothing to do.
        let done = SettingsState {
            encryption_enabled: true,
            encryption_key_sid: Some("CR00000000000000000000000000000002".into()),
            ..state.clone()
        };
        let read_done = LastRead {
            state: Some(&done),
            error: None,
        };
        assert_eq!(plan(&template, &read_done, &ACME, &listed), Plan::AsWanted);
        // No key of that name, a failing login, never read: each says why.
        let none = Listed {
            keys: Some(&[]),
            aws: Some(&[]),
        };
        assert_eq!(
            plan(&template, &read, &ACME, &none),
            Plan::Cannot("the account has no public key named prod".into())
        );
        let failing = LastRead {
            state: Some(&state),
            error: Some("Twilio error 20003: Authenticate"),
        };
        let Plan::Cannot(why) = plan(&template, &failing, &ACME, &listed) else {
            panic!()
        };
        assert!(why.contains("20003"));
        let never = LastRead {
            state: None,
            error: None,
        };
        assert!(matches!(
            plan(&template, &never, &ACME, &listed),
            Plan::Cannot(_)
        ));
        assert!(single_change("encryption-on", " ").is_err());
        assert!(single_change("drop-tables", "").is_err());
    }
}
