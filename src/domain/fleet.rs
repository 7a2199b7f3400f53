//! The fleet: every project's media settings as last read, with the
//! filters, sort and page a view is made of, and the progress of a refresh.

use serde::{Deserialize, Serialize};

/// Rows on one page of the fleet.
pub const FLEET_PER_PAGE: usize = 50;
/// Longest search accepted.
pub const MAX_SEARCH: usize = 100;
/// "Not read for more than a day".
pub const STALE_AFTER_SECONDS: i64 = 86_400;

/// One kind's settings as read, with the names of the credentials they
/// name (as the account listed them at the time; a page view reads the
/// settings alone, a refresh fills the names in).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsState {
    pub friendly_name: Option<String>,
    pub encryption_enabled: bool,
    pub encryption_key_sid: Option<String>,
    pub encryption_key_name: Option<String>,
    pub storage_enabled: bool,
    pub aws_credentials_sid: Option<String>,
    pub aws_credentials_name: Option<String>,
    pub aws_s3_url: Option<String>,
    /// Credential SIDs the settings name that the account no longer has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

impl SettingsState {
    /// What Twilio holds, without what the console looked up beside it: two
    /// reads are the same state when these are equal.
    pub fn essence(&self) -> Self {
        Self {
            encryption_key_name: None,
            aws_credentials_name: None,
            missing: Vec::new(),
            ..self.clone()
        }
    }

    /// This state with the names `earlier` looked up, where it names the
    /// same credentials and has not looked them up itself.
    pub fn with_names_from(mut self, earlier: &SettingsState) -> Self {
        if self.encryption_key_name.is_none()
            && self.encryption_key_sid == earlier.encryption_key_sid
        {
            self.encryption_key_name = earlier.encryption_key_name.clone();
        }
        if self.aws_credentials_name.is_none()
            && self.aws_credentials_sid == earlier.aws_credentials_sid
        {
            self.aws_credentials_name = earlier.aws_credentials_name.clone();
        }
        if self.missing.is_empty() && self.essence() == earlier.essence() {
            self.missing = earlier.missing.clone();
        }
        self
    }
}

/// A filter a view can switch on (several narrow it together).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flag {
    /// Either kind does not encrypt.
    Unencrypted,
    /// Either kind stores in Twilio's cloud.
    Cloud,
    /// Either kind's last read failed, or names a credential that is gone.
    Problem,
    /// Never read, or not for more than a day.
    Stale,
    /// Either kind's last change was made outside the console.
    Outside,
    /// Either kind differs from the template it follows.
    Drifted,
}

impl Flag {
    pub const ALL: [Flag; 6] = [
        Self::Unencrypted,
        Self::Cloud,
        Self::Problem,
        Self::Stale,
        Self::Outside,
        Self::Drifted,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Unencrypted => "unencrypted",
            Self::Cloud => "cloud",
            Self::Problem => "problem",
            Self::Stale => "stale",
            Self::Outside => "outside",
            Self::Drifted => "drifted",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Unencrypted => "Encryption off",
            Self::Cloud => "Storage in Twilio's cloud",
            Self::Problem => "Has a problem",
            Self::Stale => "Not read for more than a day",
            Self::Outside => "Changed outside the console",
            Self::Drifted => "Drifted from its template",
        }
    }
}

/// Which projects a view shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetFilter {
    /// Part of a name or account SID, any case.
    pub search: String,
    pub flags: Vec<Flag>,
}

/// A column the fleet can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    #[default]
    Name,
    Account,
    CompositionEncryption,
    CompositionStorage,
    RecordingEncryption,
    RecordingStorage,
    /// The older of the two reads.
    Read,
    /// The newer of the two changes.
    Changed,
    /// Projects with a problem first (ascending).
    Problem,
}

impl SortKey {
    pub const ALL: [SortKey; 9] = [
        Self::Name,
        Self::Account,
        Self::CompositionEncryption,
        Self::CompositionStorage,
        Self::RecordingEncryption,
        Self::RecordingStorage,
        Self::Read,
        Self::Changed,
        Self::Problem,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Account => "account",
            Self::CompositionEncryption => "composition-encryption",
            Self::CompositionStorage => "composition-storage",
            Self::RecordingEncryption => "recording-encryption",
            Self::RecordingStorage => "recording-storage",
            Self::Read => "read",
            Self::Changed => "changed",
            Self::Problem => "problem",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == slug)
    }
}

/// One view of the fleet: what the URL says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetQuery {
    pub filter: FleetFilter,
    pub sort: SortKey,
    pub descending: bool,
    pub page: usize,
}

impl Default for FleetQuery {
    fn default() -> Self {
        Self {
            filter: FleetFilter::default(),
            sort: SortKey::Name,
            descending: false,
            page: 1,
        }
    }
}

impl FleetQuery {
    /// Reads a view from query pairs; anything unknown is left out, and the
    /// search is cut to its longest.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut query = Self::default();
        for (key, value) in pairs {
            match key {
                "q" => query.filter.search = super::error::clipped(value.trim(), MAX_SEARCH),
                "only" => {
                    if let Some(flag) = Flag::from_slug(value) {
                        if !query.filter.flags.contains(&flag) {
                            query.filter.flags.push(flag);
                        }
                    }
                }
                "sort" => query.sort = SortKey::from_slug(value).unwrap_or_default(),
                "dir" => query.descending = value == "desc",
                "page" => query.page = value.parse().unwrap_or(1).clamp(1, 1_000_000),
                _ => {}
            }
        }
        query.filter.flags.sort_by_key(|f| f.slug());
        query
    }

    /// The filter's query string (no `?`), for links that keep it.
    pub fn filter_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if !self.filter.search.is_empty() {
            pairs.push(("q", self.filter.search.clone()));
        }
        for flag in &self.filter.flags {
            pairs.push(("only", flag.slug().to_owned()));
        }
        pairs
    }

    /// The whole view as a query string (no `?`): filter, sort and page.
    pub fn to_query(&self) -> String {
        let mut pairs = self.filter_pairs();
        if self.sort != SortKey::Name {
            pairs.push(("sort", self.sort.slug().to_owned()));
        }
        if self.descending {
            pairs.push(("dir", "desc".to_owned()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        encode_pairs(&pairs)
    }
}

/// `key=value&…`, each value percent-encoded.
pub fn encode_pairs(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| {
            let value: String = value
                .bytes()
                .map(|b| match b {
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    other => format!("%{other:02X}"),
                })
                .collect();
            format!("{key}={value}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// One kind of one project, as last read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCell {
    /// Never read: `None`.
    pub read_at: Option<i64>,
    /// The last state read successfully (kept when a later read failed).
    pub state: Option<SettingsState>,
    /// Why the last read failed.
    pub error: Option<String>,
    pub changed_at: Option<i64>,
    pub changed_by: Option<String>,
    /// The last change was made outside the console.
    pub outside: bool,
    /// Fields that differ from the template it follows: `None` when it
    /// follows none, -1 when it cannot be told yet.
    #[serde(default)]
    pub drift: Option<i64>,
}

/// Who made a cell's last change: "by ana", "outside the console", or
/// nothing for the first read.
pub fn changed_by_words(cell: &KindCell) -> Option<String> {
    match (&cell.changed_by, cell.outside) {
        (Some(name), _) => Some(format!("by {name}")),
        (None, true) => Some("outside the console".into()),
        (None, false) => None,
    }
}

/// One project's row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetRow {
    pub id: String,
    pub name: String,
    pub account_sid: String,
    pub composition: KindCell,
    pub recording: KindCell,
}

impl FleetRow {
    /// The drift column: "2 fields differ", "As the template says", "Not
    /// known yet"; `None` when it follows no template.
    pub fn drift_words(&self) -> Option<String> {
        let cells = [self.composition.drift, self.recording.drift];
        if cells.iter().all(Option::is_none) {
            return None;
        }
        if cells.contains(&Some(-1)) {
            return Some("Not known yet".into());
        }
        let n = cells.iter().flatten().sum::<i64>().max(0) as usize;
        Some(super::template_view::differ_words(n))
    }

    /// What is wrong with the project, in words, Composition first.
    pub fn problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        for (title, cell) in [
            ("Composition settings", &self.composition),
            ("Recording settings", &self.recording),
        ] {
            if let Some(error) = &cell.error {
                found.push(format!("{title}: {error}"));
            }
            if let Some(state) = &cell.state {
                for sid in &state.missing {
                    found.push(format!(
                        "{title} name {sid}, which the account no longer has"
                    ));
                }
            }
            if cell.outside {
                found.push(format!("{title} changed outside the console"));
            }
        }
        found
    }
}

/// How many of the matching projects are in each state, per kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCounts {
    pub encrypted: usize,
    pub unencrypted: usize,
    pub s3: usize,
    pub cloud: usize,
    /// Never read successfully.
    pub unknown: usize,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetCounts {
    pub projects: usize,
    pub composition: KindCounts,
    pub recording: KindCounts,
    pub problems: usize,
}

/// Where a refresh job stands, counted over the projects the reader sees.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobProgress {
    pub id: String,
    pub started_at: i64,
    pub started_by: String,
    pub finished_at: Option<i64>,
    pub queued: usize,
    pub running: usize,
    pub done: usize,
    pub failed: usize,
}

impl JobProgress {
    pub fn remaining(&self) -> usize {
        self.queued + self.running
    }

    pub fn total(&self) -> usize {
        self.remaining() + self.done + self.failed
    }

    pub fn summary(&self) -> String {
        format!(
            "{} of {} read, {} failed, {} remaining",
            self.done + self.failed,
            self.total(),
            self.failed,
            self.remaining()
        )
    }
}

/// One page of the fleet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetPage {
    pub rows: Vec<FleetRow>,
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    pub counts: FleetCounts,
    /// The refresh running now, if any.
    pub job: Option<JobProgress>,
    /// When the page was made (Unix seconds), for "read 3 minutes ago".
    pub now: i64,
    /// Whether the person may start bulk changes (editors and admins), and
    /// make projects follow templates (admins).
    #[serde(default)]
    pub can_change: bool,
    #[serde(default)]
    pub can_assign: bool,
    /// The templates a bulk change may apply: (id, name, kind).
    #[serde(default)]
    pub templates: Vec<(String, String, super::SettingsKind)>,
    /// Drift alerts not delivered (yet), in words.
    #[serde(default)]
    pub undelivered: Vec<String>,
    /// For admins: kept parents with subaccounts not yet projects, in words.
    #[serde(default)]
    pub new_subaccounts: Vec<String>,
}

/// What the live stream sends while a refresh runs: where it stands, and
/// the projects whose rows changed since the last message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetEvent {
    pub job: JobProgress,
    pub updated: Vec<String>,
}

/// "1 project", "12 projects".
pub fn projects(n: usize) -> String {
    format!("{n} project{}", if n == 1 { "" } else { "s" })
}

/// "3 minutes ago", "2 days ago", "just now".
pub fn ago(now: i64, at: i64) -> String {
    let seconds = (now - at).max(0);
    let (n, unit) = match seconds {
        0..=59 => return "just now".into(),
        60..=3_599 => (seconds / 60, "minute"),
        3_600..=86_399 => (seconds / 3_600, "hour"),
        _ => (seconds / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_survives_its_url() {
        let query = FleetQuery::from_pairs([
            ("q", " Acme & co "),
            ("only", "outside"),
            ("only", "cloud"),
            ("only", "cloud"),
            ("only", "nonsense"),
            ("sort", "changed"),
            ("dir", "desc"),
            ("page", "3"),
        ]);
        assert_eq!(query.filter.search, "Acme & co");
        assert_eq!(query.filter.flags, [Flag::Cloud, Flag::Outside]);
        let url = query.to_query();
        assert_eq!(
            url,
            "q=Acme%20%26%20co&only=cloud&only=outside&sort=changed&dir=desc&page=3"
        );
        let decoded: Vec<(String, String)> = url
            .split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap();
                let v = v.replace("%20", " ").replace("%26", "&");
                (k.to_owned(), v)
            })
            .collect();
        let again = FleetQuery::from_pairs(decoded.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(again, query);
    }

    #[test]
    fn nonsense_in_the_url_is_the_default_view() {
        let query = FleetQuery::from_pairs([("sort", "'; DROP"), ("page", "-4"), ("dir", "up")]);
        assert_eq!(query, FleetQuery::default());
        let long = "x".repeat(500);
        let query = FleetQuery::from_pairs([("q", long.as_str())]);
        assert_eq!(query.filter.search.chars().count(), MAX_SEARCH);
    }

    #[test]
    fn names_looked_up_before_are_kept_by_a_read_that_did_not_look() {
        let named = SettingsState {
            encryption_enabled: true,
            encryption_key_sid: Some("CR1".into()),
            encryption_key_name: Some("prod".into()),
            ..SettingsState::default()
        };
        let unnamed = SettingsState {
            encryption_key_name: None,
            ..named.clone()
        };
        assert_eq!(unnamed.essence(), named.essence());
        assert_eq!(unnamed.clone().with_names_from(&named), named);
        let other_key = SettingsState {
            encryption_key_sid: Some("CR2".into()),
            ..unnamed
        };
        assert_eq!(
            other_key
                .clone()
                .with_names_from(&named)
                .encryption_key_name,
            None
        );
    }

    #[test]
    fn ages_read_as_words() {
        assert_eq!(ago(100, 90), "just now");
        assert_eq!(ago(1_000, 880), "2 minutes ago");
        assert_eq!(ago(7_200, 3_600), "1 hour ago");
        assert_eq!(ago(900_000, 0), "10 days ago");
    }
}
