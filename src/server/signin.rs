//! Who is asking: the session cookie, checked on every request before any
//! page or server function runs. Pages without a signed-in staff member
//! lead to the sign-in page; server functions answer 401. The caller is
//! put in the request for the server function's own authorisation check.

use super::AppState;
use crate::domain::StaffId;
use crate::services::Caller;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::paths::SIGN_IN;
/// A session ends this long after sign-in, however active.
pub const ABSOLUTE_EXPIRY_SECS: i64 = 12 * 3600;
/// … and this long after its last request.
pub const IDLE_EXPIRY_MINUTES: i64 = 30;
const KEY: &str = "staff";
/// The session cookie's name.
pub const COOKIE: &str = "console_session";

/// What the session holds: who, since when, last seen.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SignedIn {
    pub staff: StaffId,
    pub since: i64,
    pub seen: i64,
    /// The password's stamp at sign-in: a new password ends the session.
    #[serde(default)]
    pub stamp: String,
}

/// Paths anyone may load: the sign-in page and its server function, the
/// health checks, and static files.
fn is_public(path: &str) -> bool {
    path == SIGN_IN
        || path == "/api/auth/sign-in"
        || path == "/healthz"
        || path == "/readyz"
        || is_static(path)
}

fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg"
}

/// The one line pages and calls answer while the database is down: 503,
/// never a sign-in redirect (which would hide the cause and drop what a
/// form without JavaScript carried).
fn database_unavailable(path: &str, headers: &axum::http::HeaderMap) -> Response {
    let error = crate::domain::AppError::database_unavailable();
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let mut response = if path.starts_with("/api/") && !wants_html {
        let body = serde_json::to_string(&error).unwrap_or_default();
        (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
    } else {
        let page = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Unavailable</title></head><body><p role=\"alert\">{error}</p></body></html>"
        );
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            page,
        )
            .into_response()
    };
    response.headers_mut().insert(
        header::RETRY_AFTER,
        axum::http::HeaderValue::from_static("5"),
    );
    response
}

pub async fn require_sign_in(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    // Static files wait for nothing, the database least of all.
    if is_static(&path) {
        return next.run(request).await;
    }
    let signed_in = match signed_in(&state, &session).await {
        Ok(found) => found,
        Err(()) => return database_unavailable(&path, request.headers()),
    };
    if let Some((caller, touched)) = signed_in {
        request.extensions_mut().insert(caller);
        let mut response = next.run(request).await;
        if let (true, Some(id)) = (touched, session.id()) {
            // The browser's cookie lives as long as the stored session.
            if let Ok(cookie) = session_cookie(&id, state.site.serves_https()).parse() {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
        }
        return response;
    }
    if is_public(&path) {
        return next.run(request).await;
    }
    let wants_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if path.starts_with("/api/") && !wants_html {
        let body = serde_json::to_string(&crate::domain::AppError::NotSignedIn).unwrap_or_default();
        return (StatusCode::UNAUTHORIZED, body).into_response();
    }
    Redirect::to(SIGN_IN).into_response()
}

/// The caller behind the session, if it is valid: not past its absolute
/// expiry, and naming a staff member who still exists, and whether its
/// idle expiry was moved on. A session past its time is ended here. `Err`
/// when the database could not be read.
async fn signed_in(state: &AppState, session: &Session) -> Result<Option<(Caller, bool)>, ()> {
    let now = crate::store::now();
    let current: Option<SignedIn> = match session.get(KEY).await {
        Ok(current) => current,
        Err(e) => {
            crate::store::outage::note_unavailable(&e);
            return Err(());
        }
    };
    let Some(mut current) = current else {
        return Ok(None);
    };
    if now - current.since > ABSOLUTE_EXPIRY_SECS {
        let _ = session.flush().await;
        return Ok(None);
    }
    let caller = match state.auth.caller(&current.staff).await {
        Ok(Some(caller)) if caller.password_stamp == current.stamp => caller,
        Ok(_) => {
            let _ = session.flush().await;
            return Ok(None);
        }
        Err(crate::domain::AppError::DatabaseUnavailable) => return Err(()),
        Err(_) => return Ok(None),
    };
    crate::store::outage::note_available();
    // Moving the idle expiry on, once a minute, is written here, before the
    // request and best effort: through the session (saved after the
    // handler) a failed write would replace a change already made at
    // Twilio with an empty 500.
    let mut touched = false;
    if now - current.seen >= 60 {
        current.seen = now;
        if let Some(id) = session.id() {
            let table = crate::store::SessionTable::new(state.projects.store().clone());
            let data = serde_json::json!({ KEY: &current });
            let expires_at = now + IDLE_EXPIRY_MINUTES * 60;
            match table.touch(&id, &data, expires_at).await {
                Ok(()) => touched = true,
                Err(e) => tracing::warn!("could not move a session's idle expiry on: {e}"),
            }
        }
    }
    Ok(Some((caller, touched)))
}

/// The session cookie as tower-sessions sets it at sign-in (see
/// `session_layer`), for an idle expiry moved on outside it.
fn session_cookie(id: &tower_sessions::session::Id, secure: bool) -> String {
    use tower_sessions::cookie::{time::Duration, Cookie, SameSite};
    Cookie::build((COOKIE, id.to_string()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .max_age(Duration::minutes(IDLE_EXPIRY_MINUTES))
        .build()
        .to_string()
}

/// Starts a session for `staff` under a new id (no fixation).
pub async fn start(session: &Session, staff: &StaffId, stamp: String) -> Result<(), String> {
    session.cycle_id().await.map_err(|e| e.to_string())?;
    let now = crate::store::now();
    session
        .insert(
            KEY,
            SignedIn {
                staff: staff.clone(),
                since: now,
                seen: now,
                stamp,
            },
        )
        .await
        .map_err(|e| e.to_string())
}

/// Ends the session on the server first, then in this answer (the cookie
/// is removed). If the server could not end it, nothing else changes: the
/// browser keeps its cookie, so the person can try again.
pub async fn end(state: &AppState, session: &Session) -> Result<(), String> {
    if let Some(id) = session.id() {
        use tower_sessions::SessionStore;
        crate::store::SessionTable::new(state.projects.store().clone())
            .delete(&id)
            .await
            .map_err(|e| e.to_string())?;
    }
    // The stored row is gone; this forgets the data and the cookie.
    let _ = session.flush().await;
    Ok(())
}
