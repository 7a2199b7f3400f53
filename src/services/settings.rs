//! Reading and saving a project's media settings, for server functions and
//! background jobs alike.

use super::trail::{Recorded, Trail};
use super::unclear::{self, Found};
use crate::domain::audit::AuditAction;
use crate::domain::{AppError, MediaSettings, SettingsInput, SettingsKind, SettingsUpdate};
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

/// A save's outcome: what Twilio held just before, what it holds now, and
/// whether the audit trail has it.
pub struct Saved {
    pub before: MediaSettings,
    pub after: MediaSettings,
    pub recorded: Recorded,
}

/// Validates `input` and writes it, unless Twilio holds something other
/// than `original` now (someone changed it meanwhile: nothing is written).
/// Switching on storage or encryption, or a change nobody reviewed, needs
/// consent.
///
/// The write is recorded in two steps (`Trail`) and runs to its end in a
/// task of its own, so a deadline that gives up waiting for it cannot cut
/// it off before its outcome is checked and recorded.
pub async fn save(
    client: &TwilioClient,
    trail: &Trail,
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
    let attempt = trail
        .attempt(
            AuditAction::SettingsSaved,
            format!("{} saved", kind.title()),
            Some(settings_json(input)),
        )
        .await?;
    let client = client.clone();
    let write = tokio::spawn(async move {
        let before = Some(settings_json(&SettingsInput::from(&current)));
        let after = match client.update_settings(kind, &update).await {
            Ok(after) => after,
            Err(error) if unclear::may_have_reached_twilio(&error) => {
                match check_saved(&client, kind, &update, &current).await {
                    Found::Made(after) => after,
                    Found::NotMade => {
                        let error = unclear::not_made(&error);
                        let _ = attempt.failed(&error).await;
                        return Err(error);
                    }
                    Found::Unknown(why) => {
                        let _ = attempt.unknown(&why).await;
                        return Err(unclear::still_unknown(&error, &why));
                    }
                }
            }
            Err(error) => {
                let error = AppError::from(error);
                let _ = attempt.failed(&error).await;
                return Err(error);
            }
        };
        let recorded = attempt
            .done(before, Some(settings_json(&SettingsInput::from(&after))))
            .await;
        Ok(Saved {
            before: current,
            after,
            recorded,
        })
    });
    write
        .await
        .unwrap_or_else(|e| Err(super::projects::internal(e)))
}

/// Whether Twilio holds what was sent (made), still what it held before
/// (not made), or something else or nothing readable (unknown).
async fn check_saved(
    client: &TwilioClient,
    kind: SettingsKind,
    sent: &SettingsUpdate,
    before: &MediaSettings,
) -> Found<MediaSettings> {
    match client.fetch_settings(kind).await {
        Ok(now) if holds(&now, sent) => Found::Made(now),
        Ok(now) if now == *before => Found::NotMade,
        Ok(_) => Found::Unknown(
            "Twilio now holds values that are neither those sent nor those before: someone else may have changed them".into(),
        ),
        Err(e) => Found::Unknown(format!("the check could not read the settings ({e})")),
    }
}

/// Whether `settings` hold every value of `sent`.
fn holds(settings: &MediaSettings, sent: &SettingsUpdate) -> bool {
    settings.friendly_name.as_deref() == Some(sent.friendly_name.as_str())
        && settings.encryption_enabled == Some(sent.encryption_enabled)
        && settings.aws_storage_enabled == Some(sent.aws_storage_enabled)
        && (sent.encryption_key_sid.is_none()
            || settings.encryption_key_sid == sent.encryption_key_sid)
        && (sent.aws_credentials_sid.is_none()
            || settings.aws_credentials_sid == sent.aws_credentials_sid)
        && (sent.aws_s3_url.is_none() || settings.aws_s3_url == sent.aws_s3_url)
}

/// The settings as the audit trail keeps them: the form's fields, as JSON.
pub fn settings_json(settings: &SettingsInput) -> String {
    serde_json::to_string(settings).unwrap_or_default()
}
