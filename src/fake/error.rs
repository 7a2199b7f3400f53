//! Twilio's legacy error body: `{code, message, more_info, status}`, never
//! `type`/`title` (the SDKs would read those as RFC 9457 errors).

use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An error answer: HTTP status, Twilio code and message.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: u32,
    message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "code": self.code,
            "message": self.message,
            "more_info": format!("https://www.twilio.com/docs/errors/{}", self.code),
            "status": self.status.as_u16(),
        });
        let unauthorized = self.status == StatusCode::UNAUTHORIZED;
        if unauthorized {
            body["detail"] = json!("Your AccountSid or AuthToken was incorrect.");
        }
        let mut response = (self.status, Json(body)).into_response();
        if unauthorized {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Basic realm=\"Twilio API\""),
            );
        }
        response
    }
}

/// Twilio's 401: wrong or missing credentials.
pub fn unauthenticated() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, 20003, "Authenticate")
}

/// Twilio's 20001: a missing, unknown or malformed parameter.
pub fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, 20001, message)
}

pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        20404,
        format!("The requested resource {} was not found", uri.path()),
    )
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, 20004, "Method not allowed")
}

/// Rejections raised by axum itself (a body over the limit, say) come as
/// plain text; Twilio's clients expect its JSON error shape on every error.
pub async fn twilio_shaped(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "The request body is too large".to_owned(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "Unsupported Content-Type".to_owned(),
        other => other.canonical_reason().unwrap_or("Bad request").to_owned(),
    };
    let code = if status.is_server_error() {
        20500
    } else {
        20001
    };
    ApiError::new(status, code, message).into_response()
}
