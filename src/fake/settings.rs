//! Composition and Recording settings: GET returns all eight fields, POST
//! changes the ones it is given and checks what the account can reference.

use super::auth::Authed;
use super::error::{bad_request, ApiError};
use super::form::Form;
use super::{Account, CredentialKind, FakeState};
use crate::domain::{AccountSid, CredentialSid, MediaSettings, SettingsKind};
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;

const PARAMS: [&str; 6] = [
    "FriendlyName",
    "AwsCredentialsSid",
    "EncryptionKeySid",
    "AwsS3Url",
    "AwsStorageEnabled",
    "EncryptionEnabled",
];

pub async fn fetch_composition(Authed(sid): Authed, State(state): State<FakeState>) -> Response {
    fetch(&state, &sid, SettingsKind::Composition)
}

pub async fn fetch_recording(Authed(sid): Authed, State(state): State<FakeState>) -> Response {
    fetch(&state, &sid, SettingsKind::Recording)
}

pub async fn update_composition(
    Authed(sid): Authed,
    State(state): State<FakeState>,
    body: Bytes,
) -> Response {
    update(&state, &sid, SettingsKind::Composition, &body)
}

pub async fn update_recording(
    Authed(sid): Authed,
    State(state): State<FakeState>,
    body: Bytes,
) -> Response {
    update(&state, &sid, SettingsKind::Recording, &body)
}

fn fetch(state: &FakeState, sid: &AccountSid, kind: SettingsKind) -> Response {
    match state.with_account(sid, |account| account.settings(sid, kind)) {
        Some(settings) => Json(settings).into_response(),
        None => super::error::unauthenticated().into_response(),
    }
}

fn update(state: &FakeState, sid: &AccountSid, kind: SettingsKind, body: &[u8]) -> Response {
    let form = match Form::parse(body, &PARAMS) {
        Ok(form) => form,
        Err(error) => return error.into_response(),
    };
    if let Err(error) = form.required("FriendlyName") {
        return error.into_response();
    }
    let outcome = state.with_account(sid, |account| {
        let next = apply(account.settings(sid, kind), form.pairs())?;
        check_references(account, &next)?;
        account.settings.insert(kind, next.clone());
        Ok::<_, ApiError>(next)
    });
    match outcome {
        Some(Ok(settings)) => Json(settings).into_response(),
        Some(Err(error)) => error.into_response(),
        None => super::error::unauthenticated().into_response(),
    }
}

fn parse_bool(key: &str, value: &str) -> Result<bool, ApiError> {
    match value {
        "true" | "True" => Ok(true),
        "false" | "False" => Ok(false),
        _ => Err(bad_request(format!(
            "Invalid value for {key}: expected true or false"
        ))),
    }
}

fn parse_sid(key: &str, value: &str) -> Result<CredentialSid, ApiError> {
    value.parse().map_err(|_| {
        bad_request(format!(
            "Invalid value for {key}: must match ^CR[0-9a-fA-F]{{32}}$"
        ))
    })
}

/// Parameters left out keep their stored value.
fn apply(mut next: MediaSettings, params: &[(String, String)]) -> Result<MediaSettings, ApiError> {
    for (key, value) in params {
        match key.as_str() {
            "FriendlyName" => next.friendly_name = Some(value.clone()),
            "AwsCredentialsSid" => next.aws_credentials_sid = Some(parse_sid(key, value)?),
            "EncryptionKeySid" => next.encryption_key_sid = Some(parse_sid(key, value)?),
            "AwsS3Url" => {
                if !value.starts_with("https://") || !value.is_ascii() {
                    return Err(bad_request(format!(
                        "Invalid value for AwsS3Url: {value} is not an https URL"
                    )));
                }
                next.aws_s3_url = Some(value.clone());
            }
            "AwsStorageEnabled" => next.aws_storage_enabled = Some(parse_bool(key, value)?),
            "EncryptionEnabled" => next.encryption_enabled = Some(parse_bool(key, value)?),
            _ => unreachable!("Form::parse admits only known keys"),
        }
    }
    Ok(next)
}

/// Twilio does not document the error an account without Enterprise or
/// Security Edition gets for `EncryptionEnabled=true`; the fake's choice is
/// 403 with Twilio's generic code 20403 and a message that says why.
pub const NO_ENCRYPTION: &str = "Encryption of recordings and compositions needs Enterprise Edition or Security Edition; this account has neither";

/// Twilio does not document this check's error; the fake answers 400 with
/// code 20001 and names the parameter and the SID it could not use.
fn check_references(account: &Account, next: &MediaSettings) -> Result<(), ApiError> {
    if next.encryption_enabled == Some(true) && !account.encryption_available {
        return Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            20403,
            NO_ENCRYPTION,
        ));
    }
    let check = |key: &str, sid: &Option<CredentialSid>, kind: CredentialKind, what: &str| match sid
    {
        None => Err(bad_request(format!(
            "Missing required parameter {key} in the post body"
        ))),
        Some(sid) if account.credentials.get(sid).is_some_and(|c| c.kind == kind) => Ok(()),
        Some(sid) => Err(bad_request(format!(
            "Invalid {key}: {sid} is not {what} credential of this account"
        ))),
    };
    if next.encryption_enabled == Some(true) {
        check(
            "EncryptionKeySid",
            &next.encryption_key_sid,
            CredentialKind::PublicKey,
            "a Public Key",
        )?;
    }
    if next.aws_storage_enabled == Some(true) {
        check(
            "AwsCredentialsSid",
            &next.aws_credentials_sid,
            CredentialKind::Aws,
            "an AWS",
        )?;
        if next.aws_s3_url.is_none() {
            return Err(bad_request(
                "Missing required parameter AwsS3Url in the post body",
            ));
        }
    }
    Ok(())
}
