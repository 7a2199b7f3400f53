//! The state a fake starts from: a JSON file, or the built-in demo seed
//! that gives the console one project with a public key and an AWS
//! credential to point its settings at.

use super::{Account, Credential, CredentialKind};
use crate::domain::{AccountSid, ApiKeySid, CredentialSid, MediaSettings, SettingsKind};
use serde::Deserialize;
use std::collections::HashMap;

/// The seed file format (see `twilio-fake --help`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    pub accounts: Vec<AccountSeed>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSeed {
    pub sid: AccountSid,
    pub auth_token: String,
    #[serde(default)]
    pub api_keys: Vec<ApiKeySeed>,
    #[serde(default)]
    pub credentials: Vec<CredentialSeed>,
    pub composition_settings: Option<MediaSettings>,
    pub recording_settings: Option<MediaSettings>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeySeed {
    pub sid: ApiKeySid,
    pub secret: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialSeed {
    pub sid: CredentialSid,
    pub kind: CredentialKind,
    pub friendly_name: Option<String>,
    #[serde(default = "default_date")]
    pub date_created: String,
}

fn default_date() -> String {
    "2026-01-01T00:00:00Z".into()
}

/// The demo project. Not secrets: they only open the local fake.
pub const DEMO_ACCOUNT_SID: &str = "AC00000000000000000000000000de0001";
pub const DEMO_AUTH_TOKEN: &str = "demo0000000000000000000000000001";
pub const DEMO_PUBLIC_KEY_SID: &str = "CR00000000000000000000000000de0a01";
pub const DEMO_AWS_CREDENTIAL_SID: &str = "CR00000000000000000000000000de0b01";

const DEMO_SEED: &str = r#"{
  "accounts": [{
    "sid": "AC00000000000000000000000000de0001",
    "auth_token": "demo0000000000000000000000000001",
    "credentials": [
      {"sid": "CR00000000000000000000000000de0a01", "kind": "public_key", "friendly_name": "prod-2026"},
      {"sid": "CR00000000000000000000000000de0b01", "kind": "aws", "friendly_name": "media-bucket-writer"}
    ],
    "composition_settings": {
      "friendly_name": "Demo compositions", "aws_storage_enabled": false, "encryption_enabled": false
    }
  }]
}"#;

impl Seed {
    pub fn demo() -> Self {
        Self::from_json(DEMO_SEED).expect("the built-in seed is valid")
    }

    /// Parses and checks a seed; the error names what is wrong.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let seed: Seed = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let format =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
        for account in &seed.accounts {
            for c in &account.credentials {
                time::PrimitiveDateTime::parse(&c.date_created, &format).map_err(|_| {
                    format!(
                        "credential {}: date_created must look like 2026-01-31T12:00:00Z",
                        c.sid
                    )
                })?;
            }
        }
        Ok(seed)
    }
}

impl AccountSeed {
    pub(super) fn to_account(&self) -> Account {
        let mut settings = HashMap::new();
        for (kind, stored) in [
            (SettingsKind::Composition, &self.composition_settings),
            (SettingsKind::Recording, &self.recording_settings),
        ] {
            if let Some(stored) = stored {
                settings.insert(kind, stored.clone());
            }
        }
        let mut account = Account {
            auth_token: self.auth_token.clone(),
            api_keys: self
                .api_keys
                .iter()
                .map(|k| (k.sid.clone(), k.secret.clone()))
                .collect(),
            credentials: Default::default(),
            next_seq: 0,
            settings,
        };
        for c in &self.credentials {
            account.add_credential(
                c.sid.clone(),
                Credential {
                    kind: c.kind,
                    friendly_name: c.friendly_name.clone(),
                    date_created: c.date_created.clone(),
                    date_updated: c.date_created.clone(),
                    seq: 0,
                },
            );
        }
        account
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_seed_matches_its_constants() {
        let seed = Seed::demo();
        let account = &seed.accounts[0];
        assert_eq!(account.sid.as_str(), DEMO_ACCOUNT_SID);
        assert_eq!(account.auth_token, DEMO_AUTH_TOKEN);
        let sids: Vec<_> = account.credentials.iter().map(|c| c.sid.as_str()).collect();
        assert_eq!(sids, [DEMO_PUBLIC_KEY_SID, DEMO_AWS_CREDENTIAL_SID]);
    }

    #[test]
    fn bad_seeds_say_what_is_wrong() {
        let err = Seed::from_json(
            r#"{"accounts":[{"sid":"SK00000000000000000000000000000000","auth_token":"t"}]}"#,
        )
        .err()
        .unwrap();
        assert!(err.contains("must start with AC"), "{err}");
        let err = Seed::from_json(r#"{"accounts":[{"sid":"AC00000000000000000000000000000000","auth_token":"t","credentials":[{"sid":"CR00000000000000000000000000000000","kind":"aws","date_created":"yesterday"}]}]}"#)
            .err()
            .unwrap();
        assert!(err.contains("date_created"), "{err}");
        assert!(Seed::from_json(r#"{"accounts":[],"extra":1}"#).is_err());
    }
}
