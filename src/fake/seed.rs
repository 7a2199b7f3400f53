//! The state a fake starts from. The demo seed gives the console one project
//! with one public key and one AWS credential to point its settings at.

use super::{Account, Credential, CredentialKind};
use crate::domain::{AccountSid, ApiKeySid, CredentialSid, MediaSettings, SettingsKind};
use std::collections::HashMap;

pub struct Seed {
    pub accounts: Vec<AccountSeed>,
}

pub struct AccountSeed {
    pub sid: AccountSid,
    pub auth_token: String,
    pub api_keys: Vec<(ApiKeySid, String)>,
    pub credentials: Vec<(CredentialSid, CredentialKind, String)>,
    pub composition: Option<MediaSettings>,
}

/// The demo project. Not secrets: they only open the local fake.
pub const DEMO_ACCOUNT_SID: &str = "AC00000000000000000000000000de0001";
pub const DEMO_AUTH_TOKEN: &str = "demo0000000000000000000000000001";
pub const DEMO_PUBLIC_KEY_SID: &str = "CR00000000000000000000000000de0a01";
pub const DEMO_AWS_CREDENTIAL_SID: &str = "CR00000000000000000000000000de0b01";

fn sid<T: std::str::FromStr>(raw: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    raw.parse().expect("built-in SIDs are well formed")
}

impl Seed {
    pub fn demo() -> Self {
        Self {
            accounts: vec![AccountSeed {
                sid: sid(DEMO_ACCOUNT_SID),
                auth_token: DEMO_AUTH_TOKEN.into(),
                api_keys: Vec::new(),
                credentials: vec![
                    (
                        sid(DEMO_PUBLIC_KEY_SID),
                        CredentialKind::PublicKey,
                        "prod-2026".into(),
                    ),
                    (
                        sid(DEMO_AWS_CREDENTIAL_SID),
                        CredentialKind::Aws,
                        "media-bucket-writer".into(),
                    ),
                ],
                composition: Some(MediaSettings {
                    friendly_name: Some("Demo compositions".into()),
                    aws_storage_enabled: Some(false),
                    encryption_enabled: Some(false),
                    ..MediaSettings::default()
                }),
            }],
        }
    }
}

impl AccountSeed {
    pub(super) fn to_account(&self) -> Account {
        let mut settings = HashMap::new();
        if let Some(composition) = &self.composition {
            settings.insert(SettingsKind::Composition, composition.clone());
        }
        Account {
            auth_token: self.auth_token.clone(),
            api_keys: self.api_keys.iter().cloned().collect(),
            credentials: self
                .credentials
                .iter()
                .map(|(sid, kind, name)| {
                    (
                        sid.clone(),
                        Credential {
                            kind: *kind,
                            friendly_name: Some(name.clone()),
                        },
                    )
                })
                .collect(),
            settings,
        }
    }
}
