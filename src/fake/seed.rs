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
    /// Twilio offers encryption only with Enterprise or Security Edition;
    /// `false` emulates an account with neither (see `settings::update`).
    #[serde(default = "available")]
    pub encryption_available: bool,
}

fn available() -> bool {
    true
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

/// The first demo project. Not secrets: they only open the local fake.
pub const DEMO_ACCOUNT_SID: &str = "AC00000000000000000000000000de0001";
pub const DEMO_AUTH_TOKEN: &str = "demo0000000000000000000000000001";
pub const DEMO_PUBLIC_KEY_SID: &str = "CR00000000000000000000000000de0a01";
pub const DEMO_AWS_CREDENTIAL_SID: &str = "CR00000000000000000000000000de0b01";
/// The demo project page the README and the end-to-end tests open.
pub const DEMO_PROJECT_ID: &str = "demo-acme";

/// Seven accounts: five registered as demo projects with different settings
/// (plain, encrypted, storing in S3, both, and one registered with a wrong
/// token), and two left for a newcomer (or a test) to add.
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
  }, {
    "sid": "AC00000000000000000000000000de0002",
    "auth_token": "demo0000000000000000000000000002",
    "api_keys": [{"sid": "SK00000000000000000000000000de0002", "secret": "demoKeySecret000000000000000002"}],
    "credentials": [
      {"sid": "CR00000000000000000000000000de0a02", "kind": "public_key", "friendly_name": "clinic-records"}
    ],
    "composition_settings": {
      "friendly_name": "Clinic compositions", "aws_storage_enabled": false,
      "encryption_enabled": true, "encryption_key_sid": "CR00000000000000000000000000de0a02"
    },
    "recording_settings": {
      "friendly_name": "Clinic recordings", "aws_storage_enabled": false,
      "encryption_enabled": true, "encryption_key_sid": "CR00000000000000000000000000de0a02"
    }
  }, {
    "sid": "AC00000000000000000000000000de0003",
    "auth_token": "demo0000000000000000000000000003",
    "api_keys": [{"sid": "SK00000000000000000000000000de0003", "secret": "demoKeySecret000000000000000003"}],
    "credentials": [
      {"sid": "CR00000000000000000000000000de0b03", "kind": "aws", "friendly_name": "archive-writer"}
    ],
    "composition_settings": {
      "friendly_name": "Archive compositions", "encryption_enabled": false,
      "aws_storage_enabled": true, "aws_credentials_sid": "CR00000000000000000000000000de0b03",
      "aws_s3_url": "https://contoso-archive.s3.amazonaws.com/compositions"
    },
    "recording_settings": {
      "friendly_name": "Archive recordings", "encryption_enabled": false,
      "aws_storage_enabled": true, "aws_credentials_sid": "CR00000000000000000000000000de0b03",
      "aws_s3_url": "https://contoso-archive.s3.amazonaws.com/recordings"
    }
  }, {
    "sid": "AC00000000000000000000000000de0004",
    "auth_token": "demo0000000000000000000000000004",
    "credentials": [
      {"sid": "CR00000000000000000000000000de0a04", "kind": "public_key", "friendly_name": "studio-key"},
      {"sid": "CR00000000000000000000000000de0b04", "kind": "aws", "friendly_name": "studio-bucket"}
    ],
    "composition_settings": {
      "friendly_name": "Studio compositions",
      "encryption_enabled": true, "encryption_key_sid": "CR00000000000000000000000000de0a04",
      "aws_storage_enabled": true, "aws_credentials_sid": "CR00000000000000000000000000de0b04",
      "aws_s3_url": "https://fabrikam-studio.s3.amazonaws.com/compositions"
    }
  }, {
    "sid": "AC00000000000000000000000000de0005",
    "auth_token": "demo0000000000000000000000000005"
  }, {
    "sid": "AC00000000000000000000000000de0006",
    "auth_token": "demo0000000000000000000000000006"
  }, {
    "sid": "AC00000000000000000000000000de0007",
    "auth_token": "demo0000000000000000000000000007",
    "api_keys": [{"sid": "SK00000000000000000000000000de0007", "secret": "demoKeySecret000000000000000007"}]
  }]
}"#;

/// The demo projects as the console registers them, with fixed ids. The
/// last is given a wrong token, as after a token was rotated at Twilio.
pub fn demo_projects() -> Vec<(crate::domain::ProjectId, crate::domain::ProjectUpdate)> {
    use crate::domain::{Login, ProjectUpdate};
    let project = |id: &str, name: &str, account: &str, login: Login, secret: &str| {
        (
            id.parse().expect("demo ids are path-safe"),
            ProjectUpdate {
                name: name.into(),
                account_sid: account.parse().expect("demo SIDs are well formed"),
                login,
                secret: Some(secret.into()),
            },
        )
    };
    let key = |sid: &str| Login::ApiKey(sid.parse().expect("demo SIDs are well formed"));
    vec![
        project(
            DEMO_PROJECT_ID,
            "Acme Video",
            DEMO_ACCOUNT_SID,
            Login::AuthToken,
            DEMO_AUTH_TOKEN,
        ),
        project(
            "demo-northwind",
            "Northwind Clinic (encrypted)",
            "AC00000000000000000000000000de0002",
            key("SK00000000000000000000000000de0002"),
            "demoKeySecret000000000000000002",
        ),
        project(
            "demo-contoso",
            "Contoso Archive (S3)",
            "AC00000000000000000000000000de0003",
            key("SK00000000000000000000000000de0003"),
            "demoKeySecret000000000000000003",
        ),
        project(
            "demo-fabrikam",
            "Fabrikam Studio (encrypted, S3)",
            "AC00000000000000000000000000de0004",
            Login::AuthToken,
            "demo0000000000000000000000000004",
        ),
        project(
            "demo-tailspin",
            "Tailspin Toys (wrong token)",
            "AC00000000000000000000000000de0005",
            Login::AuthToken,
            "this-is-not-the-token-00000005",
        ),
    ]
}

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
            encryption_available: self.encryption_available,
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
