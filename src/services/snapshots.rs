//! Every read of a project's settings leaves a snapshot in the store, and a
//! state unlike the last one a line in its history; the fleet (issue 23)
//! renders from them without calling Twilio. Best effort: a snapshot that
//! cannot be written is logged, and never turns a good answer into a
//! failure.

use crate::domain::{AppError, MediaSettings, ProjectId, SettingsKind};
use crate::store::{SettingsState, Store};

/// What a snapshot keeps of Twilio's answer. Credential names are not in
/// it: a page view reads the settings alone (the refresh fills them in).
pub fn state_of(settings: &MediaSettings) -> SettingsState {
    SettingsState {
        friendly_name: settings.friendly_name.clone(),
        encryption_enabled: settings.encryption_enabled == Some(true),
        encryption_key_sid: settings
            .encryption_key_sid
            .as_ref()
            .map(ToString::to_string),
        encryption_key_name: None,
        storage_enabled: settings.aws_storage_enabled == Some(true),
        aws_credentials_sid: settings
            .aws_credentials_sid
            .as_ref()
            .map(ToString::to_string),
        aws_credentials_name: None,
        aws_s3_url: settings.aws_s3_url.clone(),
        missing: Vec::new(),
    }
}

/// Records a read of `kind` of `project` (Twilio's answer, or its error),
/// a change credited to `by`. Errors that are not Twilio's (refused access,
/// a bad request) say nothing about the project and are not recorded.
pub async fn record(
    store: &Store,
    project: &ProjectId,
    kind: SettingsKind,
    read: Result<&MediaSettings, &AppError>,
    by: Option<&str>,
) {
    let state;
    let why;
    let read = match read {
        Ok(settings) => {
            state = state_of(settings);
            Ok(&state)
        }
        Err(error @ (AppError::Twilio { .. } | AppError::Unavailable { .. })) => {
            why = error.to_string();
            Err(why.as_str())
        }
        Err(_) => return,
    };
    match store
        .record_read(project, kind, crate::store::now(), read, by)
        .await
    {
        // A new state may bring it closer to its template, or further.
        Ok(true) => {
            let ids = [project.as_str().to_owned()];
            super::drift::recompute_after(store, crate::store::DriftOf::Projects(&ids)).await;
        }
        Ok(false) => {}
        Err(e) => {
            tracing::warn!(%project, kind = kind.slug(), "the snapshot of a settings read was not stored: {e}")
        }
    }
}

/// The newest changes of `kind` of `project`, in words, newest first.
pub async fn history(
    store: &Store,
    project: &ProjectId,
    kind: SettingsKind,
) -> Result<Vec<crate::domain::history::HistoryLine>, AppError> {
    use crate::domain::history::{lines, HISTORY_SHOWN};
    let changes = store
        .state_history(project, kind)
        .await
        .map_err(super::projects::internal)?;
    let history: Vec<_> = changes
        .into_iter()
        .map(|change| (change.seen_at, change.state, change.changed_by))
        .collect();
    let mut lines = lines(&history);
    lines.truncate(HISTORY_SHOWN);
    Ok(lines)
}
