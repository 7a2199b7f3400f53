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
/// health check, and static files.
fn is_public(path: &str) -> bool {
    path == SIGN_IN
        || path == "/api/auth/sign-in"
        || path == "/healthz"
        || path.starts_with("/pkg/")
        || path == "/favicon.svg"
}

pub async fn require_sign_in(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if let Some(caller) = signed_in(&state, &session).await {
        request.extensions_mut().insert(caller);
        return next.run(request).await;
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
/// expiry, and naming a staff member who still exists. A session past its
/// time is ended here.
async fn signed_in(state: &AppState, session: &Session) -> Option<Caller> {
    let now = crate::store::now();
    let mut current: SignedIn = session.get(KEY).await.ok().flatten()?;
    if now - current.since > ABSOLUTE_EXPIRY_SECS {
        let _ = session.flush().await;
        return None;
    }
    // Saving moves the idle expiry on; once a minute is enough.
    if now - current.seen >= 60 {
        current.seen = now;
        let _ = session.insert(KEY, &current).await;
    }
    match state.auth.caller(&current.staff).await {
        Ok(Some(caller)) if caller.password_stamp == current.stamp => Some(caller),
        Ok(_) => {
            let _ = session.flush().await;
            None
        }
        Err(_) => None,
    }
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

/// Ends the session on the server; the cookie is removed.
pub async fn end(session: &Session) {
    let _ = session.flush().await;
}
