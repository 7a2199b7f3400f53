//! A Twilio account as the 2010-04-01 Accounts API lists it: what the
//! console shows when it discovers a parent's subaccounts.

use super::{AccountSid, ApiKeySid, Field, FieldErrors, ProjectId};
use serde::{Deserialize, Serialize};

/// The longest parent secret accepted (auth tokens and key secrets are 32).
pub const MAX_PARENT_SECRET: usize = 256;

/// The parent's login as the discovery form sends it.
#[derive(Clone, Default, Deserialize, Serialize)]
pub struct ParentInput {
    pub account_sid: String,
    /// "auth_token" or "api_key" (`LoginKind::slug`).
    pub login: String,
    #[serde(default)]
    pub api_key_sid: String,
    pub secret: String,
    /// Ticked ("on"): keep the login, sealed, to find new subaccounts later.
    #[serde(default)]
    pub keep: Option<String>,
}

impl std::fmt::Debug for ParentInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParentInput")
            .field("account_sid", &self.account_sid)
            .field("login", &self.login)
            .field("api_key_sid", &self.api_key_sid)
            .field("keep", &self.keep)
            .finish_non_exhaustive()
    }
}

/// A checked parent login: the account, the key (None: the auth token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParentAccount {
    pub account_sid: AccountSid,
    pub api_key_sid: Option<ApiKeySid>,
}

impl ParentInput {
    /// What a failed form shows again: never the secret, fields clipped.
    pub fn for_echo(&self) -> Self {
        use super::error::clipped;
        // A SID field echoes only a SID: a secret pasted into the wrong
        // box must not come back in the page.
        let account_sid = self.account_sid.trim();
        let api_key_sid = self.api_key_sid.trim();
        Self {
            account_sid: match account_sid.parse::<AccountSid>() {
                Ok(_) => account_sid.to_owned(),
                Err(_) => String::new(),
            },
            login: clipped(&self.login, 20),
            api_key_sid: match api_key_sid.parse::<ApiKeySid>() {
                Ok(_) => api_key_sid.to_owned(),
                Err(_) => String::new(),
            },
            secret: String::new(),
            keep: self.keeps().then(|| "on".into()),
        }
    }

    /// Whether "keep the parent's login" was ticked.
    pub fn keeps(&self) -> bool {
        self.keep.as_deref() == Some("on")
    }

    /// The account and key, or which field is wrong and why; the secret is
    /// checked for presence and length only.
    pub fn validate(&self) -> Result<ParentAccount, FieldErrors> {
        let mut errors = FieldErrors::default();
        let account_sid = match self.account_sid.trim().parse::<AccountSid>() {
            Ok(sid) => Some(sid),
            Err(e) => {
                errors.push(Field::AccountSid, e.to_string());
                None
            }
        };
        let api_key_sid = match self.login.as_str() {
            "auth_token" => None,
            "api_key" => match self.api_key_sid.trim().parse::<ApiKeySid>() {
                Ok(sid) => Some(sid),
                Err(e) => {
                    errors.push(Field::ApiKeySid, e.to_string());
                    None
                }
            },
            _ => {
                errors.push(
                    Field::ApiKeySid,
                    "choose the parent's auth token or a Main API key",
                );
                None
            }
        };
        let secret = self.secret.trim();
        if secret.is_empty() {
            errors.push(
                Field::Secret,
                "is required: the parent's auth token or the key's secret",
            );
        } else if secret.chars().count() > MAX_PARENT_SECRET {
            errors.push(
                Field::Secret,
                format!("is too long: at most {MAX_PARENT_SECRET} characters"),
            );
        }
        match (account_sid, errors.is_empty()) {
            (Some(account_sid), true) => Ok(ParentAccount {
                account_sid,
                api_key_sid,
            }),
            _ => Err(errors),
        }
    }
}

/// What a kept parent login is sealed for (see `vault::SealedFor::Note`):
/// bound to the parent, so it opens for no other use.
pub fn kept_login_context(parent_sid: &str) -> String {
    format!("kept login of parent {parent_sid}")
}

/// A kept parent login as `/imports` and the fleet show it (never the
/// login itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptParent {
    pub sid: String,
    pub name: String,
    /// The Main key it logs in with; None: the auth token.
    pub api_key_sid: Option<String>,
    pub kept_by: String,
    pub kept_at: i64,
    pub checked_at: Option<i64>,
    /// Active subaccounts not yet projects, at the last check.
    pub new_count: Option<i64>,
    /// Why the last check could not look, in words.
    pub check_error: Option<String>,
}

/// The kept parents, with when the list was made (for "checked 3 minutes
/// ago" that reads the same on the server and in the browser).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptParents {
    pub now: i64,
    pub parents: Vec<KeptParent>,
}

/// A subaccount as discovery shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovered {
    pub sid: AccountSid,
    pub name: String,
    pub status: AccountStatus,
    /// The project already registered for this account, if any.
    pub project: Option<KnownProject>,
}

impl Discovered {
    /// Active and not yet a project (or a project whose login fails, which
    /// an import may give a new key).
    pub fn importable(&self) -> bool {
        self.status == AccountStatus::Active
            && self
                .project
                .as_ref()
                .is_none_or(|p| p.login_works == Some(false))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownProject {
    pub id: ProjectId,
    pub name: String,
    /// The last connection test: None when never tested.
    pub login_works: Option<bool>,
}

/// What discovery found, stored as an import to choose from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovery {
    pub id: String,
    pub parent: AccountSid,
    pub accounts: Vec<Discovered>,
}

/// Where an import stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportState {
    /// Found, nothing chosen yet.
    Found,
    Running,
    /// Its run ended; some may have failed.
    Done,
    /// Its run stopped without an end (the console was stopped).
    Interrupted,
}

/// An import as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: String,
    pub parent: String,
    pub started_by: String,
    pub state: ImportState,
    /// The parent's login is still held, so the rest can be imported.
    pub can_import: bool,
    pub items: Vec<ImportItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportItem {
    pub found: Discovered,
    pub chosen: bool,
    pub outcome: Option<ImportOutcome>,
}

impl ImportView {
    /// (stored, failed, waiting) among the chosen.
    pub fn counts(&self) -> (usize, usize, usize) {
        let chosen = self.items.iter().filter(|i| i.chosen);
        let (mut stored, mut failed, mut waiting) = (0, 0, 0);
        for item in chosen {
            match &item.outcome {
                Some(o) if o.stored() => stored += 1,
                Some(ImportOutcome::Failed { .. }) => failed += 1,
                Some(_) => {}
                None => waiting += 1,
            }
        }
        (stored, failed, waiting)
    }
}

/// What happened to one chosen subaccount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportOutcome {
    /// A key was made and stored; `login` says whether its test passed.
    Created {
        project: ProjectId,
        login_works: bool,
        message: Option<String>,
    },
    /// The stored login of an existing project was replaced by a new key.
    Replaced {
        project: ProjectId,
        login_works: bool,
        message: Option<String>,
    },
    AlreadyProject {
        project: ProjectId,
        name: String,
    },
    NotImportable {
        status: AccountStatus,
    },
    /// Nothing kept; the message says why (and whether a key was deleted).
    Failed {
        message: String,
    },
}

impl ImportOutcome {
    pub fn stored(&self) -> bool {
        matches!(self, Self::Created { .. } | Self::Replaced { .. })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    pub sid: AccountSid,
    pub name: String,
    pub outcome: ImportOutcome,
}

/// An account's state at Twilio. Only active ones can be imported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    #[default]
    Active,
    Suspended,
    Closed,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "active" => Some(Self::Active),
            "suspended" => Some(Self::Suspended),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_as_twilio_writes_them() {
        for status in [
            AccountStatus::Active,
            AccountStatus::Suspended,
            AccountStatus::Closed,
        ] {
            assert_eq!(AccountStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        assert_eq!(AccountStatus::parse("Active"), None);
    }
}
