//! The one place that speaks HTTP to Twilio: a shared client, Basic auth,
//! form-encoded PascalCase requests, typed responses and errors.

mod accounts;
mod credentials;
mod error;
mod pace;
mod settings;

pub use accounts::{KeyInfo, NewKey, Subaccount};
pub use credentials::path_and_query;
pub use error::TwilioError;
pub use pace::PaceConfig;

use backon::{ExponentialBuilder, Retryable};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use std::time::Duration;

/// Where Twilio lives and how to log in; base URLs are configuration so the
/// same binary talks to the fake in tests and to Twilio in production.
pub struct ClientConfig {
    pub video_base_url: String,
    pub accounts_base_url: String,
    /// The 2010-04-01 API (`api.twilio.com`): subaccounts and API keys.
    pub api_base_url: String,
    /// `AC…` with an auth token, or `SK…` with an API key secret.
    pub username: String,
    pub password: SecretString,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Retries after a 429 or 503 on idempotent requests.
    pub retries: RetryPolicy,
}

/// Where Twilio lives and how to talk to it, for every project alike.
pub struct PoolConfig {
    pub video_base_url: String,
    pub accounts_base_url: String,
    /// The 2010-04-01 API (`api.twilio.com`): subaccounts and API keys.
    pub api_base_url: String,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub retries: RetryPolicy,
    /// Each account's share of Twilio's request quotas.
    pub pace: PaceConfig,
}

/// Capped exponential backoff; a `Retry-After` up to `max_wait` replaces
/// the computed delay, a longer one ends the retrying at once.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub max_retries: usize,
    pub first_delay: Duration,
    pub max_delay: Duration,
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            first_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(2),
            max_wait: Duration::from_secs(5),
        }
    }
}

/// Whether a request may be sent again after a "busy" answer. Reads and
/// the settings POST (which sets the whole resource) may; creating a
/// credential may not, as a retry could create it twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idempotent {
    Yes,
    No,
}

/// One connection pool for the whole process; each project's client
/// borrows it with its own login.
#[derive(Clone)]
pub struct TwilioPool {
    shared: Arc<Shared>,
}

struct Shared {
    http: reqwest::Client,
    video_base_url: String,
    accounts_base_url: String,
    api_base_url: String,
    request_timeout: Duration,
    retries: RetryPolicy,
    pace: pace::Pace,
}

impl TwilioPool {
    pub fn new(config: PoolConfig) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            // A redirect from "Twilio" is not Twilio: report it, never follow
            // it (it could carry the Basic credentials elsewhere).
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(concat!("composition-admin/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            shared: Arc::new(Shared {
                http,
                video_base_url: config.video_base_url,
                accounts_base_url: config.accounts_base_url,
                api_base_url: config.api_base_url,
                request_timeout: config.request_timeout,
                retries: config.retries,
                pace: pace::Pace::new(config.pace),
            }),
        })
    }

    /// A client that logs in as `username` (`AC…` or `SK…`); the login is
    /// the client's alone, the connections are shared.
    pub fn client(&self, username: String, password: SecretString) -> TwilioClient {
        TwilioClient {
            inner: self.shared.clone(),
            login: Arc::new(Login { username, password }),
        }
    }
}

/// One account's view of Twilio. Cheap to clone.
#[derive(Clone)]
pub struct TwilioClient {
    inner: Arc<Shared>,
    login: Arc<Login>,
}

struct Login {
    username: String,
    password: SecretString,
}

impl TwilioClient {
    /// A client with a pool of its own (tests, one-off tools).
    pub fn new(config: ClientConfig) -> Result<Self, reqwest::Error> {
        let pool = TwilioPool::new(PoolConfig {
            video_base_url: config.video_base_url,
            accounts_base_url: config.accounts_base_url,
            api_base_url: config.api_base_url,
            connect_timeout: config.connect_timeout,
            request_timeout: config.request_timeout,
            retries: config.retries,
            pace: PaceConfig::default(),
        })?;
        Ok(pool.client(config.username, config.password))
    }

    fn video_url(&self, path: &str) -> String {
        format!("{}{}", self.inner.video_base_url, path)
    }

    /// Sends (again after a 429 or 503 when `idempotent`), with credentials,
    /// and turns any non-2xx answer into `TwilioError`.
    async fn send(
        &self,
        build: impl Fn() -> reqwest::RequestBuilder,
        idempotent: Idempotent,
    ) -> Result<reqwest::Response, TwilioError> {
        let once = || self.send_once(build());
        if idempotent == Idempotent::No {
            return once().await;
        }
        let policy = self.inner.retries;
        let backoff = ExponentialBuilder::default()
            .with_min_delay(policy.first_delay)
            .with_max_delay(policy.max_delay)
            .with_max_times(policy.max_retries);
        once.retry(backoff)
            .when(TwilioError::is_busy)
            .adjust(|error, delay| match error.retry_after() {
                Some(wait) if wait > policy.max_wait => None,
                Some(wait) => delay.map(|_| wait),
                None => delay,
            })
            .notify(|error, delay| tracing::info!(%error, ?delay, "Twilio is busy; retrying"))
            .await
    }

    async fn send_once(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, TwilioError> {
        let transport = |e| TwilioError::from_transport(e, self.inner.request_timeout);
        let request = request
            .basic_auth(
                &self.login.username,
                Some(self.login.password.expose_secret()),
            )
            .header(reqwest::header::ACCEPT, "application/json")
            .build()
            .map_err(transport)?;
        // Each try counts against the account's quota, retries included.
        self.inner.pace.wait(&request, &self.login.username).await;
        let response = self.inner.http.execute(request).await.map_err(transport)?;
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
        let body = read_capped(response, MAX_ANSWER_BYTES)
            .await
            .map_err(|e| match e {
                Capped::Transport(e) => TwilioError::from_transport(e, self.inner.request_timeout),
                Capped::TooLarge => TwilioError::Protocol(format!(
                    "Twilio's answer was larger than {} MiB; it was not read",
                    MAX_ANSWER_BYTES >> 20
                )),
            })?;
        serde_json::from_slice(&body)
            .map_err(|e| TwilioError::Protocol(format!("unexpected response body: {e}")))
    }
}

/// Largest answer read from Twilio: a full page of 1,000 credentials is
/// about 400 KiB.
const MAX_ANSWER_BYTES: usize = 4 << 20;
/// Largest error answer read; Twilio's are a few hundred bytes.
const MAX_ERROR_BYTES: usize = 64 << 10;

enum Capped {
    Transport(reqwest::Error),
    TooLarge,
}

/// The body, read chunk by chunk, refused once it passes `limit` bytes.
async fn read_capped(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, Capped> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(Capped::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Capped::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(Capped::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
