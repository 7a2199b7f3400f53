//! Reading and saving a project's media settings.

use crate::domain::audit::Done;
use crate::domain::{
    AppError, MediaSettings, PastedSids, ProjectId, SaveFailure, SettingsInput, SettingsKind,
};
use leptos::prelude::*;

/// The settings as Twilio holds them now.
#[server(endpoint = "settings/fetch")]
pub async fn fetch_settings(
    project: ProjectId,
    kind: SettingsKind,
) -> Result<MediaSettings, AppError> {
    use crate::services::{settings, snapshots};
    let read = super::context::for_project(
        &project,
        crate::services::Action::Read,
        |client| async move { settings::fetch(&client, kind).await },
    )
    .await
    .inspect_err(super::context::report);
    if let Ok(state) = super::context::app_state() {
        snapshots::record(state.projects.store(), &project, kind, read.as_ref(), None).await;
    }
    read
}

/// Validates and sends the full set of fields; answers with what Twilio
/// stored. A failure carries the input back so the form can show it again.
/// `original` is what the form was loaded with: if Twilio holds something
/// else now, someone changed it meanwhile and nothing is written. Switching
/// on storage or encryption needs `confirm`.
#[server(endpoint = "settings/save")]
pub async fn save_settings(
    project: ProjectId,
    kind: SettingsKind,
    input: SettingsInput,
    original: SettingsInput,
    /// Set by the "I understand" box shown with the risks of a change, or
    /// (without JavaScript) by the review of what will change.
    confirm: Option<bool>,
    /// SIDs pasted beside the pickers, which win over the picked ones.
    pasted: Option<PastedSids>,
) -> Result<Done<MediaSettings>, SaveFailure> {
    use crate::services::settings::{self, Consent};
    let input = input.with_pasted(pasted.as_ref());
    let consent = Consent {
        // With JavaScript the form shows what will change as it is edited;
        // without it, the first post shows that summary and saves nothing.
        changes_shown: super::context::form_post_origin().is_none(),
        confirmed: confirm == Some(true),
    };
    let saved = super::context::for_project(&project, crate::services::Action::Change, |client| {
        let (input, original, project) = (&input, &original, &project);
        async move {
            let trail = super::context::trail(Some(project))?;
            settings::save(&client, &trail, kind, input, original, consent).await
        }
    })
    .await
    .map_err(|error| {
        super::context::report(&error);
        SaveFailure {
            error,
            input: Some(input.for_echo()),
        }
    })?;
    tracing::info!(%project, kind = kind.slug(), "settings saved");
    if let (Ok(state), Ok(caller)) = (super::context::app_state(), super::context::caller()) {
        let store = state.projects.store();
        crate::services::snapshots::record(
            store,
            &project,
            kind,
            Ok(&saved.after),
            Some(&caller.name),
        )
        .await;
    }
    let recorded = saved.recorded.0;
    if !recorded {
        tracing::warn!(%project, "settings saved but not recorded in the audit trail");
    }
    // Without JavaScript the browser follows a redirect; say in the URL that
    // the save worked so the page can confirm it.
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(&format!(
            "{}?saved={}{}",
            crate::paths::settings(&project, kind),
            kind.slug(),
            super::not_recorded_param(recorded)
        ));
    }
    Ok(Done {
        value: saved.after,
        recorded,
    })
}

/// The newest changes the console has seen of these settings, in words.
#[server(endpoint = "settings/history")]
pub async fn settings_history(
    project: ProjectId,
    kind: SettingsKind,
) -> Result<Vec<crate::domain::history::HistoryLine>, AppError> {
    let result = async {
        super::context::allowed(crate::services::Action::Read, Some(&project))?;
        let state = super::context::app_state()?;
        crate::services::snapshots::history(state.projects.store(), &project, kind).await
    }
    .await;
    result.inspect_err(super::context::report)
}
