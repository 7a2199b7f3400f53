//! The errors that cross the wire to the browser. Each variant is something a
//! user can read and act on; internal details stay in the server log.

use super::settings::{MediaSettings, SettingsInput};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A form field that can carry an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    FriendlyName,
    EncryptionKeySid,
    AwsCredentialsSid,
    AwsS3Url,
    PublicKey,
    AccessKeyId,
    SecretAccessKey,
    ProjectName,
    AccountSid,
    ApiKeySid,
    Secret,
    StaffName,
    StaffRole,
    StaffProjects,
    Password,
    TemplateName,
    TemplateKind,
    TemplateEncryption,
    TemplateKeyName,
    TemplateStorage,
    TemplatePattern,
    TemplateAwsName,
}

impl Field {
    const ALL: [Field; 6] = [
        Self::FriendlyName,
        Self::EncryptionKeySid,
        Self::AwsCredentialsSid,
        Self::AwsS3Url,
        Self::PublicKey,
        Self::AccessKeyId,
    ];

    /// The parameter's name on Twilio's wire, as its messages quote it.
    pub fn param(self) -> &'static str {
        match self {
            Self::FriendlyName => "FriendlyName",
            Self::EncryptionKeySid => "EncryptionKeySid",
            Self::AwsCredentialsSid => "AwsCredentialsSid",
            Self::AwsS3Url => "AwsS3Url",
            Self::PublicKey => "PublicKey",
            Self::AccessKeyId | Self::SecretAccessKey => "Credentials",
            // The console's own fields, not Twilio parameters.
            Self::ProjectName => "ProjectName",
            Self::AccountSid => "AccountSid",
            Self::ApiKeySid => "ApiKeySid",
            Self::Secret => "Secret",
            Self::StaffName => "StaffName",
            Self::StaffRole => "StaffRole",
            Self::StaffProjects => "StaffProjects",
            Self::Password => "Password",
            Self::TemplateName => "TemplateName",
            Self::TemplateKind => "TemplateKind",
            Self::TemplateEncryption => "TemplateEncryption",
            Self::TemplateKeyName => "TemplateKeyName",
            Self::TemplateStorage => "TemplateStorage",
            Self::TemplatePattern => "TemplatePattern",
            Self::TemplateAwsName => "TemplateAwsName",
        }
    }

    /// The label shown beside the input.
    pub fn label(self) -> &'static str {
        match self {
            Self::FriendlyName => "Friendly name",
            Self::EncryptionKeySid => "Encryption key",
            Self::AwsCredentialsSid => "AWS credential",
            Self::AwsS3Url => "S3 URL",
            Self::PublicKey => "Public key",
            Self::AccessKeyId => "Access key ID",
            Self::SecretAccessKey => "Secret access key",
            Self::ProjectName => "Project name",
            Self::AccountSid => "Account SID",
            Self::ApiKeySid => "API key SID",
            Self::Secret => "Secret",
            Self::StaffName => "Name",
            Self::StaffRole => "Role",
            Self::StaffProjects => "Projects",
            Self::Password => "Password",
            Self::TemplateName => "Template name",
            Self::TemplateKind => "Settings kind",
            Self::TemplateEncryption => "Encryption",
            Self::TemplateKeyName => "Public key name",
            Self::TemplateStorage => "Storage",
            Self::TemplatePattern => "S3 URL pattern",
            Self::TemplateAwsName => "AWS credential name",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

/// All problems found in one form, in field order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, field: Field, message: impl Into<String>) {
        self.0.push(FieldError {
            field,
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    pub fn message_for(&self, field: Field) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{} {}", e.field.label(), e.message)?;
        }
        Ok(())
    }
}

/// Whether a Twilio `more_info` value may be shown as a link: an https URL
/// on twilio.com. Twilio's answers are untrusted input (a proxy, or a fake
/// base URL, could put anything there).
pub fn is_twilio_link(href: &str) -> bool {
    let Some(rest) = href.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.to_ascii_lowercase();
    !host.contains(['@', ':', '\\'])
        && (host == "twilio.com" || host.ends_with(".twilio.com"))
        && !href.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The one error type every server function returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please correct the form: {0}")]
    Invalid(FieldErrors),
    /// Twilio answered with an error; its own code, message and link.
    #[error("Twilio error {}: {message}", code.map(|c| c.to_string()).unwrap_or_else(|| status.to_string()))]
    Twilio {
        status: u16,
        code: Option<u32>,
        message: String,
        more_info: Option<String>,
    },
    /// The settings changed at Twilio since the user loaded them; nothing
    /// was written. Carries what Twilio holds now.
    #[error(
        "These settings were changed by someone else since you opened them; nothing was saved."
    )]
    Conflict { current: Box<MediaSettings> },
    /// The change switches on something that can lose media; it is saved
    /// only once the user has confirmed these consequences.
    #[error("Please confirm: {}", .0.join(" "))]
    NeedsConfirmation(Vec<String>),
    /// Twilio could not be reached or did not answer in time.
    #[error("Twilio could not be reached: {message}")]
    Unavailable { message: String },
    /// The console's own database did not answer.
    #[error("The console's database is unavailable; nothing was changed.")]
    DatabaseUnavailable,
    /// A request not carried out for a reason of the moment; the message
    /// says why, in full.
    #[error("{0}")]
    NotDone(String),
    /// A change Twilio may or may not have made (its answer was lost and a
    /// check could not tell, or the deadline stopped the wait).
    #[error("{0}")]
    OutcomeUnknown(String),
    /// A fault on our side; the id finds the details in the server log.
    #[error("Something went wrong on our side (reference {id}).")]
    Internal { id: String },
    /// The request between browser and console failed.
    #[error("The request could not be completed: {0}")]
    Request(String),
    /// What the request names (a project) does not exist, or is not the
    /// caller's to see.
    #[error("{0}")]
    NotFound(String),
    /// No one is signed in (or the session ended).
    #[error("Please sign in; your session may have ended.")]
    NotSignedIn,
    /// Signed in, but the role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// A sign-in that did not work.
    #[error("{0}")]
    SignIn(String),
    /// Too many sign-in attempts: seconds to wait.
    #[error("Too many sign-in attempts; try again in {0} seconds.")]
    TooManyAttempts(u64),
}

impl AppError {
    /// The form field a Twilio error is about, when its message names one.
    pub fn field(&self) -> Option<Field> {
        match self {
            Self::Twilio { message, .. } => {
                Field::ALL.into_iter().find(|f| message.contains(f.param()))
            }
            _ => None,
        }
    }

    /// What to show beside `field`: the server's own check of it, or a
    /// Twilio refusal that names it. Completes a sentence after the label.
    pub fn message_for(&self, field: Field) -> Option<String> {
        match self {
            Self::Invalid(errors) => errors.message_for(field).map(str::to_owned),
            Self::Twilio { message, .. } if self.field() == Some(field) => {
                Some(format!("was refused by Twilio: {message}"))
            }
            _ => None,
        }
    }

    /// No project has this id (or it was removed meanwhile).
    pub fn no_project(id: &str) -> Self {
        Self::NotFound(format!(
            "There is no project {}; it may have been removed.",
            clipped(id, 40)
        ))
    }

    /// Twilio (with every retry) took longer than `seconds`.
    pub fn did_not_answer(seconds: u64) -> Self {
        Self::Unavailable {
            message: format!("Twilio did not answer within {seconds} seconds; nothing is known to have changed, try again"),
        }
    }

    /// The console's own database did not answer.
    pub fn database_unavailable() -> Self {
        Self::DatabaseUnavailable
    }

    /// The deadline of a change ran out: a write may be on its way.
    pub fn deadline_during_change(seconds: u64) -> Self {
        Self::OutcomeUnknown(format!("Twilio did not answer within {seconds} seconds. If the change was already sent, Twilio may have made it: the console goes on checking and records what it finds in the audit trail. Reload to see what Twilio holds before trying again."))
    }

    /// The HTTP status the console answers with. A user's mistake is a 4xx;
    /// Twilio refusing a request is 422, Twilio failing is 502.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Invalid(_) | Self::Request(_) => 400,
            Self::Conflict { .. } => 409,
            Self::NeedsConfirmation(_) => 428,
            Self::Twilio { status, .. } if *status < 500 => 422,
            Self::Twilio { .. } => 502,
            Self::Unavailable { .. }
            | Self::DatabaseUnavailable
            | Self::NotDone(_)
            | Self::OutcomeUnknown(_) => 503,
            Self::Internal { .. } => 500,
            Self::NotFound(_) => 404,
            Self::NotSignedIn | Self::SignIn(_) => 401,
            Self::Forbidden(_) => 403,
            Self::TooManyAttempts(_) => 429,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Request(value.to_string())
    }
}

/// At most `max` characters of `text`: what a failed form shows again. A
/// no-JavaScript failure carries the input in its redirect URL, which must
/// stay short enough for every proxy on the way.
pub fn clipped(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// A failed form, carrying what the user typed so the form can show it
/// again (also after a no-JavaScript form post, where the page is rebuilt).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{error}")]
pub struct Failure<T> {
    pub error: AppError,
    pub input: Option<T>,
}

/// A failed settings save.
pub type SaveFailure = Failure<SettingsInput>;

impl<T> FromServerFnError for Failure<T>
where
    T: fmt::Debug + Serialize + serde::de::DeserializeOwned + 'static,
{
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self {
            error: AppError::from_server_fn_error(value),
            input: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_twilio_links_are_links() {
        assert!(is_twilio_link("https://www.twilio.com/docs/errors/20003"));
        assert!(is_twilio_link("https://twilio.com/docs"));
        for bad in [
            "http://www.twilio.com/docs/errors/20003",
            "javascript:alert(1)",
            "https://twilio.com.evil.test/x",
            "https://eviltwilio.com/x",
            "https://user@evil.test/.twilio.com",
            "https://evil.test\\@www.twilio.com/",
            "//www.twilio.com/docs",
        ] {
            assert!(!is_twilio_link(bad), "{bad}");
        }
    }

    #[test]
    fn twilio_error_names_its_code() {
        let e = AppError::Twilio {
            status: 400,
            code: Some(20001),
            message: "Missing required parameter FriendlyName in the post body".into(),
            more_info: None,
        };
        assert_eq!(
            e.to_string(),
            "Twilio error 20001: Missing required parameter FriendlyName in the post body"
        );
    }

    #[test]
    fn a_twilio_message_naming_a_parameter_points_at_its_field() {
        let twilio = |message: &str| AppError::Twilio {
            status: 400,
            code: Some(20001),
            message: message.into(),
            more_info: None,
        };
        assert_eq!(
            twilio("Invalid EncryptionKeySid: CR00 is not a Public Key credential").field(),
            Some(Field::EncryptionKeySid)
        );
        assert_eq!(
            twilio("Missing required parameter AwsS3Url in the post body").field(),
            Some(Field::AwsS3Url)
        );
        assert_eq!(twilio("Too Many Requests").field(), None);
        assert_eq!(
            twilio("Missing required parameter AwsS3Url in the post body")
                .message_for(Field::AwsS3Url)
                .as_deref(),
            Some("was refused by Twilio: Missing required parameter AwsS3Url in the post body")
        );
        assert_eq!(
            twilio("Too Many Requests").message_for(Field::AwsS3Url),
            None
        );
    }

    #[test]
    fn field_errors_read_as_sentences() {
        let mut errors = FieldErrors::default();
        errors.push(Field::FriendlyName, "is required");
        errors.push(Field::AwsS3Url, "must start with https://");
        assert_eq!(
            errors.to_string(),
            "Friendly name is required; S3 URL must start with https://"
        );
    }

    #[test]
    fn save_failure_survives_the_wire_encoding() {
        let failure = SaveFailure {
            error: AppError::Unavailable {
                message: "timed out".into(),
            },
            input: Some(SettingsInput {
                friendly_name: "typed".into(),
                ..Default::default()
            }),
        };
        assert_eq!(SaveFailure::de(failure.ser()), failure);
    }
}
