//! Twilio SIDs: two fixed letters and 32 hex digits. Parsed once, then trusted.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

const HEX_DIGITS: usize = 32;

/// Why a string is not a SID of the expected kind.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SidError {
    #[error("is empty; expected {prefix} followed by 32 hex digits")]
    Empty { prefix: &'static str },
    #[error(
        "must start with {prefix} (found \"{found}\"); expected {prefix} followed by 32 hex digits"
    )]
    WrongPrefix { prefix: &'static str, found: String },
    #[error("has {len} characters; expected 34: {prefix} followed by 32 hex digits")]
    WrongLength { prefix: &'static str, len: usize },
    #[error("may only contain hex digits (0-9, a-f) after {prefix}")]
    NotHex { prefix: &'static str },
}

fn check(prefix: &'static str, raw: &str) -> Result<(), SidError> {
    if raw.is_empty() {
        return Err(SidError::Empty { prefix });
    }
    let head: String = raw.chars().take(2).collect();
    if head != prefix {
        return Err(SidError::WrongPrefix {
            prefix,
            found: head,
        });
    }
    let len = raw.chars().count();
    if len != prefix.len() + HEX_DIGITS {
        return Err(SidError::WrongLength { prefix, len });
    }
    if !raw[prefix.len()..].bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SidError::NotHex { prefix });
    }
    Ok(())
}

macro_rules! sid_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = SidError;
            fn from_str(raw: &str) -> Result<Self, SidError> {
                check($prefix, raw).map(|()| Self(raw.to_owned()))
            }
        }

        impl TryFrom<String> for $name {
            type Error = SidError;
            fn try_from(raw: String) -> Result<Self, SidError> {
                check($prefix, &raw).map(|()| Self(raw))
            }
        }

        impl From<$name> for String {
            fn from(sid: $name) -> String {
                sid.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

sid_type!(
    /// A Twilio account (project): `AC…`.
    AccountSid,
    "AC"
);
sid_type!(
    /// An API key of an account: `SK…`.
    ApiKeySid,
    "SK"
);
sid_type!(
    /// An Accounts credential, AWS or public key alike: `CR…`.
    CredentialSid,
    "CR"
);

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "CR0123456789abcdef0123456789ABCDEF";

    #[test]
    fn accepts_prefix_and_32_hex_digits_in_either_case() {
        let sid: CredentialSid = GOOD.parse().unwrap();
        assert_eq!(sid.as_str(), GOOD);
    }

    #[test]
    fn names_what_is_wrong() {
        assert_eq!(
            "".parse::<CredentialSid>(),
            Err(SidError::Empty { prefix: "CR" })
        );
        assert_eq!(
            "AC0123456789abcdef0123456789abcdef".parse::<CredentialSid>(),
            Err(SidError::WrongPrefix {
                prefix: "CR",
                found: "AC".into()
            })
        );
        assert_eq!(
            "CR0123".parse::<CredentialSid>(),
            Err(SidError::WrongLength {
                prefix: "CR",
                len: 6
            })
        );
        assert_eq!(
            "CR0123456789abcdef0123456789abcdeg".parse::<CredentialSid>(),
            Err(SidError::NotHex { prefix: "CR" })
        );
    }

    #[test]
    fn multibyte_input_is_rejected_without_panicking() {
        assert!("CRé123456789abcdef0123456789abcde"
            .parse::<CredentialSid>()
            .is_err());
        assert!("ÄC".parse::<AccountSid>().is_err());
    }

    #[test]
    fn serde_round_trip_rejects_malformed() {
        let sid: AccountSid =
            serde_json::from_str("\"AC0123456789abcdef0123456789abcdef\"").unwrap();
        assert_eq!(
            serde_json::to_string(&sid).unwrap(),
            "\"AC0123456789abcdef0123456789abcdef\""
        );
        assert!(
            serde_json::from_str::<AccountSid>("\"SK0123456789abcdef0123456789abcdef\"").is_err()
        );
    }
}
