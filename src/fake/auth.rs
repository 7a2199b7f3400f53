//! HTTP Basic auth as Twilio does it: `AC…:auth token` or `SK…:key secret`.
//! The credentials pick the account; the URL never does (on the v1 hosts).

use super::error::{unauthenticated, ApiError};
use super::FakeState;
use crate::domain::{AccountSid, ApiKeySid};
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use base64::Engine;

/// The account the request authenticated as.
pub struct Authed(pub AccountSid);

/// The caller of the 2010-04-01 API: its account, and whether it came with
/// a Standard API key (which the Accounts and Keys resources refuse).
pub struct Caller {
    pub account: AccountSid,
    pub standard_key: bool,
}

impl Caller {
    /// Twilio's refusal of a Standard key on the Accounts and Keys
    /// resources: the 401 and code 20003 of wrong credentials (Twilio's
    /// error page for 20003 names this case among its causes).
    pub fn main_only(&self) -> Result<&AccountSid, ApiError> {
        if self.standard_key {
            Err(unauthenticated())
        } else {
            Ok(&self.account)
        }
    }
}

impl FromRequestParts<FakeState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &FakeState) -> Result<Self, ApiError> {
        Ok(Authed(authenticate(parts, state)?.account))
    }
}

impl FromRequestParts<FakeState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &FakeState) -> Result<Self, ApiError> {
        authenticate(parts, state)
    }
}

fn authenticate(parts: &Parts, state: &FakeState) -> Result<Caller, ApiError> {
    let (user, password) = basic_credentials(parts).ok_or_else(unauthenticated)?;
    let accounts = state.accounts.lock().unwrap_or_else(|p| p.into_inner());
    if let Ok(sid) = user.parse::<AccountSid>() {
        if accounts.get(&sid).is_some_and(|a| a.auth_token == password) {
            return Ok(Caller {
                account: sid,
                standard_key: false,
            });
        }
    } else if let Ok(key) = user.parse::<ApiKeySid>() {
        let owner = accounts.iter().find_map(|(sid, a)| {
            a.api_keys
                .get(&key)
                .filter(|k| k.secret == password)
                .map(|k| (sid, k.main))
        });
        if let Some((sid, main)) = owner {
            return Ok(Caller {
                account: sid.clone(),
                standard_key: !main,
            });
        }
    }
    Err(unauthenticated())
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
