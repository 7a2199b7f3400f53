//! Composition and Recording settings: what Twilio returns, what the form
//! holds, and the validated update we send.

use super::error::{clipped, Field, FieldErrors};
use super::s3_url::{check_s3_url, MAX_S3_URL};
use super::sid::{AccountSid, CredentialSid};
use serde::{Deserialize, Serialize};

/// The two singleton settings resources on `video.twilio.com`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SettingsKind {
    Composition,
    Recording,
}

impl SettingsKind {
    /// Path on the Video host, the same for every account.
    pub fn path(self) -> &'static str {
        match self {
            Self::Composition => "/v1/CompositionSettings/Default",
            Self::Recording => "/v1/RecordingSettings/Default",
        }
    }

    /// Short lowercase name, used in URLs and element ids.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Composition => "composition",
            Self::Recording => "recording",
        }
    }

    /// The value a form field carries for the kind (its serde name).
    pub fn form_value(self) -> &'static str {
        match self {
            Self::Composition => "Composition",
            Self::Recording => "Recording",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Composition => "Composition settings",
            Self::Recording => "Recording settings",
        }
    }
}

/// Longest settings name the console accepts. Twilio documents no limit;
/// this keeps a pasted essay out of a request.
pub const MAX_SETTINGS_NAME: usize = 255;

/// Settings as Twilio returns them. Twilio marks every field nullable.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MediaSettings {
    pub account_sid: Option<AccountSid>,
    pub friendly_name: Option<String>,
    pub aws_credentials_sid: Option<CredentialSid>,
    pub encryption_key_sid: Option<CredentialSid>,
    pub aws_s3_url: Option<String>,
    pub aws_storage_enabled: Option<bool>,
    pub encryption_enabled: Option<bool>,
    pub url: Option<String>,
}

/// The form as the user filled it in: raw text, checked only by `validate`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsInput {
    #[serde(default)]
    pub friendly_name: String,
    #[serde(default)]
    pub encryption_enabled: bool,
    #[serde(default)]
    pub encryption_key_sid: String,
    #[serde(default)]
    pub aws_storage_enabled: bool,
    #[serde(default)]
    pub aws_credentials_sid: String,
    #[serde(default)]
    pub aws_s3_url: String,
}

/// A checked update, ready to send. Always the full set of fields, so the
/// result does not depend on how Twilio treats omitted ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsUpdate {
    pub friendly_name: String,
    pub encryption_enabled: bool,
    pub encryption_key_sid: Option<CredentialSid>,
    pub aws_storage_enabled: bool,
    pub aws_credentials_sid: Option<CredentialSid>,
    pub aws_s3_url: Option<String>,
}

impl From<&MediaSettings> for SettingsInput {
    fn from(s: &MediaSettings) -> Self {
        Self {
            friendly_name: s.friendly_name.clone().unwrap_or_default(),
            encryption_enabled: s.encryption_enabled.unwrap_or(false),
            encryption_key_sid: s
                .encryption_key_sid
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_default(),
            aws_storage_enabled: s.aws_storage_enabled.unwrap_or(false),
            aws_credentials_sid: s
                .aws_credentials_sid
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_default(),
            aws_s3_url: s.aws_s3_url.clone().unwrap_or_default(),
        }
    }
}

/// SIDs typed or pasted beside the pickers; one that is filled in wins
/// over the picker's choice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastedSids {
    #[serde(default)]
    pub encryption_key_sid: String,
    #[serde(default)]
    pub aws_credentials_sid: String,
}

impl SettingsInput {
    /// The input with any pasted SID in place of the picked one.
    pub fn with_pasted(mut self, pasted: Option<&PastedSids>) -> Self {
        if let Some(pasted) = pasted {
            if !pasted.encryption_key_sid.trim().is_empty() {
                self.encryption_key_sid = pasted.encryption_key_sid.trim().to_owned();
            }
            if !pasted.aws_credentials_sid.trim().is_empty() {
                self.aws_credentials_sid = pasted.aws_credentials_sid.trim().to_owned();
            }
        }
        self
    }
}

/// An optional SID field that becomes required when its feature is on.
fn optional_sid(
    errors: &mut FieldErrors,
    field: Field,
    raw: &str,
    required_because: Option<&str>,
) -> Option<CredentialSid> {
    if raw.is_empty() {
        if let Some(feature) = required_because {
            errors.push(
                field,
                format!(
                    "is required when {feature} is enabled; expected CR followed by 32 hex digits"
                ),
            );
        }
        return None;
    }
    match raw.parse::<CredentialSid>() {
        Ok(sid) => Some(sid),
        Err(e) => {
            errors.push(field, e.to_string());
            None
        }
    }
}

impl SettingsInput {
    /// The values as Twilio stores them: trimmed, SIDs in their canonical
    /// form. The lost-update check compares these, so whitespace or a SID's
    /// letter case in a form never reads as someone else's change.
    pub fn normalised(&self) -> Self {
        let sid = |raw: &str| {
            let raw = raw.trim();
            match raw.parse::<CredentialSid>() {
                Ok(_) => format!("CR{}", raw[2..].to_ascii_lowercase()),
                Err(_) => raw.to_owned(),
            }
        };
        Self {
            friendly_name: self.friendly_name.trim().to_owned(),
            encryption_enabled: self.encryption_enabled,
            encryption_key_sid: sid(&self.encryption_key_sid),
            aws_storage_enabled: self.aws_storage_enabled,
            aws_credentials_sid: sid(&self.aws_credentials_sid),
            aws_s3_url: self.aws_s3_url.trim().to_owned(),
        }
    }

    /// The input to show again after a failure, each field clipped a little
    /// past its limit (so the message about the limit still makes sense).
    pub fn for_echo(&self) -> Self {
        Self {
            friendly_name: clipped(&self.friendly_name, MAX_SETTINGS_NAME + 10),
            encryption_key_sid: clipped(&self.encryption_key_sid, 40),
            aws_credentials_sid: clipped(&self.aws_credentials_sid, 40),
            aws_s3_url: clipped(&self.aws_s3_url, MAX_S3_URL + 10),
            ..self.clone()
        }
    }

    /// Whether Twilio's `current` settings are still those the form was
    /// loaded with.
    pub fn still_matches(&self, current: &MediaSettings) -> bool {
        SettingsInput::from(current).normalised() == self.normalised()
    }

    /// Checks every field and reports all problems at once.
    pub fn validate(&self) -> Result<SettingsUpdate, FieldErrors> {
        let mut errors = FieldErrors::default();
        let friendly_name = self.friendly_name.trim();
        if friendly_name.is_empty() {
            errors.push(
                Field::FriendlyName,
                "is required; give these settings a name",
            );
        } else if friendly_name.chars().any(char::is_control) {
            errors.push(Field::FriendlyName, "must not contain control characters");
        } else if friendly_name.chars().count() > MAX_SETTINGS_NAME {
            errors.push(
                Field::FriendlyName,
                format!(
                    "is {} characters long; at most {MAX_SETTINGS_NAME} are allowed",
                    friendly_name.chars().count()
                ),
            );
        }
        let encryption_key_sid = optional_sid(
            &mut errors,
            Field::EncryptionKeySid,
            self.encryption_key_sid.trim(),
            self.encryption_enabled.then_some("encryption"),
        );
        let aws_credentials_sid = optional_sid(
            &mut errors,
            Field::AwsCredentialsSid,
            self.aws_credentials_sid.trim(),
            self.aws_storage_enabled.then_some("external storage"),
        );
        let url = self.aws_s3_url.trim();
        if !url.is_empty() || self.aws_storage_enabled {
            if let Err(message) = check_s3_url(url) {
                errors.push(Field::AwsS3Url, message);
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SettingsUpdate {
            friendly_name: friendly_name.to_owned(),
            encryption_enabled: self.encryption_enabled,
            encryption_key_sid,
            aws_storage_enabled: self.aws_storage_enabled,
            aws_credentials_sid,
            aws_s3_url: (!url.is_empty()).then(|| url.to_owned()),
        })
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    const KEY: &str = "CR0123456789abcdef0123456789abcdef";
    const AWS: &str = "CRfedcba9876543210fedcba9876543210";
    const URL: &str = "https://media.s3.us-east-1.amazonaws.com/compositions";

    /// A complete valid input, shared with the other domain tests.
    pub(in crate::domain) fn valid() -> SettingsInput {
        SettingsInput {
            friendly_name: "Production".into(),
            encryption_enabled: true,
            encryption_key_sid: KEY.into(),
            aws_storage_enabled: true,
            aws_credentials_sid: AWS.into(),
            aws_s3_url: URL.into(),
        }
    }

    fn fields(errors: &FieldErrors) -> Vec<Field> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn the_lost_update_check_ignores_what_twilio_normalises() {
        let current = MediaSettings {
            friendly_name: Some("Production".into()),
            encryption_enabled: Some(true),
            encryption_key_sid: Some(KEY.parse().unwrap()),
            ..MediaSettings::default()
        };
        let loaded = SettingsInput {
            friendly_name: " Production ".into(),
            encryption_enabled: true,
            encryption_key_sid: format!(" CR{} ", KEY[2..].to_ascii_uppercase()),
            ..SettingsInput::default()
        };
        assert!(loaded.still_matches(&current));
        let changed = SettingsInput {
            friendly_name: "Staging".into(),
            ..loaded
        };
        assert!(!changed.still_matches(&current));
    }

    #[test]
    fn a_settings_name_is_capped() {
        let mut input = valid();
        input.friendly_name = "n".repeat(MAX_SETTINGS_NAME + 1);
        let errors = input.validate().unwrap_err();
        assert_eq!(fields(&errors), [Field::FriendlyName]);
        assert!(errors
            .message_for(Field::FriendlyName)
            .unwrap()
            .contains("at most 255"));
        input.aws_s3_url = format!("https://b.s3.amazonaws.com/{}", "p".repeat(1100));
        input.friendly_name = "ok".into();
        let errors = input.validate().unwrap_err();
        assert!(
            errors
                .message_for(Field::AwsS3Url)
                .unwrap()
                .contains("at most 1024"),
            "{errors:?}"
        );
    }

    #[test]
    fn full_valid_input_becomes_typed_update() {
        let update = valid().validate().unwrap();
        assert_eq!(update.encryption_key_sid.unwrap().as_str(), KEY);
        assert_eq!(update.aws_credentials_sid.unwrap().as_str(), AWS);
        assert_eq!(update.aws_s3_url.as_deref(), Some(URL));
        assert!(update.encryption_enabled && update.aws_storage_enabled);
    }

    #[test]
    fn friendly_name_is_required_and_trimmed() {
        let mut input = valid();
        input.friendly_name = "   ".into();
        assert_eq!(
            fields(&input.validate().unwrap_err()),
            vec![Field::FriendlyName]
        );
        input.friendly_name = "  Prod  ".into();
        assert_eq!(input.validate().unwrap().friendly_name, "Prod");
    }

    #[test]
    fn enabled_features_need_their_sids_and_url() {
        let input = SettingsInput {
            friendly_name: "x".into(),
            encryption_enabled: true,
            aws_storage_enabled: true,
            ..Default::default()
        };
        let errors = input.validate().unwrap_err();
        assert_eq!(
            fields(&errors),
            vec![
                Field::EncryptionKeySid,
                Field::AwsCredentialsSid,
                Field::AwsS3Url
            ]
        );
        assert!(errors
            .message_for(Field::EncryptionKeySid)
            .unwrap()
            .contains("required when encryption is enabled"));
    }

    #[test]
    fn disabled_features_may_keep_or_leave_out_their_values() {
        let mut input = valid();
        input.encryption_enabled = false;
        input.aws_storage_enabled = false;
        let update = input.validate().unwrap();
        assert_eq!(update.encryption_key_sid.unwrap().as_str(), KEY);
        let bare = SettingsInput {
            friendly_name: "x".into(),
            ..Default::default()
        };
        let update = bare.validate().unwrap();
        assert_eq!((update.encryption_key_sid, update.aws_s3_url), (None, None));
    }

    #[test]
    fn malformed_values_are_reported_even_when_feature_is_off() {
        let input = SettingsInput {
            friendly_name: "x".into(),
            encryption_key_sid: "CR123".into(),
            aws_credentials_sid: "AC0123456789abcdef0123456789abcdef".into(),
            aws_s3_url: "AwsS3Url=https://b.s3.amazonaws.com".into(),
            ..Default::default()
        };
        let errors = input.validate().unwrap_err();
        assert_eq!(errors.len(), 3);
        assert!(errors
            .message_for(Field::AwsCredentialsSid)
            .unwrap()
            .contains("must start with CR"));
        assert!(errors
            .message_for(Field::AwsS3Url)
            .unwrap()
            .contains("AwsS3Url="));
    }

    #[test]
    fn a_pasted_sid_wins_over_the_picked_one() {
        let pasted = PastedSids {
            encryption_key_sid: " CR0000000000000000000000000000beef ".into(),
            aws_credentials_sid: String::new(),
        };
        let input = valid().with_pasted(Some(&pasted));
        assert_eq!(
            input.encryption_key_sid,
            "CR0000000000000000000000000000beef"
        );
        assert_eq!(input.aws_credentials_sid, valid().aws_credentials_sid);
        assert_eq!(valid().with_pasted(None), valid());
    }

    #[test]
    fn reading_nulls_and_missing_fields_gives_empty_settings() {
        let s: MediaSettings =
            serde_json::from_str(r#"{"friendly_name":null,"encryption_enabled":null}"#).unwrap();
        assert_eq!(s, MediaSettings::default());
        assert_eq!(SettingsInput::from(&s), SettingsInput::default());
    }
}
