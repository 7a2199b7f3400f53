//! Starts the Twilio fake and the console in-process on free ports.
#![allow(dead_code)] // each test file uses its own part of this

use composition_admin::fake::{self, seed, RunningFake, Seed};
use composition_admin::server::{router, AppState, Site};
use composition_admin::twilio::{ClientConfig, RetryPolicy, TwilioClient};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::time::Duration;

pub const ACCOUNT: &str = seed::DEMO_ACCOUNT_SID;
pub const TOKEN: &str = seed::DEMO_AUTH_TOKEN;
pub const PUBLIC_KEY: &str = seed::DEMO_PUBLIC_KEY_SID;
pub const AWS_CREDENTIAL: &str = seed::DEMO_AWS_CREDENTIAL_SID;

/// Runs a console test on a runtime of its own. Tests run side by side:
/// `server::router` works out the route list once per process, so building
/// one console no longer stalls another's page (see `route_list`).
pub fn on_runtime<F: std::future::Future>(test: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
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

    /// A GET as a browser without JavaScript sends it; redirects are shown,
    /// not followed.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        browser_without_js()
            .get(self.url(path))
            .send()
            .await
            .unwrap()
    }

    /// The HTML of a page.
    pub async fn html(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    /// The `Origin` a browser sends with a post from the console's pages.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }
}

pub async fn start_console() -> Console {
    let fake = start_fake().await;
    let twilio = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    start_console_with(fake, twilio, Duration::from_secs(30)).await
}

/// The console on a free port with the given Twilio client and deadline.
pub async fn start_console_with(
    fake: RunningFake,
    twilio: TwilioClient,
    deadline: Duration,
) -> Console {
    // Static files from the source tree, so asset answers can be tested.
    let leptos_options = leptos::config::LeptosOptions::builder()
        .output_name("composition-admin")
        .site_root("public")
        .build();
    serve(fake, twilio, deadline, leptos_options).await
}

/// The console serving a built site from `site_root`.
pub async fn start_console_serving(site_root: &str, hash_files: bool) -> Console {
    let fake = start_fake().await;
    let twilio = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    let leptos_options = leptos::config::LeptosOptions::builder()
        .output_name("composition-admin")
        .site_root(site_root)
        .hash_files(hash_files)
        .build();
    serve(fake, twilio, Duration::from_secs(30), leptos_options).await
}

async fn serve(
    fake: RunningFake,
    twilio: TwilioClient,
    deadline: Duration,
    leptos_options: leptos::config::LeptosOptions,
) -> Console {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(AppState {
        leptos_options,
        twilio,
        site: Site::new(addr, None),
        deadline,
    });
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
