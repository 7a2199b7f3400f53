//! A project: one Twilio account the console manages, with the login it
//! uses. The secret travels only from the form to the server, never back.

use super::error::{clipped, Field, FieldErrors};
use super::sid::{AccountSid, ApiKeySid};
use serde::{Deserialize, Serialize};
use std::fmt;

pub const MAX_PROJECT_NAME: usize = 64;
/// Twilio's auth tokens and API key secrets are 32 characters; room to spare.
pub const MAX_SECRET: usize = 128;

super::path_id::path_id!(
    /// The console's own id for a project, as it appears in page paths.
    ProjectId,
    "a project id"
);

/// How the console logs in to a project's account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginKind {
    /// An API key SID and secret: recommended, as it can be revoked alone.
    #[default]
    ApiKey,
    /// The account's auth token, which opens everything in the account.
    AuthToken,
}

impl LoginKind {
    pub fn slug(self) -> &'static str {
        match self {
            Self::ApiKey => "api_key",
            Self::AuthToken => "auth_token",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        [Self::ApiKey, Self::AuthToken]
            .into_iter()
            .find(|k| k.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::ApiKey => "API key",
            Self::AuthToken => "Auth token",
        }
    }
}

/// The add/edit form as typed. On edit, an empty secret keeps the stored one.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectInput {
    pub name: String,
    pub account_sid: String,
    pub login: LoginKind,
    #[serde(default)]
    pub api_key_sid: String,
    #[serde(default)]
    pub secret: String,
}

/// A checked form. `secret` is `None` when an edit keeps the stored one.
#[derive(Clone, PartialEq, Eq)]
pub struct ProjectUpdate {
    pub name: String,
    pub account_sid: AccountSid,
    pub login: Login,
    pub secret: Option<String>,
}

/// Which login, with its key SID when it is an API key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Login {
    ApiKey(ApiKeySid),
    AuthToken,
}

impl Login {
    pub fn kind(&self) -> LoginKind {
        match self {
            Self::ApiKey(_) => LoginKind::ApiKey,
            Self::AuthToken => LoginKind::AuthToken,
        }
    }

    pub fn api_key_sid(&self) -> Option<&ApiKeySid> {
        match self {
            Self::ApiKey(sid) => Some(sid),
            Self::AuthToken => None,
        }
    }
}

// Never print the secret, whatever derives `Debug` around it.
impl fmt::Debug for ProjectInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProjectInput")
            .field("name", &self.name)
            .field("account_sid", &self.account_sid)
            .field("login", &self.login)
            .field("api_key_sid", &self.api_key_sid)
            .field("secret", &(!self.secret.is_empty()).then_some("[redacted]"))
            .finish()
    }
}

impl fmt::Debug for ProjectUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProjectUpdate")
            .field("name", &self.name)
            .field("account_sid", &self.account_sid)
            .field("login", &self.login)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl ProjectInput {
    /// Checks every field; `secret_required` is false when editing.
    pub fn validate(&self, secret_required: bool) -> Result<ProjectUpdate, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = self.name.trim();
        if name.is_empty() {
            errors.push(
                Field::ProjectName,
                "is required: a name your team will recognise",
            );
        } else if name.chars().count() > MAX_PROJECT_NAME {
            errors.push(
                Field::ProjectName,
                format!("is too long: at most {MAX_PROJECT_NAME} characters"),
            );
        } else if name.chars().any(is_hidden_control) {
            errors.push(
                Field::ProjectName,
                "may not contain control or text-direction characters",
            );
        }
        let account_sid = lower_hex(self.account_sid.trim())
            .parse::<AccountSid>()
            .map_err(|e| errors.push(Field::AccountSid, e.to_string()))
            .ok();
        let login = match self.login {
            LoginKind::AuthToken => Some(Login::AuthToken),
            LoginKind::ApiKey => lower_hex(self.api_key_sid.trim())
                .parse::<ApiKeySid>()
                .map(Login::ApiKey)
                .map_err(|e| errors.push(Field::ApiKeySid, e.to_string()))
                .ok(),
        };
        let secret = check_secret(&self.secret, self.login, secret_required)
            .map_err(|message| errors.push(Field::Secret, message))
            .ok()
            .flatten();
        match (account_sid, login) {
            (Some(account_sid), Some(login)) if errors.is_empty() => Ok(ProjectUpdate {
                name: name.to_owned(),
                account_sid,
                login,
                secret,
            }),
            _ => Err(errors),
        }
    }

    /// What a failed form shows again: never the secret, the rest clipped.
    pub fn for_echo(&self) -> Self {
        Self {
            name: clipped(&self.name, MAX_PROJECT_NAME + 16),
            account_sid: clipped(&self.account_sid, 40),
            login: self.login,
            api_key_sid: clipped(&self.api_key_sid, 40),
            secret: String::new(),
        }
    }
}

/// A SID with its hex digits in lower case, as Twilio writes them, so one
/// account is one project whatever the case it was typed in.
fn lower_hex(raw: &str) -> String {
    let mut chars = raw.chars();
    let prefix: String = chars.by_ref().take(2).collect();
    prefix + &chars.as_str().to_ascii_lowercase()
}

/// Control characters and the bidirectional overrides that can make a
/// name in the list read as something else.
fn is_hidden_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn check_secret(raw: &str, login: LoginKind, required: bool) -> Result<Option<String>, String> {
    let what = match login {
        LoginKind::ApiKey => "the API key's secret",
        LoginKind::AuthToken => "the auth token",
    };
    if raw.is_empty() {
        return if required {
            Err(format!("is required: paste {what} from the Twilio Console"))
        } else {
            Ok(None)
        };
    }
    if raw.trim() != raw {
        return Err(format!(
            "has spaces or line breaks around it; paste {what} alone, nothing was saved"
        ));
    }
    if raw.len() > MAX_SECRET {
        return Err(format!(
            "is too long: Twilio's secrets are 32 characters (at most {MAX_SECRET} accepted)"
        ));
    }
    if raw.chars().any(|c| !c.is_ascii_graphic()) {
        return Err(format!(
            "may only contain letters, digits and punctuation: check that it is {what}"
        ));
    }
    Ok(Some(raw.to_owned()))
}

/// The outcome of the last "Test connection".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginCheck {
    /// Unix seconds.
    pub at: i64,
    pub worked: bool,
    /// What failed, in Twilio's words when Twilio answered.
    pub message: Option<String>,
}

impl LoginCheck {
    /// When it was made, as [`utc_time`] words it.
    pub fn when(&self) -> String {
        utc_time(self.at)
    }
}

/// Unix seconds as "2026-11-29 12:34 UTC": the same on the server and in
/// the browser.
pub fn utc_time(at: i64) -> String {
    let (days, secs) = (at.div_euclid(86_400), at.rem_euclid(86_400));
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year}-{month:02}-{day:02} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
}

/// What a page shows of a project: no secret, only that one is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSummary {
    pub id: ProjectId,
    pub name: String,
    pub account_sid: AccountSid,
    pub login: LoginKind,
    pub api_key_sid: Option<ApiKeySid>,
    pub check: Option<LoginCheck>,
}

impl ProjectSummary {
    /// The edit form, filled with everything but the secret.
    pub fn to_input(&self) -> ProjectInput {
        ProjectInput {
            name: self.name.clone(),
            account_sid: self.account_sid.to_string(),
            login: self.login,
            api_key_sid: self
                .api_key_sid
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            secret: String::new(),
        }
    }

    /// Whether `search` (any case) is part of the name or the account SID.
    pub fn matches(&self, search: &str) -> bool {
        let search = search.trim().to_lowercase();
        search.is_empty()
            || self.name.to_lowercase().contains(&search)
            || self.account_sid.as_str().to_lowercase().contains(&search)
    }
}

/// A project as one caller may use it: what its pages show above them.
/// Only these fields, not the whole summary: the browser decodes this on
/// every project page, with code from the bundle every first visit loads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectAccess {
    pub id: ProjectId,
    pub name: String,
    pub account_sid: AccountSid,
    /// False for a viewer: the pages show the settings read-only.
    pub can_change: bool,
    /// Whether they may edit or remove the project (admins).
    pub can_administer: bool,
}

/// Projects shown on one page of the list.
pub const PROJECTS_PER_PAGE: usize = 50;

/// One page of the projects list, after a search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectPage {
    pub projects: Vec<ProjectSummary>,
    /// All projects the caller may see.
    pub total: usize,
    /// Those the search matches.
    pub matching: usize,
    /// 1-based, within `1..=pages`.
    pub page: usize,
    pub pages: usize,
    /// Whether the caller may add, test and edit projects (admins): others
    /// are not offered those controls.
    pub administers: bool,
}

impl ProjectPage {
    /// Page `page` (clamped) of the projects `search` matches.
    pub fn of(all: Vec<ProjectSummary>, search: &str, page: usize) -> Self {
        let total = all.len();
        let found: Vec<_> = all.into_iter().filter(|p| p.matches(search)).collect();
        let matching = found.len();
        let pages = matching.div_ceil(PROJECTS_PER_PAGE).max(1);
        let page = page.clamp(1, pages);
        let projects = found
            .into_iter()
            .skip((page - 1) * PROJECTS_PER_PAGE)
            .take(PROJECTS_PER_PAGE)
            .collect();
        Self {
            projects,
            total,
            matching,
            page,
            pages,
            administers: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AC: &str = "AC0123456789abcdef0123456789abcdef";
    const SK: &str = "SK0123456789abcdef0123456789abcdef";

    fn input() -> ProjectInput {
        ProjectInput {
            name: " Acme ".into(),
            account_sid: AC.into(),
            login: LoginKind::ApiKey,
            api_key_sid: SK.into(),
            secret: "s3cr3tS3CR3Ts3cr3tS3CR3Ts3cr3tAB".into(),
        }
    }

    #[test]
    fn a_good_form_is_accepted_and_trimmed() {
        let update = input().validate(true).unwrap();
        assert_eq!(update.name, "Acme");
        assert_eq!(update.login, Login::ApiKey(SK.parse().unwrap()));
        assert!(update.secret.is_some());
        assert!(!format!("{update:?}").contains("s3cr3t"));
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = ProjectInput {
            name: "x".repeat(65),
            account_sid: "AC12".into(),
            api_key_sid: "AC0123456789abcdef0123456789abcdef".into(),
            secret: " padded ".into(),
            ..input()
        };
        let errors = bad.validate(true).unwrap_err();
        assert!(errors
            .message_for(Field::ProjectName)
            .unwrap()
            .contains("at most 64"));
        assert!(errors
            .message_for(Field::AccountSid)
            .unwrap()
            .contains("34"));
        assert!(errors
            .message_for(Field::ApiKeySid)
            .unwrap()
            .contains("must start with SK"));
        assert!(errors
            .message_for(Field::Secret)
            .unwrap()
            .contains("spaces or line breaks"));
    }

    #[test]
    fn sids_are_kept_in_lower_case_and_names_without_hidden_characters() {
        let upper = ProjectInput {
            account_sid: AC.to_uppercase(),
            api_key_sid: SK.to_uppercase(),
            ..input()
        };
        let update = upper.validate(true).unwrap();
        assert_eq!(update.account_sid.as_str(), AC);
        assert_eq!(update.login, Login::ApiKey(SK.parse().unwrap()));
        let sneaky = ProjectInput {
            name: "Acme\u{202e}oediV".into(),
            ..input()
        };
        assert!(sneaky
            .validate(true)
            .unwrap_err()
            .message_for(Field::ProjectName)
            .unwrap()
            .contains("text-direction"));
        assert!(!format!("{:?}", input()).contains("s3cr3t"));
    }

    #[test]
    fn the_secret_is_required_to_add_but_not_to_edit() {
        let empty = ProjectInput {
            secret: String::new(),
            ..input()
        };
        let errors = empty.validate(true).unwrap_err();
        assert!(errors
            .message_for(Field::Secret)
            .unwrap()
            .contains("is required"));
        assert_eq!(empty.validate(false).unwrap().secret, None);
        let huge = ProjectInput {
            secret: "a".repeat(129),
            ..input()
        };
        assert!(huge.validate(true).is_err());
    }

    #[test]
    fn the_auth_token_needs_no_key_sid_and_echo_drops_the_secret() {
        let token = ProjectInput {
            login: LoginKind::AuthToken,
            api_key_sid: String::new(),
            ..input()
        };
        assert_eq!(token.validate(true).unwrap().login, Login::AuthToken);
        assert_eq!(token.for_echo().secret, "");
    }

    #[test]
    fn check_times_read_as_utc_dates() {
        let at = |at| LoginCheck {
            at,
            worked: true,
            message: None,
        };
        assert_eq!(at(0).when(), "1970-01-01 00:00 UTC");
        assert_eq!(at(1_795_955_640).when(), "2026-11-29 12:34 UTC");
        assert_eq!(at(951_782_400).when(), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn the_list_is_searched_then_paged() {
        let project = |i: usize| ProjectSummary {
            id: format!("p{i}").parse().unwrap(),
            name: format!("Customer {i:03}"),
            account_sid: format!("AC{i:032x}").parse().unwrap(),
            login: LoginKind::AuthToken,
            api_key_sid: None,
            check: None,
        };
        let all: Vec<_> = (0..120).map(project).collect();
        let first = ProjectPage::of(all.clone(), "", 1);
        assert_eq!((first.total, first.matching, first.pages), (120, 120, 3));
        assert_eq!(first.projects.len(), PROJECTS_PER_PAGE);
        let last = ProjectPage::of(all.clone(), "", 99);
        assert_eq!((last.page, last.projects.len()), (3, 20));
        let found = ProjectPage::of(all, "customer 11", 1);
        assert_eq!(found.matching, 10);
        assert_eq!((found.page, found.pages), (1, 1));
    }

    #[test]
    fn project_ids_are_path_safe() {
        assert!("p-1a".parse::<ProjectId>().is_ok());
        for bad in ["", "A", "../x", "a b", &"a".repeat(33)] {
            assert!(bad.parse::<ProjectId>().is_err(), "{bad}");
        }
    }
}
