//! Starts the Twilio fake and the console in-process on free ports.
#![allow(dead_code)] // each test file uses its own part of this

use composition_admin::fake::{self, seed, RunningFake, Seed};
use composition_admin::server::{router, AppState};
use composition_admin::twilio::{ClientConfig, RetryPolicy, TwilioClient};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::time::Duration;

pub const ACCOUNT: &str = seed::DEMO_ACCOUNT_SID;
pub const TOKEN: &str = seed::DEMO_AUTH_TOKEN;
pub const PUBLIC_KEY: &str = seed::DEMO_PUBLIC_KEY_SID;
pub const AWS_CREDENTIAL: &str = seed::DEMO_AWS_CREDENTIAL_SID;

/// Runs a console test on one shared runtime, one test at a time.
/// Observed here: with several in-process consoles rendering at once, a page
/// body now and then never finished streaming (about 1 run in 8). The real
/// server, one per process, answered 1,800 concurrent page loads without a
/// stall, so the tests take turns rather than share a process's Leptos state.
pub fn on_shared_runtime<F: std::future::Future>(test: F) -> F::Output {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .unwrap()
        })
        .block_on(test)
}

pub async fn start_fake() -> RunningFake {
    fake::spawn(([127, 0, 0, 1], 0).into(), &Seed::demo())
        .await
        .expect("fake starts")
}

pub fn client_for(base_url: &str, username: &str, password: &str) -> TwilioClient {
    client_with_timeout(base_url, username, password, Duration::from_secs(5))
}

pub fn client_with_timeout(
    base_url: &str,
    username: &str,
    password: &str,
    timeout: Duration,
) -> TwilioClient {
    client_with(base_url, username, password, timeout, 2)
}

/// A client that reports the first answer, for tests of single faults.
pub fn client_without_retries(base_url: &str, username: &str, password: &str) -> TwilioClient {
    client_with(base_url, username, password, Duration::from_secs(5), 0)
}

fn client_with(
    base_url: &str,
    username: &str,
    password: &str,
    timeout: Duration,
    max_retries: usize,
) -> TwilioClient {
    TwilioClient::new(ClientConfig {
        video_base_url: base_url.to_owned(),
        accounts_base_url: base_url.to_owned(),
        username: username.to_owned(),
        password: SecretString::from(password.to_owned()),
        connect_timeout: Duration::from_secs(2),
        request_timeout: timeout,
        // Short delays keep the retry tests quick; Retry-After still rules.
        retries: RetryPolicy {
            max_retries,
            first_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
            ..RetryPolicy::default()
        },
    })
    .expect("client builds")
}

/// The console on a free port, talking to its own fake.
pub struct Console {
    pub addr: SocketAddr,
    pub fake: RunningFake,
}

impl Console {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

pub async fn start_console() -> Console {
    let fake = start_fake().await;
    let twilio = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    let leptos_options = leptos::config::LeptosOptions::builder()
        .output_name("composition-admin")
        .build();
    let app = router(AppState {
        leptos_options,
        twilio,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Console { addr, fake }
}

/// A client that shows redirects instead of following them.
pub fn browser_without_js() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}
