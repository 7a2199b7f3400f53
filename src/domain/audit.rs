//! The audit trail as pages show it: entries, the filters, one page.

use serde::{Deserialize, Serialize};

/// A change that was made, and whether the audit trail holds its outcome.
/// When it does not, the console's log holds the entry and the person who
/// made the change is told.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Done<T> {
    pub value: T,
    pub recorded: bool,
}

impl<T> Done<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Done<U> {
        Done {
            value: f(self.value),
            recorded: self.recorded,
        }
    }
}

/// What the person is told after a change the trail could not record.
pub const NOT_RECORDED: &str = "The change was made, but the audit trail could not record it; the console's log holds the entry. Tell an administrator.";

/// The query parameter a no-JavaScript redirect says that with.
pub const NOT_RECORDED_PARAM: &str = "unrecorded";

/// What was done. The slug is stored and used in filters and exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditAction {
    SignedIn,
    SignInFailed,
    SignedOut,
    SettingsSaved,
    CredentialCreated,
    CredentialRenamed,
    CredentialDeleted,
    ProjectAdded,
    ProjectEdited,
    ProjectRemoved,
    ProjectsImported,
    ParentKept,
    ParentForgotten,
    StaffAdded,
    StaffChanged,
    StaffRemoved,
    TemplateCreated,
    TemplateChanged,
    TemplateDeleted,
    TemplateAssigned,
    AlertSent,
    AlertFailed,
}

impl AuditAction {
    pub const ALL: [AuditAction; 22] = [
        Self::SignedIn,
        Self::SignInFailed,
        Self::SignedOut,
        Self::SettingsSaved,
        Self::CredentialCreated,
        Self::CredentialRenamed,
        Self::CredentialDeleted,
        Self::ProjectAdded,
        Self::ProjectEdited,
        Self::ProjectRemoved,
        Self::ProjectsImported,
        Self::ParentKept,
        Self::ParentForgotten,
        Self::StaffAdded,
        Self::StaffChanged,
        Self::StaffRemoved,
        Self::TemplateCreated,
        Self::TemplateChanged,
        Self::TemplateDeleted,
        Self::TemplateAssigned,
        Self::AlertSent,
        Self::AlertFailed,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::SignedIn => "signed-in",
            Self::SignInFailed => "sign-in-failed",
            Self::SignedOut => "signed-out",
            Self::SettingsSaved => "settings-saved",
            Self::CredentialCreated => "credential-created",
            Self::CredentialRenamed => "credential-renamed",
            Self::CredentialDeleted => "credential-deleted",
            Self::ProjectAdded => "project-added",
            Self::ProjectEdited => "project-edited",
            Self::ProjectRemoved => "project-removed",
            Self::ProjectsImported => "projects-imported",
            Self::ParentKept => "parent-login-kept",
            Self::ParentForgotten => "parent-login-forgotten",
            Self::StaffAdded => "staff-added",
            Self::StaffChanged => "staff-changed",
            Self::StaffRemoved => "staff-removed",
            Self::TemplateCreated => "template-created",
            Self::TemplateChanged => "template-changed",
            Self::TemplateDeleted => "template-deleted",
            Self::TemplateAssigned => "template-assigned",
            Self::AlertSent => "alert-sent",
            Self::AlertFailed => "alert-failed",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::SignedIn => "Signed in",
            Self::SignInFailed => "Sign-in failed",
            Self::SignedOut => "Signed out",
            Self::SettingsSaved => "Settings saved",
            Self::CredentialCreated => "Credential created",
            Self::CredentialRenamed => "Credential renamed",
            Self::CredentialDeleted => "Credential deleted",
            Self::ProjectAdded => "Project added",
            Self::ProjectEdited => "Project edited",
            Self::ProjectRemoved => "Project removed",
            Self::ProjectsImported => "Projects imported",
            Self::ParentKept => "Parent login kept",
            Self::ParentForgotten => "Parent login forgotten",
            Self::StaffAdded => "Staff added",
            Self::StaffChanged => "Staff changed",
            Self::StaffRemoved => "Staff removed",
            Self::TemplateCreated => "Template created",
            Self::TemplateChanged => "Template changed",
            Self::TemplateDeleted => "Template deleted",
            Self::TemplateAssigned => "Template assigned",
            Self::AlertSent => "Alert sent",
            Self::AlertFailed => "Alert failed",
        }
    }
}

/// One entry. `before` and `after` are JSON or plain words, never a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Unix seconds.
    pub at: i64,
    pub staff: String,
    pub project: Option<String>,
    pub action: String,
    pub summary: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// For a change at Twilio, recorded in two steps: how it ended. `None`
    /// for one-step entries (done).
    #[serde(default)]
    pub outcome: Option<AuditOutcome>,
}

/// How a change at Twilio ended, as its audit entries say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditOutcome {
    /// Written before the call, with nothing after it: the console stopped
    /// (or is still waiting) before Twilio's answer was recorded.
    Attempted,
    Done,
    Failed,
    /// Twilio's answer was unclear and the check after it could not tell.
    Unknown,
}

impl AuditOutcome {
    pub fn slug(self) -> &'static str {
        match self {
            Self::Attempted => "attempted",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        [Self::Attempted, Self::Done, Self::Failed, Self::Unknown]
            .into_iter()
            .find(|o| o.slug() == slug)
    }

    /// What the audit page says.
    pub fn label(self) -> &'static str {
        match self {
            Self::Attempted => "outcome unknown: no answer from Twilio was recorded",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Unknown => "outcome unknown: Twilio's answer was unclear",
        }
    }
}

/// The filters of the audit page, as its query string carries them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    #[serde(default)]
    pub project: Option<String>,
    #[serde(default)]
    pub staff: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    /// `YYYY-MM-DD`, from the start of that day (UTC).
    #[serde(default)]
    pub from: Option<String>,
    /// `YYYY-MM-DD`, to the end of that day (UTC).
    #[serde(default)]
    pub to: Option<String>,
}

/// Entries shown on one page of the audit trail.
pub const AUDIT_PER_PAGE: usize = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
}

/// Unix seconds at the start of a `YYYY-MM-DD` day (UTC), or why not.
pub fn day_start(date: &str) -> Result<i64, String> {
    let bad = || format!("{date} is not a date like 2026-11-29");
    let mut parts = date.trim().splitn(3, '-');
    let mut next = |len: usize| {
        parts
            .next()
            .filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<i64>().ok())
            .ok_or_else(bad)
    };
    let (year, month, day) = (next(4)?, next(2)?, next(2)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(bad());
    }
    // Howard Hinnant's days-from-civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Ok((era * 146_097 + doe - 719_468) * 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_to_their_first_second() {
        assert_eq!(day_start("1970-01-01"), Ok(0));
        assert_eq!(day_start("2026-11-29"), Ok(1_795_910_400));
        assert_eq!(day_start("2000-03-01"), Ok(951_868_800));
        for bad in ["", "2026-13-01", "26-11-29", "2026-11-x9", "yesterday"] {
            assert!(day_start(bad).is_err(), "{bad}");
        }
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::from_slug(action.slug()), Some(action));
        }
    }
}
