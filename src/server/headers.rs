//! Headers every answer carries: security policy, caching, compression.

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, VARY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// For answers that are not pages: nothing may load from or frame them.
const LOCKED_DOWN_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The policy of a rendered page: its own scripts (the inline ones carry
/// this response's nonce), WebAssembly, and nothing from anywhere else.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// Headers every answer carries; a page sets its own CSP (with its nonce),
/// anything else gets one that allows nothing. `hashed_assets`: the build
/// names assets by content hash, so they never change under their name.
pub async fn security_headers(
    State(hashed_assets): State<bool>,
    request: Request,
    next: Next,
) -> Response {
    let is_bundle = request.uri().path().starts_with("/pkg/");
    let mut response = next.run(request).await;
    let ok = response.status().is_success();
    let headers = response.headers_mut();
    if is_bundle && ok {
        // Brotli, gzip or plain, by Accept-Encoding (precompressed files).
        headers.append(VARY, HeaderValue::from_static("accept-encoding"));
        headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static(if hashed_assets {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            }),
        );
    }
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(LOCKED_DOWN_CSP),
        );
    }
    // Pages and server-function answers hold account data; assets do not.
    let is_asset = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            [
                "text/css",
                "javascript",
                "application/wasm",
                "image/",
                "font/",
            ]
            .iter()
            .any(|kind| t.contains(kind))
        });
    if !is_asset && !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Pages and server-function answers are compressed as they are sent, when
/// large enough to gain. The bundle is not: its files are compressed once at
/// build time (`scripts/precompress`), as compressing 1 MB per request
/// would cost more than it saves.
pub fn worth_compressing(
    _: StatusCode,
    _: axum::http::Version,
    headers: &axum::http::HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    let text = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"));
    let small = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n < 1024);
    text && !small
}
