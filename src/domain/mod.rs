//! Pure types and rules shared by the browser and the server. No I/O here.

pub mod audit;
pub mod bulk;
pub mod changes;
pub mod credentials;
pub mod error;
pub mod fleet;
pub mod history;
pub mod path_id;
pub mod project;
pub mod project_file;
pub mod public_key;
pub mod s3_url;
pub mod settings;
pub mod sid;
pub mod staff;
pub mod subaccount;
pub mod template;
pub mod template_form;
pub mod template_view;

pub use changes::Difference;
pub use credentials::{
    AwsCredentialInput, Credential, CredentialKind, CredentialTarget, PublicKeyInput,
    MAX_FRIENDLY_NAME,
};
pub use error::{AppError, Failure, Field, FieldError, FieldErrors, SaveFailure};
pub use project::{
    Login, LoginCheck, LoginKind, ProjectAccess, ProjectId, ProjectInput, ProjectPage,
    ProjectSummary, ProjectUpdate,
};
pub use settings::{MediaSettings, PastedSids, SettingsInput, SettingsKind, SettingsUpdate};
pub use sid::{AccountSid, ApiKeySid, CredentialSid, SidError};
pub use staff::{Role, SignInInput, StaffId, StaffInput, StaffSummary, StaffView};
pub use subaccount::AccountStatus;
