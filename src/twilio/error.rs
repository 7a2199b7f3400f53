//! Twilio's error answers and transport failures, and how users see them.

use crate::domain::AppError;
use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum TwilioError {
    /// Twilio answered with an error body (or at least an error status).
    #[error("Twilio answered {status} (code {code:?}): {message}")]
    Api {
        status: u16,
        code: Option<u32>,
        message: String,
        more_info: Option<String>,
        retry_after: Option<Duration>,
    },
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("could not connect: {0}")]
    Connect(String),
    /// The connection broke off before the answer was complete.
    #[error("the answer was cut off: {0}")]
    Interrupted(String),
    /// Twilio's answer did not have the shape we expect.
    #[error("{0}")]
    Protocol(String),
}

/// Twilio's legacy error body: `{code, message, more_info, status}`.
#[derive(Deserialize)]
struct ErrorBody {
    code: Option<u32>,
    message: Option<String>,
    more_info: Option<String>,
}

impl TwilioError {
    /// Twilio asks us to come back later: 429 Too Many Requests or 503.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            Self::Api {
                status: 429 | 503,
                ..
            }
        )
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub(super) fn from_transport(e: reqwest::Error, timeout: Duration) -> Self {
        if e.is_timeout() {
            Self::Timeout(timeout)
        } else if e.is_connect() {
            Self::Connect(e.without_url().to_string())
        } else if e.is_body() || e.is_decode() || e.is_request() {
            Self::Interrupted(e.without_url().to_string())
        } else {
            Self::Protocol(e.without_url().to_string())
        }
    }

    pub(super) async fn from_response(response: reqwest::Response) -> Self {
        let status = response.status();
        // Seconds only; Twilio does not send the HTTP-date form.
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = super::read_capped(response, super::MAX_ERROR_BYTES)
            .await
            .unwrap_or_default();
        let parsed = serde_json::from_slice::<ErrorBody>(&body).ok();
        let fallback = status
            .canonical_reason()
            .unwrap_or("Unexpected answer")
            .to_owned();
        match parsed {
            Some(b) => Self::Api {
                status: status.as_u16(),
                code: b.code,
                message: b.message.unwrap_or(fallback),
                more_info: b.more_info,
                retry_after,
            },
            // A non-JSON error body (a proxy page, say): keep the status.
            None => Self::Api {
                status: status.as_u16(),
                code: None,
                message: fallback,
                more_info: None,
                retry_after,
            },
        }
    }
}

impl From<TwilioError> for AppError {
    fn from(e: TwilioError) -> Self {
        match e {
            TwilioError::Api {
                status,
                code,
                message,
                more_info,
                ..
            } => AppError::Twilio {
                status,
                code,
                message,
                more_info,
            },
            TwilioError::Timeout(after) => AppError::did_not_answer(after.as_secs()),
            TwilioError::Connect(detail) => {
                tracing::warn!(%detail, "could not connect to Twilio");
                AppError::Unavailable {
                    message: "could not connect to Twilio; check the network and the configured base URL, then try again".into(),
                }
            }
            TwilioError::Interrupted(detail) => {
                tracing::warn!(%detail, "Twilio's answer was cut off");
                AppError::Unavailable {
                    message: "the connection to Twilio broke off before its answer was complete; a change may or may not have been made, so reload to see the current state".into(),
                }
            }
            TwilioError::Protocol(detail) => {
                let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
                tracing::error!(%id, %detail, "unexpected answer from Twilio");
                AppError::Unavailable {
                    message: format!(
                        "Twilio's answer could not be read (reference {id}); try again"
                    ),
                }
            }
        }
    }
}
