//! Staff who sign in to the console, and what their role lets them do.

use serde::{Deserialize, Serialize};
use std::fmt;

pub const MAX_STAFF_NAME: usize = 64;
/// Long enough for a passphrase, short enough to bound the hashing work.
pub const MAX_PASSWORD: usize = 256;
pub const MIN_PASSWORD: usize = 12;

super::path_id::path_id!(
    /// The console's id for a staff member.
    StaffId,
    "a staff id"
);

/// What a staff member may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Staff accounts, projects, every project's settings and credentials.
    Admin,
    /// Settings and credentials of the projects assigned to them.
    Editor,
    /// Reads the projects assigned to them; changes nothing.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Editor, Role::Viewer];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Viewer => "viewer",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Admin => "Admin",
            Self::Editor => "Editor",
            Self::Viewer => "Viewer",
        }
    }
}

/// Who is signed in, as pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSummary {
    pub name: String,
    pub role: Role,
}

/// A staff member as the staff page shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffView {
    pub name: String,
    pub role: Role,
    /// Project ids (editors and viewers).
    pub projects: Vec<String>,
}

/// The "add or change staff" form: a name that exists changes that staff
/// member; a new password is required for a new one, optional otherwise.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffInput {
    pub name: String,
    pub role: String,
    /// Project ids, separated by commas or spaces.
    #[serde(default)]
    pub projects: String,
    #[serde(default)]
    pub password: String,
}

impl fmt::Debug for StaffInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaffInput")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("projects", &self.projects)
            .field("password", &"[redacted]")
            .finish()
    }
}

impl StaffInput {
    /// What a failed form shows again: never the password.
    pub fn for_echo(&self) -> Self {
        Self {
            name: super::error::clipped(&self.name, MAX_STAFF_NAME),
            role: super::error::clipped(&self.role, 16),
            projects: super::error::clipped(&self.projects, 400),
            password: String::new(),
        }
    }
}

/// The sign-in form. Debug never shows the password.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInInput {
    pub name: String,
    #[serde(default)]
    pub password: String,
}

impl fmt::Debug for SignInInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInInput")
            .field("name", &self.name)
            .field("password", &"[redacted]")
            .finish()
    }
}

impl SignInInput {
    /// What a failed form shows again: the name (clipped), never the password.
    pub fn for_echo(&self) -> Self {
        Self {
            name: super::error::clipped(&self.name, MAX_STAFF_NAME),
            password: String::new(),
        }
    }
}

/// A staff name: 1 to 64 visible characters, no spaces around.
pub fn check_staff_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("is required".into());
    }
    if name.chars().count() > MAX_STAFF_NAME {
        return Err(format!("is too long: at most {MAX_STAFF_NAME} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("may not contain control characters".into());
    }
    if name.starts_with('(') {
        return Err(
            "may not start with \u{201c}(\u{201d}: names in parentheses are kept for the console's own audit entries, such as (command line)"
                .into(),
        );
    }
    Ok(name.to_owned())
}

/// A new password: 12 to 256 characters.
pub fn check_new_password(raw: &str) -> Result<(), String> {
    let length = raw.chars().count();
    if length < MIN_PASSWORD {
        return Err(format!("is too short: at least {MIN_PASSWORD} characters"));
    }
    if length > MAX_PASSWORD {
        return Err(format!("is too long: at most {MAX_PASSWORD} characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_names_are_checked() {
        for role in Role::ALL {
            assert_eq!(Role::from_slug(role.slug()), Some(role));
        }
        assert_eq!(Role::from_slug("root"), None);
        assert_eq!(check_staff_name("  ana ").unwrap(), "ana");
        assert!(check_staff_name("").is_err());
        assert!(check_staff_name(&"a".repeat(65)).is_err());
        // The console's own audit names cannot be given to staff.
        for reserved in ["(command line)", "(scheduler)", " (unknown name)"] {
            assert!(check_staff_name(reserved).is_err(), "{reserved}");
        }
        assert_eq!(check_staff_name("ana (ops)").unwrap(), "ana (ops)");
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long enough passphrase").is_ok());
        let input = SignInInput {
            name: "ana".into(),
            password: "hunter2hunter2".into(),
        };
        assert!(!format!("{input:?}").contains("hunter2"));
        assert_eq!(input.for_echo().password, "");
    }
}
