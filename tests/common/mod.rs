//! Starts the Twilio fake and the console in-process on free ports.
#![allow(dead_code)] // each test file uses its own part of this

mod temp;
pub use temp::{Databases, TestDir};

use composition_admin::domain::{Login, ProjectId, ProjectUpdate, Role};
use composition_admin::fake::{self, seed, RunningFake, Seed};
use composition_admin::server::{router, AppState, Site};
use composition_admin::services::refresh::{RefreshConfig, Refresher};
use composition_admin::services::{Auth, Projects};
use composition_admin::store::Store;
use composition_admin::twilio::{PoolConfig, RetryPolicy, TwilioClient, TwilioPool};
use composition_admin::vault::{MasterKey, Vault};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::time::Duration;

pub const ACCOUNT: &str = seed::DEMO_ACCOUNT_SID;
pub const TOKEN: &str = seed::DEMO_AUTH_TOKEN;
pub const PUBLIC_KEY: &str = seed::DEMO_PUBLIC_KEY_SID;
pub const AWS_CREDENTIAL: &str = seed::DEMO_AWS_CREDENTIAL_SID;
/// The id the test console registers the demo account under.
pub const PROJECT: &str = "acme";

/// Runs a console test on a runtime of its own. Tests run side by side:
/// `server::router` works out the route list once per process, so building
/// one console no longer stalls another's page (see `route_list`).
pub fn on_runtime<F: std::future::Future>(test: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Debug builds of a page render nest deep futures; the default 2 MiB
        // ran out once every test shared one binary.
        .thread_stack_size(8 << 20)
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
    pool_with(base_url, timeout, max_retries)
        .client(username.to_owned(), SecretString::from(password.to_owned()))
}

/// The process-wide Twilio pool as a console builds it, aimed at `base_url`.
pub fn pool_with(base_url: &str, timeout: Duration, max_retries: usize) -> TwilioPool {
    TwilioPool::new(PoolConfig {
        pace: Default::default(),
        video_base_url: base_url.to_owned(),
        accounts_base_url: base_url.to_owned(),
        api_base_url: base_url.to_owned(),
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
    .expect("pool builds")
}

/// A fresh SQLite store in a temporary folder of its own, and the folder.
pub async fn temp_store() -> (Store, TestDir) {
    let dir = TestDir::new("composition-admin-test");
    let store = Store::open(&format!(
        "sqlite://{}?mode=rwc",
        dir.join("console.db").display()
    ))
    .await
    .expect("store opens");
    (store, dir)
}

/// Projects in a fresh store, with the demo account registered as `PROJECT`;
/// the store's folder.
pub async fn projects_for(fake_base: &str, timeout: Duration) -> (Projects, TestDir) {
    let (store, dir) = temp_store().await;
    let key = MasterKey::generate();
    let vault = Vault::new(&key);
    store.set_key_check(&vault.key_check()).await.unwrap();
    let projects = Projects::new(store, vault, pool_with(fake_base, timeout, 2));
    projects
        .register(
            &ProjectUpdate {
                name: "Acme Video".into(),
                account_sid: ACCOUNT.parse().unwrap(),
                login: Login::AuthToken,
                secret: Some(TOKEN.into()),
            },
            Some(PROJECT.parse().unwrap()),
        )
        .await
        .expect("the test project registers");
    (projects, dir)
}

/// The console on a free port, talking to its own fake.
pub struct Console {
    pub addr: SocketAddr,
    pub fake: RunningFake,
    pub projects: Projects,
    /// `console_session=…` of the admin `start_console` signed in.
    pub cookie: String,
    /// The folder of its SQLite database, when the test made one.
    pub data_dir: Option<TestDir>,
    /// Its refresh worker (no scheduled refresh unless the test asked).
    pub refresh: Refresher,
}

/// The admin every test console has, and their password.
pub const ADMIN: &str = "tester";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

impl Console {
    /// A page of the test project: "" (Composition), "/recording", …
    pub fn page(&self, suffix: &str) -> String {
        format!("/projects/{PROJECT}{suffix}")
    }

    pub fn project(&self) -> ProjectId {
        PROJECT.parse().unwrap()
    }

    /// The URL of the console's SQLite database, for tests that tamper
    /// with it (only for consoles whose test made the database).
    pub fn sqlite_url(&self) -> String {
        let dir = self
            .data_dir
            .as_ref()
            .expect("this console has a database of its own");
        format!("sqlite://{}", dir.join("console.db").display())
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A browser without JavaScript, signed in as the admin: redirects are
    /// shown, not followed.
    pub fn browser(&self) -> reqwest::Client {
        self.client(reqwest::redirect::Policy::none())
    }

    /// The same browser, following redirects.
    pub fn http(&self) -> reqwest::Client {
        self.client(reqwest::redirect::Policy::default())
    }

    fn client(&self, redirects: reqwest::redirect::Policy) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::COOKIE, self.cookie.parse().unwrap());
        reqwest::Client::builder()
            .default_headers(headers)
            .redirect(redirects)
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap()
    }

    /// A GET as a signed-in browser without JavaScript sends it; redirects
    /// are shown, not followed.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.browser().get(self.url(path)).send().await.unwrap()
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
    start_console_with(fake, Duration::from_secs(5), Duration::from_secs(30)).await
}

/// The console on a free port, its Twilio requests timing out after
/// `timeout`, each action after `deadline`.
pub async fn start_console_with(
    fake: RunningFake,
    timeout: Duration,
    deadline: Duration,
) -> Console {
    let (projects, dir) = projects_for(&fake.base_url(), timeout).await;
    serve(fake, projects, Some(dir), deadline, source_site()).await
}

/// A console over the given projects (another instance on the same store).
pub async fn start_console_over(fake: RunningFake, projects: Projects) -> Console {
    serve(fake, projects, None, Duration::from_secs(30), source_site()).await
}

/// Static files from the source tree, so asset answers can be tested.
fn source_site() -> leptos::config::LeptosOptions {
    leptos::config::LeptosOptions::builder()
        .output_name("composition-admin")
        .site_root("public")
        .build()
}

/// How test consoles refresh: no schedule, a short poll and deadline.
pub fn test_refresh() -> RefreshConfig {
    RefreshConfig {
        concurrency: 16,
        deadline: Duration::from_secs(5),
        interval: None,
        poll: Duration::from_millis(100),
        alerts: None,
    }
}

/// The console's router over `projects`, as served at `addr`.
fn console_router(
    projects: &Projects,
    addr: SocketAddr,
    deadline: Duration,
    leptos_options: leptos::config::LeptosOptions,
    refresh: Refresher,
) -> axum::Router {
    router(AppState {
        auth: Auth::new(projects.store().clone()),
        bulk: composition_admin::services::bulk::Applier::new(
            projects.clone(),
            composition_admin::services::bulk::BulkConfig::default(),
        ),
        leptos_options,
        projects: projects.clone(),
        site: Site::new(addr, None).with_key(projects.link_key()),
        deadline,
        refresh,
        console_name: "test".into(),
    })
}

/// The console serving a built site from `site_root`.
pub async fn start_console_serving(site_root: &str, hash_files: bool) -> Console {
    let fake = start_fake().await;
    let (projects, dir) = projects_for(&fake.base_url(), Duration::from_secs(5)).await;
    let leptos_options = leptos::config::LeptosOptions::builder()
        .output_name("composition-admin")
        .site_root(site_root)
        .hash_files(hash_files)
        .build();
    serve(
        fake,
        projects,
        Some(dir),
        Duration::from_secs(30),
        leptos_options,
    )
    .await
}

async fn serve(
    fake: RunningFake,
    projects: Projects,
    data_dir: Option<TestDir>,
    deadline: Duration,
    leptos_options: leptos::config::LeptosOptions,
) -> Console {
    serve_refreshing(
        fake,
        projects,
        data_dir,
        deadline,
        leptos_options,
        test_refresh(),
    )
    .await
}

/// A console over `projects` whose refresh runs as `refresh` says.
pub async fn start_console_refreshing(
    fake: RunningFake,
    projects: Projects,
    refresh: RefreshConfig,
) -> Console {
    serve_refreshing(
        fake,
        projects,
        None,
        Duration::from_secs(30),
        source_site(),
        refresh,
    )
    .await
}

async fn serve_refreshing(
    fake: RunningFake,
    projects: Projects,
    data_dir: Option<TestDir>,
    deadline: Duration,
    leptos_options: leptos::config::LeptosOptions,
    refresh: RefreshConfig,
) -> Console {
    use axum::serve::Listener;
    let listener = composition_admin::server::listen(([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let store = projects.store();
    // Once per database: another instance on it keeps the same password
    // hash (a new one would end the sessions signed in with the old).
    if store.staff_by_name(ADMIN).await.unwrap().is_none() {
        let hash = composition_admin::services::auth::hash_password(ADMIN_PASSWORD.into())
            .await
            .unwrap();
        composition_admin::server::ensure_staff(store, ADMIN, Role::Admin, &hash)
            .await
            .unwrap();
    }
    let refresh = Refresher::start(projects.clone(), refresh);
    let app = console_router(&projects, addr, deadline, leptos_options, refresh.clone());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    let cookie = sign_in(addr, ADMIN, ADMIN_PASSWORD)
        .await
        .expect("the test admin signs in");
    Console {
        addr,
        fake,
        projects,
        cookie,
        data_dir,
        refresh,
    }
}

/// Builds the router of another console over `projects` at `addr`, as a
/// second console in the same process would, without serving it.
pub fn build_router(projects: &Projects, addr: SocketAddr) -> axum::Router {
    let refresh = Refresher::start(projects.clone(), test_refresh());
    console_router(
        projects,
        addr,
        Duration::from_secs(30),
        source_site(),
        refresh,
    )
}

/// A server function call as the hydrated app makes it, with `cookie`.
pub async fn call_as(
    console: &Console,
    cookie: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    browser_without_js()
        .post(console.url(path))
        .header("origin", console.origin())
        .header(reqwest::header::ACCEPT, "application/json")
        .header(reqwest::header::COOKIE, cookie)
        .form(fields)
        .send()
        .await
        .unwrap()
}

/// Signs in at the console on `addr` as a browser with JavaScript would;
/// the session cookie (`name=value`), or the answer's status and body.
pub async fn sign_in(addr: SocketAddr, name: &str, password: &str) -> Result<String, String> {
    sign_in_with(&browser_without_js(), addr, name, password).await
}

/// `sign_in` through `client` (one bound to another local address, say).
pub async fn sign_in_with(
    client: &reqwest::Client,
    addr: SocketAddr,
    name: &str,
    password: &str,
) -> Result<String, String> {
    let response = client
        .post(format!("http://{addr}/api/auth/sign-in"))
        .header("origin", format!("http://{addr}"))
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&[("input[name]", name), ("input[password]", password)])
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    match cookie {
        Some(cookie) if response.status() == 200 => Ok(cookie),
        _ => Err(format!(
            "{}: {}",
            response.status(),
            response.text().await.unwrap_or_default()
        )),
    }
}

/// A client that shows redirects instead of following them.
pub fn browser_without_js() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// The stores every store test runs on: SQLite always, and PostgreSQL when
/// `scripts/test` started one (`TEST_POSTGRES_URL`). With
/// `REQUIRE_POSTGRES` set (the test script sets it), a missing PostgreSQL
/// fails the test instead of skipping that half.
pub async fn test_databases() -> Databases {
    let dir = TestDir::new("composition-admin-test");
    let mut urls = vec![format!(
        "sqlite://{}?mode=rwc",
        dir.join("console.db").display()
    )];
    match std::env::var("TEST_POSTGRES_URL").map(|u| u.trim().to_owned()) {
        Ok(admin) if !admin.is_empty() => urls.push(fresh_postgres_database(&admin).await),
        _ if std::env::var_os("REQUIRE_POSTGRES").is_some() => {
            panic!("REQUIRE_POSTGRES is set but TEST_POSTGRES_URL is not: start one with scripts/test-postgres start")
        }
        _ => eprintln!(
            "TEST_POSTGRES_URL is not set: the PostgreSQL half is skipped (scripts/test runs it)"
        ),
    }
    Databases::new(urls, dir)
}

/// A new, empty database on the test PostgreSQL; its URL.
pub async fn fresh_postgres_database(admin_url: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::AnyConnection::connect(admin_url)
        .await
        .expect("the test PostgreSQL answers");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// Runs raw SQL against a test database (to tamper with it as an attacker
/// or a newer console would).
pub async fn raw_sql(url: &str, sql: &str) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
}

/// Adds a staff member to the console and signs them in; their cookie.
pub async fn staff(console: &Console, name: &str, role: Role, projects: &[&str]) -> String {
    let password = format!("{name} password 1234");
    let hash = composition_admin::services::auth::hash_password(password.clone())
        .await
        .unwrap();
    let store = console.projects.store();
    let id = composition_admin::server::ensure_staff(store, name, role, &hash)
        .await
        .unwrap();
    for project in projects {
        store.assign(&id, &project.parse().unwrap()).await.unwrap();
    }
    sign_in(console.addr, name, &password).await.unwrap()
}

/// A PostgreSQL of its own for a test that stops and starts it
/// (`scripts/test-postgres COMMAND NAME`); stopped when dropped.
pub struct OwnPostgres(pub &'static str);

impl OwnPostgres {
    /// Runs `scripts/test-postgres COMMAND` on this instance; its output.
    pub fn run(&self, command: &str) -> String {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/test-postgres");
        let out = std::process::Command::new("bash")
            .args([script, command, self.0])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "test-postgres {command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        self.run("stop");
    }
}

/// Puts a project straight in the store, with a login nobody can use: for
/// tests of what the store and pages do with projects, not of Twilio.
pub async fn insert_plain_project(store: &Store, id: &str, name: &str, account: &str) {
    store
        .insert_project(&composition_admin::store::NewProject {
            id: &id.parse().unwrap(),
            name,
            account_sid: &account.parse().unwrap(),
            login: composition_admin::domain::LoginKind::AuthToken,
            api_key_sid: None,
            sealed_secret: "v1.unused",
            key_check: None,
            audit: None,
        })
        .await
        .unwrap();
}

/// A console over the demo account and the first `n` generated projects
/// of `seed` (a generated seed, changed as a test needs).
pub async fn console_over_seed(seed: &Seed, n: u32) -> Console {
    let fake = fake::spawn(([127, 0, 0, 1], 0).into(), seed).await.unwrap();
    let (projects, dir) = projects_for(&fake.base_url(), Duration::from_secs(5)).await;
    for (id, update) in fake::generated::demo_projects(n) {
        projects.register(&update, Some(id)).await.unwrap();
    }
    let mut console = start_console_over(fake, projects).await;
    console.data_dir = Some(dir);
    console
}

/// Waits until no refresh runs; false after `limit`.
pub async fn refresh_ended(console: &Console, limit: Duration) -> bool {
    let store = console.projects.store();
    let until = std::time::Instant::now() + limit;
    while std::time::Instant::now() < until {
        let running = store
            .job_progress(None, &composition_admin::store::FleetScope::Everything)
            .await
            .unwrap();
        if running.is_none() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    false
}

/// Reads every project, as the admin's "Refresh", to the end.
pub async fn refresh_everything(console: &Console) {
    let answer = call_as(
        console,
        &console.cookie,
        "/api/fleet/refresh",
        &[("view", "")],
    )
    .await;
    assert_eq!(answer.status(), 200);
    assert!(
        refresh_ended(console, Duration::from_secs(20)).await,
        "the refresh ends"
    );
}
