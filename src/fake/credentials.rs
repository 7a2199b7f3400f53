//! Accounts v1 `/v1/Credentials/AWS` and `/v1/Credentials/PublicKeys`:
//! list (paged), create (201), fetch, rename, delete (204).

use super::auth::Authed;
use super::error::{bad_request, ApiError};
use super::form::Form;
use super::paging::PageQuery;
use super::public_key::check_public_key;
use super::{now_iso, Account, Credential, CredentialKind, FakeState, ACCOUNTS_HOST};
use crate::domain::{AccountSid, CredentialSid};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::json;

use crate::domain::credentials::MAX_FRIENDLY_NAME;

/// The JSON Twilio returns: never the secret or the key material.
#[derive(Serialize)]
struct CredentialView<'a> {
    sid: &'a CredentialSid,
    account_sid: &'a AccountSid,
    friendly_name: Option<&'a str>,
    date_created: &'a str,
    date_updated: &'a str,
    url: String,
}

fn view<'a>(
    account: &'a AccountSid,
    sid: &'a CredentialSid,
    c: &'a Credential,
) -> CredentialView<'a> {
    CredentialView {
        sid,
        account_sid: account,
        friendly_name: c.friendly_name.as_deref(),
        date_created: &c.date_created,
        date_updated: &c.date_updated,
        url: format!("{ACCOUNTS_HOST}{}/{sid}", c.kind.path()),
    }
}

fn not_found(uri: &Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        20404,
        format!("The requested resource {} was not found", uri.path()),
    )
}

fn friendly_name(form: &Form) -> Result<Option<String>, ApiError> {
    match form.get("FriendlyName") {
        Some(name) if name.chars().count() > MAX_FRIENDLY_NAME => Err(bad_request(format!(
            "FriendlyName is too long: at most {MAX_FRIENDLY_NAME} characters"
        ))),
        other => Ok(other.map(str::to_owned)),
    }
}

/// Twilio's AWS credential format: `<access key id>:<secret access key>`.
fn check_aws_credentials(value: &str) -> Result<(), ApiError> {
    let valid = value.split_once(':').is_some_and(|(id, secret)| {
        id.len() == 20
            && id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && secret.len() == 40
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+' | b'='))
    });
    if valid {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            70106,
            "Invalid AWS credentials: expected an access key id of 20 characters A-Z 0-9, a colon, and a secret of 40 characters A-Z a-z 0-9 / + =",
        ))
    }
}

fn create(
    state: &FakeState,
    sid: &AccountSid,
    kind: CredentialKind,
    body: &[u8],
) -> Result<Response, ApiError> {
    let (material_key, allowed): (&str, &[&str]) = match kind {
        CredentialKind::Aws => (
            "Credentials",
            &["Credentials", "FriendlyName", "AccountSid"],
        ),
        CredentialKind::PublicKey => ("PublicKey", &["PublicKey", "FriendlyName", "AccountSid"]),
    };
    let form = Form::parse(body, allowed)?;
    let material = form.required(material_key)?;
    let name = friendly_name(&form)?;
    if form.get("AccountSid").is_some_and(|a| a != sid.as_str()) {
        return Err(bad_request(
            "AccountSid must be a subaccount of the requesting account",
        ));
    }
    match kind {
        CredentialKind::Aws => check_aws_credentials(material)?,
        CredentialKind::PublicKey => check_public_key(material)?,
    }
    let new_sid: CredentialSid = format!("CR{}", uuid::Uuid::new_v4().simple())
        .parse()
        .expect("CR and 32 hex digits");
    let now = now_iso();
    let credential = Credential {
        kind,
        friendly_name: name,
        date_created: now.clone(),
        date_updated: now,
        seq: 0,
    };
    let body = state
        .with_account(sid, |account| {
            let stored = account.add_credential(new_sid.clone(), credential);
            serde_json::to_value(view(sid, &new_sid, stored)).expect("serializable")
        })
        .ok_or_else(super::error::unauthenticated)?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

fn list(
    state: &FakeState,
    sid: &AccountSid,
    kind: CredentialKind,
    query: &PageQuery,
) -> Result<Response, ApiError> {
    let (page_size, page) = query.bounds()?;
    let path = kind.path();
    let page_url = |n: usize| {
        let token = if n == 0 {
            String::new()
        } else {
            format!("&PageToken=PA{}", n * page_size)
        };
        format!("{ACCOUNTS_HOST}{path}?PageSize={page_size}&Page={n}{token}")
    };
    let body = state
        .with_account(sid, |account| {
            let all = account.credentials_of(kind);
            let start = page.saturating_mul(page_size).min(all.len());
            let end = start.saturating_add(page_size).min(all.len());
            let items: Vec<_> = all[start..end]
                .iter()
                .map(|(csid, c)| serde_json::to_value(view(sid, csid, c)).expect("serializable"))
                .collect();
            json!({
                "credentials": items,
                "meta": {
                    "first_page_url": page_url(0),
                    "key": "credentials",
                    "next_page_url": (end < all.len()).then(|| page_url(page + 1)),
                    "page": page,
                    "page_size": page_size,
                    "previous_page_url": (page > 0).then(|| page_url(page - 1)),
                    "url": page_url(page),
                }
            })
        })
        .ok_or_else(super::error::unauthenticated)?;
    Ok(Json(body).into_response())
}

/// Runs `f` on the credential at `raw_sid` if it exists and is of `kind`.
fn with_credential<T>(
    state: &FakeState,
    account_sid: &AccountSid,
    kind: CredentialKind,
    raw_sid: &str,
    uri: &Uri,
    f: impl FnOnce(&mut Account, &CredentialSid) -> T,
) -> Result<T, ApiError> {
    let sid: CredentialSid = raw_sid.parse().map_err(|_| not_found(uri))?;
    state
        .with_account(account_sid, |account| {
            let found = account
                .credentials
                .get(&sid)
                .is_some_and(|c| c.kind == kind);
            found.then(|| f(account, &sid))
        })
        .flatten()
        .ok_or_else(|| not_found(uri))
}

macro_rules! credential_handlers {
    ($kind:expr, $list:ident, $create:ident, $fetch:ident, $update:ident, $delete:ident) => {
        pub async fn $list(
            Authed(sid): Authed,
            State(state): State<FakeState>,
            Query(q): Query<PageQuery>,
        ) -> Response {
            list(&state, &sid, $kind, &q).unwrap_or_else(IntoResponse::into_response)
        }

        pub async fn $create(
            Authed(sid): Authed,
            State(state): State<FakeState>,
            body: Bytes,
        ) -> Response {
            create(&state, &sid, $kind, &body).unwrap_or_else(IntoResponse::into_response)
        }

        pub async fn $fetch(
            Authed(sid): Authed,
            State(state): State<FakeState>,
            Path(csid): Path<String>,
            uri: Uri,
        ) -> Response {
            with_credential(&state, &sid, $kind, &csid, &uri, |account, csid| {
                Json(view(&sid, csid, &account.credentials[csid])).into_response()
            })
            .unwrap_or_else(IntoResponse::into_response)
        }

        pub async fn $update(
            Authed(sid): Authed,
            State(state): State<FakeState>,
            Path(csid): Path<String>,
            uri: Uri,
            body: Bytes,
        ) -> Response {
            let result = Form::parse(&body, &["FriendlyName"])
                .and_then(|form| friendly_name(&form))
                .and_then(|name| {
                    with_credential(&state, &sid, $kind, &csid, &uri, |account, csid| {
                        let c = account.credentials.get_mut(csid).expect("checked");
                        if let Some(name) = name {
                            c.friendly_name = Some(name);
                            c.date_updated = now_iso();
                        }
                        Json(view(&sid, csid, c)).into_response()
                    })
                });
            result.unwrap_or_else(IntoResponse::into_response)
        }

        pub async fn $delete(
            Authed(sid): Authed,
            State(state): State<FakeState>,
            Path(csid): Path<String>,
            uri: Uri,
        ) -> Response {
            with_credential(&state, &sid, $kind, &csid, &uri, |account, csid| {
                account.credentials.remove(csid);
                StatusCode::NO_CONTENT.into_response()
            })
            .unwrap_or_else(IntoResponse::into_response)
        }
    };
}

credential_handlers!(
    CredentialKind::Aws,
    list_aws,
    create_aws,
    fetch_aws,
    update_aws,
    delete_aws
);
credential_handlers!(
    CredentialKind::PublicKey,
    list_public_keys,
    create_public_key,
    fetch_public_key,
    update_public_key,
    delete_public_key
);

#[cfg(test)]
mod tests {
    use super::check_aws_credentials;

    #[test]
    fn aws_credentials_need_id_colon_secret() {
        assert!(check_aws_credentials(
            "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        )
        .is_ok());
        assert!(check_aws_credentials("AKIAIOSFODNN7EXAMPLE").is_err());
        assert!(check_aws_credentials(
            "akiaiosfodnn7example:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        )
        .is_err());
        assert!(check_aws_credentials("AKIAIOSFODNN7EXAMPLE:short").is_err());
    }
}
