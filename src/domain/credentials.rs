//! Accounts credentials: the public keys Twilio encrypts media with and the
//! AWS credentials it writes to S3 with. Listing, and the forms that create
//! them, checked the same way in the browser and on the server.

use super::error::{clipped, Field, FieldErrors};
use super::public_key::{check_public_key, MAX_PEM_BYTES};
use super::sid::CredentialSid;
use serde::{Deserialize, Serialize};

/// Twilio refuses longer names.
pub const MAX_FRIENDLY_NAME: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    PublicKey,
    Aws,
}

impl CredentialKind {
    /// The collection on `accounts.twilio.com`.
    pub fn path(self) -> &'static str {
        match self {
            Self::Aws => "/v1/Credentials/AWS",
            Self::PublicKey => "/v1/Credentials/PublicKeys",
        }
    }

    /// "public key" or "AWS credential", for sentences.
    pub fn noun(self) -> &'static str {
        match self {
            Self::PublicKey => "public key",
            Self::Aws => "AWS credential",
        }
    }

    /// The noun with its article: "a public key", "an AWS credential".
    pub fn a_noun(self) -> &'static str {
        match self {
            Self::PublicKey => "a public key",
            Self::Aws => "an AWS credential",
        }
    }

    pub fn plural_title(self) -> &'static str {
        match self {
            Self::PublicKey => "Public keys",
            Self::Aws => "AWS credentials",
        }
    }

    /// Short lowercase name, used in element ids.
    pub fn slug(self) -> &'static str {
        match self {
            Self::PublicKey => "public-key",
            Self::Aws => "aws",
        }
    }
}

/// A credential as Twilio lists it: never the secret or the key material.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub sid: CredentialSid,
    #[serde(default)]
    pub friendly_name: Option<String>,
    #[serde(default)]
    pub date_created: Option<String>,
}

impl Credential {
    /// The name, or the SID when it has none.
    pub fn name(&self) -> &str {
        match self.friendly_name.as_deref() {
            Some(name) if !name.trim().is_empty() => name,
            _ => self.sid.as_str(),
        }
    }

    /// The day it was created, `YYYY-MM-DD`, from Twilio's ISO 8601 or
    /// RFC 2822 date.
    pub fn created_on(&self) -> Option<String> {
        let date = self.date_created.as_deref()?;
        // Twilio's text is untrusted: `get` instead of slicing, which
        // panics when byte 10 falls inside a character.
        match date.get(..10) {
            Some(day) if day.as_bytes().get(4) == Some(&b'-') => Some(day.to_owned()),
            _ => Some(date.chars().take(40).collect()),
        }
    }

    /// One line for a picker: name, SID and creation date.
    pub fn option_label(&self) -> String {
        let name = self.friendly_name.as_deref().unwrap_or("(no name)");
        match self.created_on() {
            Some(day) => format!("{name} \u{2014} {} \u{2014} created {day}", self.sid),
            None => format!("{name} \u{2014} {}", self.sid),
        }
    }
}

/// The credential a rename or delete is about, carried back with a failure
/// so the page can show it beside the right row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialTarget {
    pub kind: CredentialKind,
    pub sid: String,
}

/// Finds a credential by SID text, as stored in the settings.
pub fn find<'a>(list: &'a [Credential], sid: &str) -> Option<&'a Credential> {
    list.iter().find(|c| c.sid.as_str() == sid)
}

/// A credential's name, trimmed; the message completes "Friendly name …".
pub fn check_friendly_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    let count = name.chars().count();
    if name.is_empty() {
        Err("is required, so the credential can be recognised in the pickers".into())
    } else if count > MAX_FRIENDLY_NAME {
        Err(format!(
            "is {count} characters long; at most {MAX_FRIENDLY_NAME} are allowed"
        ))
    } else {
        Ok(name.to_owned())
    }
}

fn check_name(raw: &str, errors: &mut FieldErrors) -> String {
    check_friendly_name(raw).unwrap_or_else(|message| {
        errors.push(Field::FriendlyName, message);
        String::new()
    })
}

/// The "add a public key" form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKeyInput {
    #[serde(default)]
    pub friendly_name: String,
    #[serde(default)]
    pub public_key: String,
}

/// A checked public key, ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPublicKey {
    pub friendly_name: String,
    pub public_key: String,
}

impl PublicKeyInput {
    /// The form to show again after a failure. Only text that looks like a
    /// public key goes back: anything else (a private key in any format, a
    /// JWK, bare base64) could be a secret, and would travel in a URL.
    pub fn for_echo(&self) -> Self {
        let upper = self.public_key.to_ascii_uppercase();
        let looks_public = upper.contains("PUBLIC KEY-----")
            && !upper.contains("PRIVATE")
            && self.public_key.len() <= MAX_PEM_BYTES;
        Self {
            friendly_name: clipped(&self.friendly_name, MAX_FRIENDLY_NAME + 10),
            public_key: if looks_public {
                self.public_key.clone()
            } else {
                String::new()
            },
        }
    }

    pub fn validate(&self) -> Result<NewPublicKey, FieldErrors> {
        let mut errors = FieldErrors::default();
        let friendly_name = check_name(&self.friendly_name, &mut errors);
        if let Err(message) = check_public_key(&self.public_key) {
            errors.push(Field::PublicKey, message);
        }
        if errors.is_empty() {
            Ok(NewPublicKey {
                friendly_name,
                public_key: self.public_key.trim().to_owned(),
            })
        } else {
            Err(errors)
        }
    }
}

/// The "add an AWS credential" form. The secret is sent once and never
/// shown again: it is not kept in any answer, even a failed one.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsCredentialInput {
    #[serde(default)]
    pub friendly_name: String,
    #[serde(default)]
    pub access_key_id: String,
    #[serde(default)]
    pub secret_access_key: String,
}

impl std::fmt::Debug for AwsCredentialInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCredentialInput")
            .field("friendly_name", &self.friendly_name)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"[hidden]")
            .finish()
    }
}

/// A checked AWS credential; `credentials` is Twilio's `id:secret` form.
pub struct NewAwsCredential {
    pub friendly_name: String,
    pub credentials: String,
}

impl AwsCredentialInput {
    pub fn validate(&self) -> Result<NewAwsCredential, FieldErrors> {
        let mut errors = FieldErrors::default();
        let friendly_name = check_name(&self.friendly_name, &mut errors);
        let id = self.access_key_id.trim();
        if id.is_empty() {
            errors.push(
                Field::AccessKeyId,
                "is required, for example AKIAIOSFODNN7EXAMPLE",
            );
        } else if id.len() != 20
            || !id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            errors.push(
                Field::AccessKeyId,
                format!(
                    "must be 20 characters A-Z and 0-9, like AKIAIOSFODNN7EXAMPLE (found {} characters)",
                    id.chars().count()
                ),
            );
        }
        let secret = self.secret_access_key.trim();
        if secret.is_empty() {
            errors.push(Field::SecretAccessKey, "is required");
        } else if secret.len() != 40
            || !secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+' | b'='))
        {
            errors.push(
                Field::SecretAccessKey,
                format!(
                    "must be 40 characters A-Z, a-z, 0-9, / and + (found {} characters)",
                    secret.chars().count()
                ),
            );
        }
        if errors.is_empty() {
            Ok(NewAwsCredential {
                friendly_name,
                credentials: format!("{id}:{secret}"),
            })
        } else {
            Err(errors)
        }
    }

    /// What may travel back to the form after a failure: all but the secret.
    pub fn without_secret(&self) -> Self {
        Self {
            friendly_name: clipped(&self.friendly_name, MAX_FRIENDLY_NAME + 10),
            access_key_id: clipped(&self.access_key_id, 40),
            secret_access_key: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = include_str!("testdata/rsa2048.pub.pem");
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    fn fields(errors: &FieldErrors) -> Vec<Field> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn twilio_dates_never_panic_and_give_the_day() {
        let with = |date: &str| Credential {
            sid: "CR0123456789abcdef0123456789abcdef".parse().unwrap(),
            friendly_name: None,
            date_created: Some(date.into()),
        };
        assert_eq!(
            with("2026-01-31T12:00:00Z").created_on().as_deref(),
            Some("2026-01-31")
        );
        // Byte 10 inside a character: slicing there would panic.
        assert_eq!(
            with("2026-01-3\u{e9}T").created_on().as_deref(),
            Some("2026-01-3\u{e9}T")
        );
        assert_eq!(
            with("\u{1f600}\u{1f600}\u{1f600}").created_on().as_deref(),
            Some("\u{1f600}\u{1f600}\u{1f600}")
        );
        assert!(with("Sat, 31 Jan 2026 12:00:00 +0000")
            .option_label()
            .contains("created Sat, 31 Jan"));
        assert_eq!(with(&"9".repeat(500)).created_on().unwrap().len(), 40);
    }

    #[test]
    fn a_pasted_private_key_is_not_echoed() {
        let input = PublicKeyInput {
            friendly_name: "k".into(),
            public_key: "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----".into(),
        };
        assert_eq!(input.for_echo().public_key, "");
        assert_eq!(input.for_echo().friendly_name, "k");
        for other_secret in [
            "PuTTY-User-Key-File-3: ssh-rsa\nPrivate-Lines: 14\nAAAA",
            r#"{"kty":"RSA","d":"secret"}"#,
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
            "-----begin private key-----",
        ] {
            let input = PublicKeyInput {
                friendly_name: "k".into(),
                public_key: other_secret.into(),
            };
            assert_eq!(input.for_echo().public_key, "", "{other_secret}");
        }
        let long = PublicKeyInput {
            friendly_name: "n".repeat(5000),
            public_key: String::new(),
        };
        assert_eq!(long.for_echo().friendly_name.len(), MAX_FRIENDLY_NAME + 10);
        let public = PublicKeyInput {
            friendly_name: "k".into(),
            public_key: PEM.into(),
        };
        assert_eq!(public.for_echo(), public);
    }

    #[test]
    fn a_public_key_needs_a_name_and_a_valid_key() {
        let ok = PublicKeyInput {
            friendly_name: "  prod-2026 ".into(),
            public_key: PEM.into(),
        }
        .validate()
        .unwrap();
        assert_eq!(ok.friendly_name, "prod-2026");
        let errors = PublicKeyInput {
            friendly_name: "x".repeat(65),
            public_key: "nope".into(),
        }
        .validate()
        .unwrap_err();
        assert_eq!(fields(&errors), [Field::FriendlyName, Field::PublicKey]);
        assert!(errors
            .message_for(Field::FriendlyName)
            .unwrap()
            .contains("65 characters"));
    }

    #[test]
    fn an_aws_credential_is_sent_as_id_colon_secret() {
        let input = AwsCredentialInput {
            friendly_name: "bucket writer".into(),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: SECRET.into(),
        };
        assert_eq!(
            input.validate().unwrap().credentials,
            format!("AKIAIOSFODNN7EXAMPLE:{SECRET}")
        );
        let bad = AwsCredentialInput {
            access_key_id: "akia-short".into(),
            secret_access_key: "short".into(),
            ..input.clone()
        };
        let errors = bad.validate().err().expect("refused");
        assert_eq!(
            fields(&errors),
            [Field::AccessKeyId, Field::SecretAccessKey]
        );
        assert!(errors
            .message_for(Field::SecretAccessKey)
            .unwrap()
            .contains("found 5 characters"));
    }

    #[test]
    fn the_secret_never_travels_back_or_into_debug_output() {
        let input = AwsCredentialInput {
            friendly_name: "w".into(),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: SECRET.into(),
        };
        assert!(!format!("{input:?}").contains(SECRET));
        assert_eq!(input.without_secret().secret_access_key, "");
    }

    #[test]
    fn picker_labels_show_name_sid_and_day() {
        let c = Credential {
            sid: "CR0123456789abcdef0123456789abcdef".parse().unwrap(),
            friendly_name: Some("prod-2026".into()),
            date_created: Some("2026-11-28T10:00:00Z".into()),
        };
        assert_eq!(
            c.option_label(),
            "prod-2026 \u{2014} CR0123456789abcdef0123456789abcdef \u{2014} created 2026-11-28"
        );
    }
}
