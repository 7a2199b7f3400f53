//! What the console does, apart from how it is asked: plain async functions
//! of a project's Twilio client (or of the projects store), called by server
//! functions today and by background jobs (fleet refresh, bulk apply) next.

pub mod alert_rules;
pub mod alerts;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod credentials;
pub mod drift;
pub mod file_import;
pub mod file_rows;
pub mod fleet;
pub mod import;
pub mod master_key;
pub mod parent_login;
pub mod parents;
pub mod project_file;
pub mod projects;
pub mod refresh;
pub mod settings;
pub mod sign_in_guard;
pub mod snapshots;
pub mod staff;
pub mod templates;
pub mod trail;
pub mod unclear;

pub use auth::{Action, Auth, Caller};
pub use projects::Projects;
