//! Listing, creating, renaming and deleting the account's credentials.

use crate::domain::{
    AppError, AwsCredentialInput, Credential, CredentialKind, CredentialTarget, Failure,
    PublicKeyInput,
};
use leptos::prelude::*;

/// Every credential of a kind, all pages read on the server.
#[server(endpoint = "credentials/list")]
pub async fn list_credentials(kind: CredentialKind) -> Result<Vec<Credential>, AppError> {
    let result = async {
        let state = super::context::app_state()?;
        super::context::within_deadline(&state, async {
            Ok(state.twilio.list_credentials(kind).await?)
        })
        .await
    }
    .await;
    if let Err(error) = &result {
        super::context::report(error);
    }
    result
}

/// One kind's list, or why it could not be read.
pub type Listing = Result<Vec<Credential>, AppError>;

/// Both kinds, read at the same time, each failure kept apart: a page that
/// offers them in pickers still renders, and answers 200, when one fails.
#[server(endpoint = "credentials/all")]
pub async fn list_all_credentials() -> Result<(Listing, Listing), AppError> {
    let state = super::context::app_state()?;
    let state = &state;
    let within = |kind| {
        super::context::within_deadline(state, async move {
            Ok(state.twilio.list_credentials(kind).await?)
        })
    };
    Ok(tokio::join!(
        within(CredentialKind::PublicKey),
        within(CredentialKind::Aws),
    ))
}

/// Checks the PEM as Twilio will (the browser checked it too) and uploads it.
#[server(endpoint = "credentials/public-key")]
pub async fn create_public_key(
    input: PublicKeyInput,
) -> Result<Credential, Failure<PublicKeyInput>> {
    let result = async {
        let key = input.validate().map_err(AppError::Invalid)?;
        let state = super::context::app_state()?;
        let created = super::context::within_deadline(&state, async {
            Ok(state.twilio.create_public_key(&key).await?)
        })
        .await?;
        tracing::info!(sid = %created.sid, "public key created");
        Ok(created)
    }
    .await;
    finish(
        result,
        CredentialKind::PublicKey,
        input.for_echo(),
        "created",
    )
}

/// Uploads an AWS key pair. The secret goes to Twilio and nowhere else: a
/// failure hands back the form without it.
#[server(endpoint = "credentials/aws")]
pub async fn create_aws_credential(
    input: AwsCredentialInput,
) -> Result<Credential, Failure<AwsCredentialInput>> {
    let result = async {
        let credential = input.validate().map_err(AppError::Invalid)?;
        let state = super::context::app_state()?;
        let created = super::context::within_deadline(&state, async {
            Ok(state.twilio.create_aws_credential(&credential).await?)
        })
        .await?;
        tracing::info!(sid = %created.sid, "AWS credential created");
        Ok(created)
    }
    .await;
    finish(
        result,
        CredentialKind::Aws,
        input.without_secret(),
        "created",
    )
}

#[server(endpoint = "credentials/rename")]
pub async fn rename_credential(
    kind: CredentialKind,
    sid: String,
    friendly_name: String,
) -> Result<Credential, Failure<CredentialTarget>> {
    let target = CredentialTarget {
        kind,
        sid: crate::domain::error::clipped(&sid, 40),
    };
    let result = async {
        let sid = service::parse_sid(&sid)?;
        let name = service::check_name(&friendly_name)?;
        let state = super::context::app_state()?;
        super::context::within_deadline(&state, async {
            Ok(state.twilio.rename_credential(kind, &sid, &name).await?)
        })
        .await
    }
    .await;
    finish(result, kind, target, "renamed")
}

/// Deletes a credential. If Composition or Recording settings still name
/// it, nothing is deleted until the user confirms, having read which.
#[server(endpoint = "credentials/delete")]
pub async fn delete_credential(
    kind: CredentialKind,
    sid: String,
    confirm: Option<bool>,
) -> Result<(), Failure<CredentialTarget>> {
    let target = CredentialTarget {
        kind,
        sid: crate::domain::error::clipped(&sid, 40),
    };
    let result = async {
        let sid = service::parse_sid(&sid)?;
        let state = super::context::app_state()?;
        super::context::within_deadline(&state, async {
            if confirm != Some(true) {
                let uses = service::uses_of(&state.twilio, kind, &sid).await?;
                if !uses.is_empty() {
                    return Err(AppError::NeedsConfirmation(uses));
                }
            }
            Ok(state.twilio.delete_credential(kind, &sid).await?)
        })
        .await?;
        tracing::info!(%sid, "credential deleted");
        Ok(())
    }
    .await;
    finish(result, kind, target, "deleted")
}

/// Says what was done (for a no-JavaScript post, in the redirect), or
/// reports the failure with what the form should show again.
#[cfg(feature = "ssr")]
fn finish<T, I>(
    result: Result<T, AppError>,
    kind: CredentialKind,
    input: I,
    what: &str,
) -> Result<T, Failure<I>> {
    match result {
        Ok(value) => {
            done(kind, what);
            Ok(value)
        }
        Err(error) => {
            super::context::report(&error);
            Err(Failure {
                error,
                input: Some(input),
            })
        }
    }
}

/// Without JavaScript the browser follows a redirect: name the outcome in
/// the URL so the page can say it.
#[cfg(feature = "ssr")]
fn done(kind: CredentialKind, what: &str) {
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(&format!("/credentials?done={}-{what}", kind.slug()));
    }
}

#[cfg(feature = "ssr")]
mod service {
    use crate::domain::credentials::check_friendly_name;
    use crate::domain::{
        AppError, CredentialKind, CredentialSid, Field, FieldErrors, SettingsKind,
    };
    use crate::twilio::{TwilioClient, TwilioError};

    pub fn parse_sid(raw: &str) -> Result<CredentialSid, AppError> {
        raw.trim()
            .parse()
            .map_err(|e| AppError::Request(format!("The credential SID {e}")))
    }

    pub fn check_name(raw: &str) -> Result<String, AppError> {
        check_friendly_name(raw).map_err(|message| {
            let mut errors = FieldErrors::default();
            errors.push(Field::FriendlyName, message);
            AppError::Invalid(errors)
        })
    }

    /// Sentences naming each settings resource that refers to the credential.
    pub async fn uses_of(
        twilio: &TwilioClient,
        kind: CredentialKind,
        sid: &CredentialSid,
    ) -> Result<Vec<String>, TwilioError> {
        let mut uses = Vec::new();
        for settings_kind in [SettingsKind::Composition, SettingsKind::Recording] {
            let settings = twilio.fetch_settings(settings_kind).await?;
            let (named, enabled, feature) = match kind {
                CredentialKind::PublicKey => (
                    settings.encryption_key_sid.as_ref() == Some(sid),
                    settings.encryption_enabled == Some(true),
                    "encryption",
                ),
                CredentialKind::Aws => (
                    settings.aws_credentials_sid.as_ref() == Some(sid),
                    settings.aws_storage_enabled == Some(true),
                    "external storage",
                ),
            };
            if !named {
                continue;
            }
            let title = settings_kind.title();
            uses.push(if enabled {
                format!(
                    "{title} use this {} and have {feature} on: once it is deleted, Twilio cannot apply {feature} and new media may be lost or fail.",
                    kind.noun()
                )
            } else {
                format!(
                    "{title} still name this {} ({feature} is off there); switching {feature} on later would fail.",
                    kind.noun()
                )
            });
        }
        Ok(uses)
    }
}
