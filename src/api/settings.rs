//! Reading and saving a project's media settings.

use crate::domain::{
    AppError, MediaSettings, PastedSids, SaveFailure, SettingsInput, SettingsKind,
};
use leptos::prelude::*;

/// The settings as Twilio holds them now.
#[server(endpoint = "settings/fetch")]
pub async fn fetch_settings(kind: SettingsKind) -> Result<MediaSettings, AppError> {
    let result = async {
        let state = super::context::app_state()?;
        super::context::within_deadline(&state, async {
            Ok(state.twilio.fetch_settings(kind).await?)
        })
        .await
    }
    .await;
    if let Err(error) = &result {
        super::context::report(error);
    }
    result
}

/// Validates and sends the full set of fields; answers with what Twilio
/// stored. A failure carries the input back so the form can show it again.
/// `original` is what the form was loaded with: if Twilio holds something
/// else now, someone changed it meanwhile and nothing is written. Switching
/// on storage or encryption needs `confirm`.
#[server(endpoint = "settings/save")]
pub async fn save_settings(
    kind: SettingsKind,
    input: SettingsInput,
    original: SettingsInput,
    /// Set by the "I understand" box shown with the risks of a change, or
    /// (without JavaScript) by the review of what will change.
    confirm: Option<bool>,
    /// SIDs pasted beside the pickers, which win over the picked ones.
    pasted: Option<PastedSids>,
) -> Result<MediaSettings, SaveFailure> {
    let input = input.with_pasted(pasted.as_ref());
    let fail = |error: AppError| {
        super::context::report(&error);
        SaveFailure {
            error,
            input: Some(input.for_echo()),
        }
    };
    let update = input.validate().map_err(|e| fail(AppError::Invalid(e)))?;
    let state = super::context::app_state().map_err(fail)?;
    let unreviewed =
        super::context::form_post_origin().is_some() && !input.differences(&original).is_empty();
    let saved = super::context::within_deadline(&state, async {
        // Twilio offers no ETag or If-Match here, so compare just before the
        // write; the window left is one round trip wide.
        let current = state.twilio.fetch_settings(kind).await?;
        if !original.still_matches(&current) {
            return Err(AppError::Conflict {
                current: Box::new(current),
            });
        }
        let risks = input.risks(kind, &original);
        // With JavaScript the form shows what will change as it is edited;
        // without it, the first post shows that summary and saves nothing.
        if (!risks.is_empty() || unreviewed) && confirm != Some(true) {
            return Err(AppError::NeedsConfirmation(risks));
        }
        Ok(state.twilio.update_settings(kind, &update).await?)
    })
    .await
    .map_err(fail)?;
    tracing::info!(?kind, "settings saved");
    // Without JavaScript the browser follows a redirect; say in the URL that
    // the save worked so the page can confirm it.
    if let Some(path) = super::context::form_post_origin() {
        leptos_axum::redirect(&format!("{path}?saved={}", kind.slug()));
    }
    Ok(saved)
}
