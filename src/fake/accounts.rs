//! The 2010-04-01 Accounts resource: a main account lists and fetches
//! itself and its subaccounts. The account is in the path here, and the
//! parent's credentials reach every subaccount's 2010-04-01 resources.

use super::auth::Caller;
use super::error::{bad_request, ApiError};
use super::paging::{legacy_page, PageQuery};
use super::{rfc2822, Account, FakeState};
use crate::domain::{AccountSid, AccountStatus};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The account JSON (`api.v2010.account`), auth token included, as Twilio
/// shows it to the account and its parent.
pub fn view(sid: &AccountSid, account: &Account) -> Value {
    let uri = |tail: &str| format!("/2010-04-01/Accounts/{sid}{tail}");
    json!({
        "auth_token": account.auth_token,
        "date_created": rfc2822(&account.date_created),
        "date_updated": rfc2822(&account.date_updated),
        "friendly_name": account.friendly_name,
        "owner_account_sid": account.owner.as_ref().unwrap_or(sid),
        "sid": sid,
        "status": account.status.as_str(),
        "subresource_uris": {
            "addresses": uri("/Addresses.json"),
            "applications": uri("/Applications.json"),
            "calls": uri("/Calls.json"),
            "keys": uri("/Keys.json"),
            "messages": uri("/Messages.json"),
            "signing_keys": uri("/SigningKeys.json"),
        },
        "type": "Full",
        "uri": uri(".json"),
    })
}

/// Twilio's 404 for a resource the caller cannot see.
pub fn not_found(uri: &Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        20404,
        format!("The requested resource {} was not found", uri.path()),
    )
}

/// Whether `caller` may act on `target`'s 2010-04-01 resources: its own,
/// or those of a subaccount it owns.
pub fn reaches(
    accounts: &HashMap<AccountSid, Account>,
    caller: &AccountSid,
    target: &AccountSid,
) -> bool {
    caller == target
        || accounts
            .get(target)
            .is_some_and(|a| a.owner.as_ref() == Some(caller))
}

/// `Accounts/{Sid}.json`'s SID, or None for anything else.
pub fn sid_in(segment: &str) -> Option<AccountSid> {
    segment.strip_suffix(".json")?.parse().ok()
}

#[derive(Deserialize)]
pub struct Filters {
    #[serde(rename = "FriendlyName")]
    friendly_name: Option<String>,
    #[serde(rename = "Status")]
    status: Option<String>,
}

pub async fn list(
    caller: Caller,
    State(state): State<FakeState>,
    Query(filters): Query<Filters>,
    Query(paging): Query<PageQuery>,
) -> Response {
    let answer = (|| {
        let me = caller.main_only()?;
        let (page_size, page) = paging.bounds()?;
        let status = match filters.status.as_deref() {
            None => None,
            Some(raw) => Some(AccountStatus::parse(raw).ok_or_else(|| {
                bad_request("Invalid Status: expected active, suspended or closed")
            })?),
        };
        let accounts = state.accounts.lock().unwrap_or_else(|p| p.into_inner());
        let mut found: Vec<_> = accounts
            .iter()
            .filter(|(sid, a)| *sid == me || a.owner.as_ref() == Some(me))
            .filter(|(_, a)| status.is_none_or(|s| a.status == s))
            .filter(|(_, a)| {
                filters
                    .friendly_name
                    .as_deref()
                    .is_none_or(|n| a.friendly_name == n)
            })
            .collect();
        found.sort_by_key(|(_, a)| a.order);
        let all = found.into_iter().map(|(sid, a)| view(sid, a)).collect();
        let mut shown = Vec::new();
        if let Some(name) = &filters.friendly_name {
            shown.push(("FriendlyName", name.as_str()));
        }
        if let Some(status) = &filters.status {
            shown.push(("Status", status.as_str()));
        }
        Ok::<_, ApiError>(legacy_page(
            "accounts",
            "/2010-04-01/Accounts.json",
            &shown,
            all,
            page_size,
            page,
        ))
    })();
    match answer {
        Ok(body) => Json(body).into_response(),
        Err(e) => e.into_response(),
    }
}

pub async fn fetch(
    caller: Caller,
    State(state): State<FakeState>,
    Path(segment): Path<String>,
    uri: Uri,
) -> Response {
    let answer = (|| {
        let me = caller.main_only()?;
        let sid = sid_in(&segment).ok_or_else(|| not_found(&uri))?;
        let accounts = state.accounts.lock().unwrap_or_else(|p| p.into_inner());
        if !reaches(&accounts, me, &sid) {
            return Err(not_found(&uri));
        }
        let account = accounts.get(&sid).ok_or_else(|| not_found(&uri))?;
        Ok(view(&sid, account))
    })();
    match answer {
        Ok(body) => Json(body).into_response(),
        Err(e) => e.into_response(),
    }
}
