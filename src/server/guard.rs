//! What every request passes through: only the console's own hosts and
//! origin may use it, and redirects stay on it.

use super::site::Site;
use axum::extract::{Request, State};
use axum::http::header::{HOST, LOCATION, ORIGIN};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};

/// Refuses requests for another host name (DNS rebinding) and
/// state-changing requests from another site.
pub async fn refuse_foreign_requests(
    State(site): State<Site>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    // Health checks come from load balancers that name the machine by IP.
    let health_check = matches!(request.uri().path(), "/healthz" | "/readyz");
    if !health_check && !host.is_some_and(|h| site.is_own_host(h)) {
        return refusal(
            StatusCode::MISDIRECTED_REQUEST,
            "This console does not answer to that host name.",
            "Open it at the address it was started with.",
        );
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) && !is_same_site(&site, &request) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        return refusal(
            StatusCode::FORBIDDEN,
            "This request came from another site, so nothing was changed.",
            "Changes are accepted only from the console's own pages. Open the console and try again there.",
        );
    }
    next.run(request).await
}

/// `Origin` is the console's own; without one, the browser says the request
/// was same-origin or typed by the user (`Sec-Fetch-Site`).
fn is_same_site(site: &Site, request: &Request) -> bool {
    let headers = request.headers();
    // An Origin that is present but unreadable is not ours either.
    match headers.get(ORIGIN) {
        Some(origin) => origin.to_str().is_ok_and(|o| site.is_own_origin(o)),
        None => matches!(
            headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
            Some("same-origin" | "none")
        ),
    }
}

fn refusal(status: StatusCode, title: &str, advice: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Refused</title></head>\
         <body><main><h1>{title}</h1><p>{advice}</p></main></body></html>"
    );
    (status, Html(page)).into_response()
}

/// A page URL with outcome parameters the console did not sign is sent to
/// the same page without them, so a crafted link cannot fill a form, tick
/// a confirmation or offer a destructive button.
pub async fn drop_unsigned_outcomes(
    State(site): State<Site>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        let uri = request.uri();
        let session = super::site::session_binding(request.headers());
        if let Some(clean) = uri
            .query()
            .and_then(|q| site.unsigned_outcome_removed(uri.path(), q, &session))
        {
            return Redirect::to(&clean).into_response();
        }
    }
    next.run(request).await
}

/// Every redirect leads to a path on this console, and the outcome it
/// reports is signed.
pub async fn keep_redirects_home(
    State(site): State<Site>,
    request: Request,
    next: Next,
) -> Response {
    let session = super::site::session_binding(request.headers());
    let mut response = next.run(request).await;
    let home = response
        .headers()
        .get(LOCATION)
        .map(|v| site.home_location(v.to_str().unwrap_or("/"), &session));
    if let Some(Ok(value)) = home.map(HeaderValue::try_from) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}
