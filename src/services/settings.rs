//! Reading and saving a project's media settings, for server functions and
//! background jobs alike.

use crate::domain::{AppError, MediaSettings, SettingsInput, SettingsKind};
use crate::twilio::TwilioClient;

pub async fn fetch(client: &TwilioClient, kind: SettingsKind) -> Result<MediaSettings, AppError> {
    Ok(client.fetch_settings(kind).await?)
}

/// What the person (or job) asking for a save has seen and agreed to.
#[derive(Clone, Copy, Debug, Default)]
pub struct Consent {
    /// They were shown what will change (the live summary with JavaScript,
    /// the review page without it, or a job's plan).
    pub changes_shown: bool,
    /// They ticked "I understand" for the risks of the change.
    pub confirmed: bool,
}

/// A save's outcome: what Twilio held just before, and what it holds now.
pub struct Saved {
    pub before: MediaSettings,
    pub after: MediaSettings,
}

/// Validates `input` and writes it, unless Twilio holds something other
/// than `original` now (someone changed it meanwhile: nothing is written).
/// Switching on storage or encryption, or a change nobody reviewed, needs
/// consent.
pub async fn save(
    client: &TwilioClient,
    kind: SettingsKind,
    input: &SettingsInput,
    original: &SettingsInput,
    consent: Consent,
) -> Result<Saved, AppError> {
    let update = input.validate().map_err(AppError::Invalid)?;
    // Twilio offers no ETag or If-Match here, so compare just before the
    // write; the window left is one round trip wide.
    let current = client.fetch_settings(kind).await?;
    if !original.still_matches(&current) {
        return Err(AppError::Conflict {
            current: Box::new(current),
        });
    }
    let risks = input.risks(kind, original);
    let unreviewed = !consent.changes_shown && !input.differences(original).is_empty();
    if (!risks.is_empty() || unreviewed) && !consent.confirmed {
        return Err(AppError::NeedsConfirmation(risks));
    }
    let after = client.update_settings(kind, &update).await?;
    Ok(Saved {
        before: current,
        after,
    })
}
