//! HTTP Basic auth as Twilio does it: `AC…:auth token` or `SK…:key secret`.
//! The credentials pick the account; the URL never does.

use super::error::{unauthenticated, ApiError};
use super::FakeState;
use crate::domain::{AccountSid, ApiKeySid};
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use base64::Engine;

/// The account the request authenticated as.
pub struct Authed(pub AccountSid);

impl FromRequestParts<FakeState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &FakeState) -> Result<Self, ApiError> {
        let (user, password) = basic_credentials(parts).ok_or_else(unauthenticated)?;
        let accounts = state.accounts.lock().unwrap_or_else(|p| p.into_inner());
        if let Ok(sid) = user.parse::<AccountSid>() {
            if accounts.get(&sid).is_some_and(|a| a.auth_token == password) {
                return Ok(Authed(sid));
            }
        } else if let Ok(key) = user.parse::<ApiKeySid>() {
            let owner = accounts.iter().find(|(_, a)| {
                a.api_keys
                    .get(&key)
                    .is_some_and(|secret| *secret == password)
            });
            if let Some((sid, _)) = owner {
                return Ok(Authed(sid.clone()));
            }
        }
        Err(unauthenticated())
    }
}

fn basic_credentials(parts: &Parts) -> Option<(String, String)> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}
