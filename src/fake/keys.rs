//! The 2010-04-01 Keys resource: Standard API keys inside an account,
//! created by the account or its parent. The secret is shown once, in the
//! create answer; the key then logs in to that account everywhere.

use super::accounts::{not_found, reaches};
use super::auth::Caller;
use super::error::{bad_request, ApiError};
use super::form::Form;
use super::paging::{legacy_page, PageQuery};
use super::{now_iso, rfc2822, ApiKey, FakeState};
use crate::domain::{AccountSid, AccountStatus, ApiKeySid, MAX_FRIENDLY_NAME};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

fn view(sid: &ApiKeySid, key: &ApiKey) -> Value {
    json!({
        "sid": sid,
        "friendly_name": key.friendly_name,
        "date_created": rfc2822(&key.date_created),
        "date_updated": rfc2822(&key.date_created),
    })
}

/// Runs `f` on the account in the path, if the caller reaches it.
fn in_account<T>(
    state: &FakeState,
    caller: &Caller,
    raw: &str,
    uri: &Uri,
    f: impl FnOnce(&mut super::Account) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let me = caller.main_only()?;
    let sid: AccountSid = raw.parse().map_err(|_| not_found(uri))?;
    let mut accounts = state.accounts.lock().unwrap_or_else(|p| p.into_inner());
    if !reaches(&accounts, me, &sid) {
        return Err(not_found(uri));
    }
    let account = accounts.get_mut(&sid).ok_or_else(|| not_found(uri))?;
    f(account)
}

fn answer(result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

pub async fn list(
    caller: Caller,
    State(state): State<FakeState>,
    Path(account): Path<String>,
    Query(paging): Query<PageQuery>,
    uri: Uri,
) -> Response {
    answer(in_account(&state, &caller, &account, &uri, |a| {
        let (page_size, page) = paging.bounds()?;
        let mut keys: Vec<_> = a.api_keys.iter().collect();
        keys.sort_by_key(|(_, k)| k.seq);
        let all = keys.into_iter().map(|(sid, k)| view(sid, k)).collect();
        let path = format!("/2010-04-01/Accounts/{account}/Keys.json");
        Ok(Json(legacy_page("keys", &path, &[], all, page_size, page)).into_response())
    }))
}

pub async fn create(
    caller: Caller,
    State(state): State<FakeState>,
    Path(account): Path<String>,
    uri: Uri,
    body: Bytes,
) -> Response {
    answer(in_account(&state, &caller, &account, &uri, |a| {
        let form = Form::parse(&body, &["FriendlyName"])?;
        let name = form.get("FriendlyName").unwrap_or_default();
        if name.chars().count() > MAX_FRIENDLY_NAME {
            return Err(bad_request(format!(
                "FriendlyName is too long: at most {MAX_FRIENDLY_NAME} characters"
            )));
        }
        // The fake's choice for an account that cannot act (Twilio does
        // not document one): 403 with code 20005, "Account not active".
        if a.status != AccountStatus::Active {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                20005,
                format!("Account not active: the account is {}", a.status.as_str()),
            ));
        }
        let sid: ApiKeySid = format!("SK{}", uuid::Uuid::new_v4().simple())
            .parse()
            .expect("SK and 32 hex digits");
        let secret = uuid::Uuid::new_v4().simple().to_string();
        let key = ApiKey {
            secret: secret.clone(),
            main: false,
            friendly_name: name.to_owned(),
            date_created: now_iso(),
            seq: a.next_seq,
        };
        a.next_seq += 1;
        let mut body = view(&sid, &key);
        body["secret"] = json!(secret);
        a.api_keys.insert(sid, key);
        Ok((StatusCode::CREATED, Json(body)).into_response())
    }))
}

/// The key in `…/Keys/{Sid}.json`, if the account has it.
fn key_in(a: &super::Account, segment: &str, uri: &Uri) -> Result<ApiKeySid, ApiError> {
    segment
        .strip_suffix(".json")
        .and_then(|s| s.parse::<ApiKeySid>().ok())
        .filter(|sid| a.api_keys.contains_key(sid))
        .ok_or_else(|| not_found(uri))
}

pub async fn fetch(
    caller: Caller,
    State(state): State<FakeState>,
    Path((account, key)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    answer(in_account(&state, &caller, &account, &uri, |a| {
        let sid = key_in(a, &key, &uri)?;
        Ok(Json(view(&sid, &a.api_keys[&sid])).into_response())
    }))
}

pub async fn delete(
    caller: Caller,
    State(state): State<FakeState>,
    Path((account, key)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    answer(in_account(&state, &caller, &account, &uri, |a| {
        let sid = key_in(a, &key, &uri)?;
        a.api_keys.remove(&sid);
        Ok(StatusCode::NO_CONTENT.into_response())
    }))
}
