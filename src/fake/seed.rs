//! The state a fake starts from: a JSON file, or the built-in demo seed
//! that gives the console one project with a public key and an AWS
//! credential to point its settings at.

use super::{Account, ApiKey, Credential, CredentialKind};
use crate::domain::{
    AccountSid, AccountStatus, ApiKeySid, CredentialSid, MediaSettings, SettingsKind,
};
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
    /// Twilio names a new account "My first Twilio account".
    #[serde(default = "first_account")]
    pub friendly_name: String,
    #[serde(default)]
    pub status: AccountStatus,
    /// The parent, for a subaccount (which must come after it).
    #[serde(default)]
    pub owner_account_sid: Option<AccountSid>,
    #[serde(default = "default_date")]
    pub date_created: String,
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

fn first_account() -> String {
    "My first Twilio account".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeySeed {
    pub sid: ApiKeySid,
    pub secret: String,
    /// A Main key lists accounts and makes keys; a Standard one cannot.
    #[serde(default)]
    pub main: bool,
    #[serde(default)]
    pub friendly_name: String,
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

/// Seven accounts (and the demo parent's, added in `Seed::demo`): five registered as demo projects with different settings
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

/// The demo parent account, whose subaccounts are not yet projects. Not
/// secrets: they only open the local fake.
pub const DEMO_PARENT: super::generated::Parent<'static> = super::generated::Parent {
    sid: "AC00000000000000000000000000de0100",
    auth_token: "demo0000000000000000000000000100",
    name: "Globex Holdings",
    main_key: (
        "SK00000000000000000000000000de0100",
        "demoMainKey00000000000000000100",
    ),
    standard_key: (
        "SK00000000000000000000000000de0101",
        "demoStandardKey0000000000000101",
    ),
    first_sub: 0xde_1000,
};

/// How many subaccounts the demo parent has.
pub const DEMO_SUBACCOUNTS: u32 = 30;

impl Seed {
    pub fn demo() -> Self {
        let mut seed = Self::from_json(DEMO_SEED).expect("the built-in seed is valid");
        seed.accounts.extend(super::generated::parent_seed(
            &DEMO_PARENT,
            DEMO_SUBACCOUNTS,
        ));
        seed
    }

    /// Parses and checks a seed; the error names what is wrong.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let seed: Seed = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut seen = std::collections::HashMap::new();
        for account in &seed.accounts {
            check_date(&account.date_created, &format!("account {}", account.sid))?;
            if let Some(owner) = &account.owner_account_sid {
                match seen.get(owner) {
                    Some(None) => {}
                    Some(Some(_)) => {
                        return Err(format!(
                            "account {}: its owner {owner} is itself a subaccount",
                            account.sid
                        ))
                    }
                    None => {
                        return Err(format!(
                            "account {}: its owner {owner} must come before it in the seed",
                            account.sid
                        ))
                    }
                }
            }
            if seen
                .insert(account.sid.clone(), account.owner_account_sid.clone())
                .is_some()
            {
                return Err(format!("account {} is in the seed twice", account.sid));
            }
            for c in &account.credentials {
                check_date(&c.date_created, &format!("credential {}", c.sid))?;
            }
        }
        Ok(seed)
    }
}

fn check_date(date: &str, what: &str) -> Result<(), String> {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::PrimitiveDateTime::parse(date, &format)
        .map(|_| ())
        .map_err(|_| format!("{what}: date_created must look like 2026-01-31T12:00:00Z"))
}

impl AccountSeed {
    pub(super) fn to_account(&self, order: u64) -> Account {
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
            friendly_name: self.friendly_name.clone(),
            status: self.status,
            owner: self.owner_account_sid.clone(),
            date_created: self.date_created.clone(),
            date_updated: self.date_created.clone(),
            order,
            api_keys: self
                .api_keys
                .iter()
                .zip(0..)
                .map(|(k, seq)| {
                    let key = ApiKey {
                        secret: k.secret.clone(),
                        main: k.main,
                        friendly_name: k.friendly_name.clone(),
                        date_created: self.date_created.clone(),
                        seq,
                    };
                    (k.sid.clone(), key)
                })
                .collect(),
            credentials: Default::default(),
            next_seq: self.api_keys.len() as u64,
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
