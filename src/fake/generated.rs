//! Generated demo projects beside the five hand-written ones, so the fleet
//! has something to show: spread over the states it counts (encrypted, in
//! S3, both, neither), with some registered with a wrong token and a few
//! whose fake answers slowly.

use super::seed::{AccountSeed, CredentialSeed, Seed};
use super::{CredentialKind, FaultRule};
use crate::domain::{Login, MediaSettings, ProjectId, ProjectUpdate};

const NAMES: [&str; 10] = [
    "Aurora Health",
    "Bluebird Learning",
    "Cedar Legal",
    "Delta Insurance",
    "Evergreen Bank",
    "Falcon Media",
    "Granite Support",
    "Harbor Telehealth",
    "Iris Classrooms",
    "Juniper Sales",
];

/// What generated project `i` looks like.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Plain,
    CompositionsEncrypted,
    BothEncrypted,
    CompositionsInS3,
    EncryptedAndS3,
    WrongToken,
    Slow,
    RecordingsInS3,
}

fn shape(i: u32) -> Shape {
    match i % 8 {
        0 => Shape::Plain,
        1 => Shape::CompositionsEncrypted,
        2 => Shape::BothEncrypted,
        3 => Shape::CompositionsInS3,
        4 => Shape::EncryptedAndS3,
        5 => Shape::WrongToken,
        6 => Shape::Slow,
        _ => Shape::RecordingsInS3,
    }
}

fn account_sid(i: u32) -> String {
    format!("AC{:032x}", 0xf000_0000u64 + u64::from(i))
}

fn token(i: u32) -> String {
    format!("{:032x}", 0xc000_0000u64 + u64::from(i))
}

fn key_sid(i: u32) -> String {
    format!("CR{:032x}", 0xa000_0000u64 + u64::from(i))
}

fn aws_sid(i: u32) -> String {
    format!("CR{:032x}", 0xb000_0000u64 + u64::from(i))
}

fn settings(i: u32, encrypted: bool, s3: bool, what: &str) -> MediaSettings {
    MediaSettings {
        friendly_name: Some(format!("{} {what}", NAMES[(i as usize) % NAMES.len()])),
        encryption_enabled: Some(encrypted),
        encryption_key_sid: encrypted.then(|| key_sid(i).parse().expect("well formed")),
        aws_storage_enabled: Some(s3),
        aws_credentials_sid: s3.then(|| aws_sid(i).parse().expect("well formed")),
        aws_s3_url: s3.then(|| format!("https://media-{i:03}.s3.amazonaws.com/{what}")),
        ..MediaSettings::default()
    }
}

fn account(i: u32) -> AccountSeed {
    let (compositions, recordings) = match shape(i) {
        Shape::Plain | Shape::WrongToken => ((false, false), (false, false)),
        Shape::CompositionsEncrypted => ((true, false), (false, false)),
        Shape::BothEncrypted | Shape::Slow => ((true, false), (true, false)),
        Shape::CompositionsInS3 => ((false, true), (false, false)),
        Shape::EncryptedAndS3 => ((true, true), (true, true)),
        Shape::RecordingsInS3 => ((false, false), (false, true)),
    };
    let credential = |sid: String, kind, name: String| CredentialSeed {
        sid: sid.parse().expect("well formed"),
        kind,
        friendly_name: Some(name),
        date_created: "2026-01-01T00:00:00Z".into(),
    };
    AccountSeed {
        sid: account_sid(i).parse().expect("well formed"),
        auth_token: token(i),
        api_keys: Vec::new(),
        credentials: vec![
            credential(key_sid(i), CredentialKind::PublicKey, format!("key-{i:03}")),
            credential(
                aws_sid(i),
                CredentialKind::Aws,
                format!("bucket-writer-{i:03}"),
            ),
        ],
        encryption_available: true,
        friendly_name: format!("{} {i:03}", NAMES[(i as usize) % NAMES.len()]),
        status: Default::default(),
        owner_account_sid: None,
        date_created: "2026-01-01T00:00:00Z".into(),
        composition_settings: Some(settings(i, compositions.0, compositions.1, "compositions")),
        recording_settings: Some(settings(i, recordings.0, recordings.1, "recordings")),
    }
}

/// The demo seed with `n` generated accounts added.
pub fn demo_seed(n: u32) -> Seed {
    let mut seed = Seed::demo();
    seed.accounts.extend((1..=n).map(account));
    seed
}

/// The generated projects as the console registers them.
pub fn demo_projects(n: u32) -> Vec<(ProjectId, ProjectUpdate)> {
    (1..=n)
        .map(|i| {
            let name = NAMES[(i as usize) % NAMES.len()];
            let secret = if shape(i) == Shape::WrongToken {
                format!("{:032x}", 0xdead_0000u64 + u64::from(i))
            } else {
                token(i)
            };
            (
                format!("gen-{i:04}").parse().expect("path-safe"),
                ProjectUpdate {
                    name: format!("{name} {i:03}"),
                    account_sid: account_sid(i).parse().expect("well formed"),
                    login: Login::AuthToken,
                    secret: Some(secret),
                },
            )
        })
        .collect()
}

/// The faults that make a few generated accounts answer slowly.
pub fn slow_accounts(n: u32) -> Vec<FaultRule> {
    (1..=n)
        .filter(|i| shape(*i) == Shape::Slow)
        .map(|i| FaultRule {
            account: Some(account_sid(i)),
            route: None,
            method: Some("GET".into()),
            fault: super::faults::Fault::Latency { ms: 1_500 },
            times: None,
        })
        .collect()
}

const CITIES: [&str; 30] = [
    "Amsterdam",
    "Athens",
    "Austin",
    "Bergen",
    "Bogota",
    "Cairo",
    "Denver",
    "Dublin",
    "Durban",
    "Geneva",
    "Hanoi",
    "Helsinki",
    "Kyoto",
    "Lagos",
    "Leeds",
    "Lima",
    "Lisbon",
    "Lyon",
    "Manila",
    "Miami",
    "Milan",
    "Nairobi",
    "Osaka",
    "Oslo",
    "Porto",
    "Quito",
    "Riga",
    "Seoul",
    "Tallinn",
    "Zurich",
];

/// A parent (main) account: who it is, and how its subaccounts are named.
pub struct Parent<'a> {
    pub sid: &'a str,
    pub auth_token: &'a str,
    pub name: &'a str,
    /// A Main API key and a Standard one, `(sid, secret)` each.
    pub main_key: (&'a str, &'a str),
    pub standard_key: (&'a str, &'a str),
    /// Subaccount `i` gets SID `AC` + `first_sub + i` in 32 hex digits.
    pub first_sub: u64,
}

/// Subaccount `i` (from 1) of a parent.
pub fn subaccount_sid(parent: &Parent, i: u32) -> String {
    format!("AC{:032x}", parent.first_sub + u64::from(i))
}

/// The parent and `n` subaccounts: every fifteenth suspended, the 22nd of
/// each fifty closed, the rest active; each with a public key.
pub fn parent_seed(parent: &Parent, n: u32) -> Vec<AccountSeed> {
    use super::seed::ApiKeySeed;
    let key = |(sid, secret): (&str, &str), main: bool, name: &str| ApiKeySeed {
        sid: sid.parse().expect("well formed"),
        secret: secret.into(),
        main,
        friendly_name: name.into(),
    };
    let bare = |sid: String, token: String, name: String| AccountSeed {
        sid: sid.parse().expect("well formed"),
        auth_token: token,
        friendly_name: name,
        status: Default::default(),
        owner_account_sid: None,
        date_created: "2026-01-01T00:00:00Z".into(),
        api_keys: Vec::new(),
        credentials: Vec::new(),
        composition_settings: None,
        recording_settings: None,
        encryption_available: true,
    };
    let mut main = bare(
        parent.sid.into(),
        parent.auth_token.into(),
        parent.name.into(),
    );
    main.api_keys = vec![
        key(parent.main_key, true, "operations (main)"),
        key(parent.standard_key, false, "reporting (standard)"),
    ];
    let mut seeds = vec![main];
    let word = parent.name.split_whitespace().next().unwrap_or("Sub");
    for i in 1..=n {
        let city = CITIES[(i as usize - 1) % CITIES.len()];
        let name = if n as usize <= CITIES.len() {
            format!("{word} {city}")
        } else {
            format!("{word} {city} {i:03}")
        };
        let sid = subaccount_sid(parent, i);
        let mut sub = bare(
            sid.clone(),
            format!("{:032x}", parent.first_sub * 3 + u64::from(i)),
            name,
        );
        sub.owner_account_sid = Some(parent.sid.parse().expect("well formed"));
        sub.status = if i % 15 == 0 {
            crate::domain::AccountStatus::Suspended
        } else if i % 50 == 22 {
            crate::domain::AccountStatus::Closed
        } else {
            crate::domain::AccountStatus::Active
        };
        sub.credentials = vec![CredentialSeed {
            sid: format!("CR{:032x}", parent.first_sub * 5 + u64::from(i))
                .parse()
                .expect("well formed"),
            kind: CredentialKind::PublicKey,
            friendly_name: Some(format!("{}-key", word.to_lowercase())),
            date_created: "2026-01-01T00:00:00Z".into(),
        }];
        seeds.push(sub);
    }
    seeds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_projects_are_valid_and_spread_over_the_states() {
        let projects = demo_projects(40);
        assert_eq!(projects.len(), 40);
        assert_eq!(
            demo_seed(40).accounts.len(),
            Seed::demo().accounts.len() + 40
        );
        assert_eq!(slow_accounts(40).len(), 5);
        let encrypted = demo_seed(40)
            .accounts
            .iter()
            .filter(|a| {
                a.composition_settings
                    .as_ref()
                    .is_some_and(|s| s.encryption_enabled == Some(true))
            })
            .count();
        assert!(encrypted > 10 && encrypted < 40, "{encrypted}");
    }
}
