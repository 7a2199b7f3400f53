//! Fault injection for tests, off until a test asks for it: per account and
//! route, added latency, an error status (429/500/503, with Retry-After), a
//! response that never comes, a dropped connection, or a malformed body;
//! and the last two after the request was carried out, as when Twilio acts
//! but its answer is lost.
//! Set through `/__fake/faults`, which answers loopback callers only.

use super::error::ApiError;
use super::FakeState;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::time::Duration;

/// The longest a "hang" holds a request, so no test can leak it forever.
const HANG_LIMIT: Duration = Duration::from_secs(600);

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// Answer normally, `ms` milliseconds late.
    Latency { ms: u64 },
    /// Answer with this status and Twilio's error body for it.
    Status {
        status: u16,
        retry_after: Option<u64>,
    },
    /// Never answer.
    Hang,
    /// Start a 200 answer, then cut the connection.
    Drop,
    /// Answer 200 with a body that is not valid JSON.
    Malformed,
    /// Carry the request out (store it), then never answer: a timeout
    /// after Twilio acted.
    StoreThenHang,
    /// Carry the request out, then start its answer and cut the
    /// connection: a reset after Twilio acted.
    StoreThenDrop,
}

/// One rule: which requests it hits, and how many times (None: until cleared).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// `AC…`; None hits every account.
    pub account: Option<String>,
    /// A path prefix such as `/v1/CompositionSettings`; None hits every route.
    pub route: Option<String>,
    /// `GET`, `POST`, `DELETE`; None hits every method.
    pub method: Option<String>,
    pub fault: Fault,
    pub times: Option<u32>,
}

impl FaultRule {
    fn hits(&self, account: Option<&str>, method: &Method, path: &str) -> bool {
        self.account.as_deref().is_none_or(|a| Some(a) == account)
            && self.route.as_deref().is_none_or(|r| path.starts_with(r))
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()))
    }
}

fn admin_only(peer: SocketAddr) -> Result<(), ApiError> {
    if peer.ip().is_loopback() {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            20403,
            "Fault injection is for loopback callers only",
        ))
    }
}

pub async fn add_rule(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    State(state): State<FakeState>,
    Json(rule): Json<FaultRule>,
) -> Response {
    if let Err(e) = admin_only(peer) {
        return e.into_response();
    }
    if let Fault::Status { status, .. } = rule.fault {
        if !(400..=599).contains(&status) {
            return super::error::bad_request("fault status must be from 400 to 599")
                .into_response();
        }
    }
    state.faults().push(rule);
    StatusCode::CREATED.into_response()
}

pub async fn clear_rules(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    State(state): State<FakeState>,
) -> Response {
    if let Err(e) = admin_only(peer) {
        return e.into_response();
    }
    state.faults().clear();
    StatusCode::NO_CONTENT.into_response()
}

/// The account a request claims, from its Basic credentials (before auth
/// is checked, so a fault can also hit requests that would fail auth).
fn claimed_account(state: &FakeState, request: &Request) -> Option<String> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(value.strip_prefix("Basic ")?.trim())
        .ok()?;
    let user = String::from_utf8(decoded)
        .ok()?
        .split(':')
        .next()?
        .to_owned();
    if user.starts_with("SK") {
        state.account_of_key(&user)
    } else {
        Some(user)
    }
}

/// Takes the first matching rule, counting down its uses.
fn next_fault(
    state: &FakeState,
    account: Option<&str>,
    method: &Method,
    path: &str,
) -> Option<Fault> {
    let mut rules = state.faults();
    let index = rules.iter().position(|r| r.hits(account, method, path))?;
    let fault = rules[index].fault.clone();
    if let Some(times) = &mut rules[index].times {
        *times = times.saturating_sub(1);
        if *times == 0 {
            rules.remove(index);
        }
    }
    Some(fault)
}

pub async fn inject(State(state): State<FakeState>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/__fake/") {
        return next.run(request).await;
    }
    let account = claimed_account(&state, &request);
    state.note_request(account.as_deref(), request.method(), request.uri().path());
    let Some(fault) = next_fault(
        &state,
        account.as_deref(),
        request.method(),
        request.uri().path(),
    ) else {
        return next.run(request).await;
    };
    match fault {
        Fault::Latency { ms } => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(request).await
        }
        Fault::Status {
            status,
            retry_after,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let (code, message) = match status.as_u16() {
                429 => (20429, "Too Many Requests"),
                503 => (20503, "Service Unavailable"),
                500..=599 => (20500, "Internal Server Error"),
                _ => (20001, status.canonical_reason().unwrap_or("Error")),
            };
            let mut response = ApiError::new(status, code, message).into_response();
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
        Fault::Hang => {
            tokio::time::sleep(HANG_LIMIT).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Fault::Drop => {
            let cut = cut_body();
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                cut,
            )
                .into_response()
        }
        Fault::StoreThenHang => {
            let _ = next.run(request).await;
            tokio::time::sleep(HANG_LIMIT).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Fault::StoreThenDrop => {
            let _ = next.run(request).await;
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                cut_body(),
            )
                .into_response()
        }
        Fault::Malformed => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "{\"account_sid\": \"AC",
        )
            .into_response(),
    }
}

/// A body that fails after its first bytes: hyper then closes the
/// connection mid-answer, as a dropped connection does.
fn cut_body() -> Body {
    let chunks: Vec<Result<&'static str, std::io::Error>> = vec![
        Ok("{\"account_sid\""),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault injection: connection dropped",
        )),
    ];
    Body::from_stream(futures_util::stream::iter(chunks))
}
