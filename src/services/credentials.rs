//! A project's credentials: listing, and the "where is this used" check
//! that guards a delete. Plain functions of a project's client.

use crate::domain::credentials::check_friendly_name;
use crate::domain::{
    AppError, AwsCredentialInput, Credential, CredentialKind, CredentialSid, Field, FieldErrors,
    PublicKeyInput, SettingsKind,
};
use crate::twilio::{TwilioClient, TwilioError};

pub async fn list(
    client: &TwilioClient,
    kind: CredentialKind,
) -> Result<Vec<Credential>, AppError> {
    Ok(client.list_credentials(kind).await?)
}

pub async fn create_public_key(
    client: &TwilioClient,
    input: &PublicKeyInput,
) -> Result<Credential, AppError> {
    let key = input.validate().map_err(AppError::Invalid)?;
    Ok(client.create_public_key(&key).await?)
}

pub async fn create_aws(
    client: &TwilioClient,
    input: &AwsCredentialInput,
) -> Result<Credential, AppError> {
    let credential = input.validate().map_err(AppError::Invalid)?;
    Ok(client.create_aws_credential(&credential).await?)
}

pub async fn rename(
    client: &TwilioClient,
    kind: CredentialKind,
    sid: &str,
    friendly_name: &str,
) -> Result<Credential, AppError> {
    let sid = parse_sid(sid)?;
    let name = check_friendly_name(friendly_name).map_err(|message| {
        let mut errors = FieldErrors::default();
        errors.push(Field::FriendlyName, message);
        AppError::Invalid(errors)
    })?;
    Ok(client.rename_credential(kind, &sid, &name).await?)
}

/// Deletes a credential. If Composition or Recording settings still name
/// it, nothing is deleted until `confirmed`, the caller having read which.
pub async fn delete(
    client: &TwilioClient,
    kind: CredentialKind,
    sid: &str,
    confirmed: bool,
) -> Result<CredentialSid, AppError> {
    let sid = parse_sid(sid)?;
    if !confirmed {
        let uses = uses_of(client, kind, &sid).await?;
        if !uses.is_empty() {
            return Err(AppError::NeedsConfirmation(uses));
        }
    }
    client.delete_credential(kind, &sid).await?;
    Ok(sid)
}

fn parse_sid(raw: &str) -> Result<CredentialSid, AppError> {
    raw.trim()
        .parse()
        .map_err(|e| AppError::Request(format!("The credential SID {e}")))
}

/// Sentences naming each settings resource that refers to the credential.
pub async fn uses_of(
    client: &TwilioClient,
    kind: CredentialKind,
    sid: &CredentialSid,
) -> Result<Vec<String>, TwilioError> {
    let mut uses = Vec::new();
    for settings_kind in [SettingsKind::Composition, SettingsKind::Recording] {
        let settings = client.fetch_settings(settings_kind).await?;
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
