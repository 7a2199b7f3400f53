//! Pure types and rules shared by the browser and the server. No I/O here.

pub mod changes;
pub mod error;
pub mod s3_url;
pub mod settings;
pub mod sid;

pub use changes::Difference;
pub use error::{AppError, Field, FieldError, FieldErrors, SaveFailure};
pub use settings::{MediaSettings, SettingsInput, SettingsKind, SettingsUpdate};
pub use sid::{AccountSid, ApiKeySid, CredentialSid, SidError};
