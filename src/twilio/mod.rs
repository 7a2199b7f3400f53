//! The one place that speaks HTTP to Twilio: a shared client, Basic auth,
//! form-encoded PascalCase requests, typed responses and errors.

mod error;
mod settings;

pub use error::TwilioError;

use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use std::time::Duration;

/// Where Twilio lives and how to log in; base URLs are configuration so the
/// same binary talks to the fake in tests and to Twilio in production.
pub struct ClientConfig {
    pub video_base_url: String,
    pub accounts_base_url: String,
    /// `AC…` with an auth token, or `SK…` with an API key secret.
    pub username: String,
    pub password: SecretString,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

/// Cheap to clone: one connection pool shared by every request.
#[derive(Clone)]
pub struct TwilioClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    video_base_url: String,
    #[allow(dead_code)] // the Accounts API is used from the credentials issue on
    accounts_base_url: String,
    username: String,
    password: SecretString,
    request_timeout: Duration,
}

impl TwilioClient {
    pub fn new(config: ClientConfig) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(concat!("composition-admin/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                video_base_url: config.video_base_url,
                accounts_base_url: config.accounts_base_url,
                username: config.username,
                password: config.password,
                request_timeout: config.request_timeout,
            }),
        })
    }

    fn video_url(&self, path: &str) -> String {
        format!("{}{}", self.inner.video_base_url, path)
    }

    /// Sends with credentials and turns any non-2xx answer into `TwilioError`.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, TwilioError> {
        let response = request
            .basic_auth(
                &self.inner.username,
                Some(self.inner.password.expose_secret()),
            )
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| TwilioError::from_transport(e, self.inner.request_timeout))?;
        // Twilio answers 200 or 201 for a settings POST depending on the spec
        // version; any 2xx is success, as in the official SDKs.
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(TwilioError::from_response(response).await)
        }
    }

    async fn json<T: serde::de::DeserializeOwned>(
        &self,
        response: reqwest::Response,
    ) -> Result<T, TwilioError> {
        let body = response
            .bytes()
            .await
            .map_err(|e| TwilioError::from_transport(e, self.inner.request_timeout))?;
        serde_json::from_slice(&body)
            .map_err(|e| TwilioError::Protocol(format!("unexpected response body: {e}")))
    }
}
