//! Ids the console makes for its own records (projects, staff): 1 to 32
//! lower-case letters, digits or dashes, safe in a path as they are.

/// Longest id.
pub const MAX_ID: usize = 32;

/// Whether `raw` is a well-formed id.
pub fn fits(raw: &str) -> bool {
    !raw.is_empty()
        && raw.len() <= MAX_ID
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A checked id type: parsed once, then trusted; (de)serialised as a string.
macro_rules! path_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(raw: &str) -> Result<Self, String> {
                if $crate::domain::path_id::fits(raw) {
                    Ok(Self(raw.to_owned()))
                } else {
                    Err(format!(
                        "{} is 1 to {} lower-case letters, digits or dashes",
                        $what,
                        $crate::domain::path_id::MAX_ID
                    ))
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(raw: String) -> Result<Self, String> {
                raw.parse()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub(crate) use path_id;
