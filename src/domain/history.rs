//! A project's state history in words: what each change switched, who made
//! it (or that it was made outside the console) and when it was seen.

use super::fleet::SettingsState;
use super::project::utc_time as when;
use serde::{Deserialize, Serialize};

/// Lines of history a settings page shows, newest first.
pub const HISTORY_SHOWN: usize = 20;

/// One change, as the settings page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryLine {
    pub seen_at: i64,
    /// "Encryption switched on (key CR…) by ana at 2026-12-03 10:00 UTC".
    pub words: String,
    /// Made outside the console: no audit entry explains it.
    pub outside: bool,
}

fn key_words(state: &SettingsState) -> String {
    let sid = state.encryption_key_sid.clone().unwrap_or_default();
    match &state.encryption_key_name {
        Some(name) => format!("{name} ({sid})"),
        None => sid,
    }
}

fn bucket_words(state: &SettingsState) -> String {
    let url = state.aws_s3_url.clone().unwrap_or_default();
    match &state.aws_credentials_name {
        Some(name) => format!("{url} with {name}"),
        None => url,
    }
}

/// What differs from `before` to `after`, one phrase per change.
pub fn changes(before: &SettingsState, after: &SettingsState) -> Vec<String> {
    let mut found = Vec::new();
    match (before.encryption_enabled, after.encryption_enabled) {
        (false, true) => found.push(format!(
            "encryption switched on with key {}",
            key_words(after)
        )),
        (true, false) => found.push("encryption switched off".to_owned()),
        (true, true) if before.encryption_key_sid != after.encryption_key_sid => {
            found.push(format!("encryption key changed to {}", key_words(after)))
        }
        _ => {}
    }
    match (before.storage_enabled, after.storage_enabled) {
        (false, true) => found.push(format!("storage switched to S3 at {}", bucket_words(after))),
        (true, false) => found.push("storage switched back to Twilio's cloud".to_owned()),
        (true, true)
            if before.aws_s3_url != after.aws_s3_url
                || before.aws_credentials_sid != after.aws_credentials_sid =>
        {
            found.push(format!("S3 storage changed to {}", bucket_words(after)))
        }
        _ => {}
    }
    if found.is_empty() {
        // What is left: a field the fleet does not show, such as the name,
        // or a key or bucket set while its switch is off.
        found.push("settings changed".to_owned());
    }
    found
}

/// The whole state, for the first read.
fn state_words(state: &SettingsState) -> String {
    let encryption = if state.encryption_enabled {
        format!("encryption on with key {}", key_words(state))
    } else {
        "encryption off".to_owned()
    };
    let storage = if state.storage_enabled {
        format!("storage in S3 at {}", bucket_words(state))
    } else {
        "storage in Twilio's cloud".to_owned()
    };
    format!("{encryption}, {storage}")
}

/// The history (oldest first: each state with when it was seen and who
/// made it) as lines, newest first.
pub fn lines(history: &[(i64, SettingsState, Option<String>)]) -> Vec<HistoryLine> {
    let mut lines = Vec::new();
    for (i, (seen_at, state, by)) in history.iter().enumerate() {
        let line = match (i.checked_sub(1).map(|j| &history[j].1), by) {
            (None, _) => HistoryLine {
                seen_at: *seen_at,
                words: format!("First read at {}: {}", when(*seen_at), state_words(state)),
                outside: false,
            },
            (Some(before), Some(by)) => HistoryLine {
                seen_at: *seen_at,
                words: capitalised(&format!(
                    "{} by {by} at {}",
                    changes(before, state).join(", "),
                    when(*seen_at)
                )),
                outside: false,
            },
            (Some(before), None) => HistoryLine {
                seen_at: *seen_at,
                words: capitalised(&format!(
                    "{} outside the console, seen at {}",
                    changes(before, state).join(", "),
                    when(*seen_at)
                )),
                outside: true,
            },
        };
        lines.push(line);
    }
    lines.reverse();
    lines
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain() -> SettingsState {
        SettingsState::default()
    }

    #[test]
    fn each_change_reads_as_what_it_switched_and_who() {
        let encrypted = SettingsState {
            encryption_enabled: true,
            encryption_key_sid: Some("CR1".into()),
            encryption_key_name: Some("prod key".into()),
            ..plain()
        };
        let in_s3 = SettingsState {
            storage_enabled: true,
            aws_s3_url: Some("https://b.s3.amazonaws.com/r".into()),
            ..encrypted.clone()
        };
        let lines = lines(&[
            (0, plain(), None),
            (60, encrypted.clone(), Some("ana".into())),
            (120, in_s3, None),
            (180, plain(), Some("bo".into())),
        ]);
        let words: Vec<&str> = lines.iter().map(|l| l.words.as_str()).collect();
        assert_eq!(
            words,
            [
                "Encryption switched off, storage switched back to Twilio's cloud by bo at 1970-01-01 00:03 UTC",
                "Storage switched to S3 at https://b.s3.amazonaws.com/r outside the console, seen at 1970-01-01 00:02 UTC",
                "Encryption switched on with key prod key (CR1) by ana at 1970-01-01 00:01 UTC",
                "First read at 1970-01-01 00:00 UTC: encryption off, storage in Twilio's cloud",
            ]
        );
        assert_eq!(
            lines.iter().map(|l| l.outside).collect::<Vec<_>>(),
            [false, true, false, false]
        );
    }

    #[test]
    fn a_new_key_is_a_change_of_key() {
        let one = SettingsState {
            encryption_enabled: true,
            encryption_key_sid: Some("CR1".into()),
            ..plain()
        };
        let two = SettingsState {
            encryption_key_sid: Some("CR2".into()),
            ..one.clone()
        };
        assert_eq!(changes(&one, &two), ["encryption key changed to CR2"]);
        let renamed = SettingsState {
            friendly_name: Some("x".into()),
            ..one.clone()
        };
        assert_eq!(changes(&one, &renamed), ["settings changed"]);
    }
}
