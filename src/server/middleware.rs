//! Two corrections to how leptos answers server-function calls.

use super::site::without_outcome_params;
use crate::domain::{AppError, Failure};
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::REFERER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

/// Leptos answers 500 when a server function's arguments do not decode,
/// which is the caller's mistake: make those 400.
pub async fn undecodable_calls_are_400(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let is_request_error = serde_json::from_slice::<AppError>(&bytes)
        .map(|e| matches!(e, AppError::Request(_)))
        .or_else(|_| {
            serde_json::from_slice::<Failure<serde_json::Value>>(&bytes)
                .map(|f| matches!(f.error, AppError::Request(_)))
        })
        .unwrap_or(false);
    if is_request_error {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A form posted without JavaScript redirects back to its Referer, with any
/// new error appended. A page that already shows an earlier error (or a
/// "saved" note) has those in its URL, and leptos would show the first
/// error found: drop the old ones before the server function runs.
pub async fn forget_earlier_form_errors(mut request: Request) -> Request {
    let cleaned = request
        .headers()
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .filter(|referer| referer.contains('?'))
        .map(without_outcome_params);
    if let Some(Ok(value)) = cleaned.map(HeaderValue::try_from) {
        request.headers_mut().insert(REFERER, value);
    }
    request
}
