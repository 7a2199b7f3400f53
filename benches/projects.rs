//! What the projects store costs: the projects page with 1,000 projects, and
//! a settings read through the console for a project chosen from 1,000,
//! beside the same read on a console holding a single project, in one run.
//!
//!     cargo bench --features ssr --bench projects [-- REQUESTS]
//!
//! Both consoles run in this process on SQLite files, against one in-process
//! Twilio fake; requests go one at a time over loopback, so the figures are
//! the console's own latency. Reported: p50/p99 and the ratio to the
//! single-project baseline.

use composition_admin::domain::{Login, LoginKind, ProjectId, ProjectUpdate, Role};
use composition_admin::fake::{self, seed, Seed};
use composition_admin::server::{ensure_staff, router, AppState, Site};
use composition_admin::services::auth::hash_password;
use composition_admin::services::{Auth, Projects};
use composition_admin::store::{NewProject, Store};
use composition_admin::twilio::{PoolConfig, RetryPolicy, TwilioPool};
use composition_admin::vault::{MasterKey, Vault};
use std::time::{Duration, Instant};

const FILLER: usize = 999;

fn main() {
    let requests: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2000);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run(requests));
}

async fn run(requests: usize) {
    let fake = fake::spawn(([127, 0, 0, 1], 0).into(), &Seed::demo())
        .await
        .unwrap();
    let base = fake.base_url();
    let (many, many_http) = console(&base, FILLER).await;
    let (one, one_http) = console(&base, 0).await;

    let page = |(addr, http): (String, reqwest::Client)| {
        move || {
            let request = http.get(format!("http://{addr}/projects"));
            async move {
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), 200);
                response.bytes().await.unwrap().len()
            }
        }
    };
    let read = |(addr, http): (String, reqwest::Client)| {
        move || {
            let request = http
                .post(format!("http://{addr}/api/settings/fetch"))
                .header("origin", format!("http://{addr}"))
                .header("accept", "application/json")
                .form(&[("project", "bench-target"), ("kind", "Composition")]);
            async move {
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), 200);
                response.bytes().await.unwrap().len()
            }
        }
    };

    println!(
        "{requests} requests each, one at a time (after {} warm-up)",
        requests / 10
    );
    let one = (one, one_http);
    let many = (many, many_http);
    let single_read = measure(read(one.clone()), requests).await;
    let many_read = measure(read(many.clone()), requests).await;
    let single_page = measure(page(one.clone()), requests).await;
    let many_page = measure(page(many.clone()), requests).await;
    report(
        "settings read, 1 project (baseline)",
        &single_read,
        &single_read,
    );
    report(
        "settings read, 1 of 1,000 projects",
        &many_read,
        &single_read,
    );
    report(
        "projects page, 1 project (baseline)",
        &single_page,
        &single_page,
    );
    report("projects page, 1,000 projects", &many_page, &single_page);
    println!(
        "store cost on a settings read at p50: {:+.3} ms",
        ms(many_read.p50) - ms(single_read.p50)
    );
}

/// A console on a fresh SQLite store holding the demo account as
/// `bench-target` plus `filler` other projects; its address, and a client
/// signed in there as an admin.
async fn console(fake_base: &str, filler: usize) -> (String, reqwest::Client) {
    let dir = std::env::temp_dir().join(format!("bench-projects-{}-{filler}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&format!(
        "sqlite://{}?mode=rwc",
        dir.join("console.db").display()
    ))
    .await
    .unwrap();
    let vault = Vault::new(&MasterKey::generate());
    store.set_key_check(&vault.key_check()).await.unwrap();
    for i in 0..filler {
        let id: ProjectId = format!("p{i:05}").parse().unwrap();
        let sealed = vault.seal(&id, "not-a-real-token-0000000000000000");
        store
            .insert_project(&NewProject {
                id: &id,
                name: &format!("Customer {i:04}"),
                account_sid: &format!("AC{:032x}", i + 1).parse().unwrap(),
                login: LoginKind::AuthToken,
                api_key_sid: None,
                sealed_secret: &sealed,
                key_check: None,
                audit: None,
            })
            .await
            .unwrap();
    }
    let pool = TwilioPool::new(PoolConfig {
        pace: Default::default(),
        video_base_url: fake_base.to_owned(),
        accounts_base_url: fake_base.to_owned(),
        api_base_url: fake_base.to_owned(),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        retries: RetryPolicy::default(),
    })
    .unwrap();
    let projects = Projects::new(store, vault, pool);
    projects
        .register(
            &ProjectUpdate {
                name: "Bench target".into(),
                account_sid: seed::DEMO_ACCOUNT_SID.parse().unwrap(),
                login: Login::AuthToken,
                secret: Some(seed::DEMO_AUTH_TOKEN.into()),
            },
            Some("bench-target".parse().unwrap()),
        )
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hash = hash_password("bench password 123".into()).await.unwrap();
    ensure_staff(projects.store(), "bench", Role::Admin, &hash)
        .await
        .unwrap();
    let auth = Auth::new(projects.store().clone());
    let app = router(AppState {
        auth,
        leptos_options: leptos::config::LeptosOptions::builder()
            .output_name("composition-admin")
            .site_root("public")
            .build(),
        bulk: composition_admin::services::bulk::Applier::new(
            projects.clone(),
            composition_admin::services::bulk::BulkConfig::default(),
        ),
        refresh: composition_admin::services::refresh::Refresher::start(
            projects.clone(),
            composition_admin::services::refresh::RefreshConfig {
                interval: None,
                ..Default::default()
            },
        ),
        projects,
        console_name: "bench".into(),
        site: Site::new(addr, None),
        deadline: Duration::from_secs(30),
    });
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let signed_in = reqwest::Client::new()
        .post(format!("http://{addr}/api/auth/sign-in"))
        .header("origin", format!("http://{addr}"))
        .header("accept", "application/json")
        .form(&[
            ("input[name]", "bench"),
            ("input[password]", "bench password 123"),
        ])
        .send()
        .await
        .unwrap();
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    (addr.to_string(), http)
}

struct Figures {
    p50: Duration,
    p99: Duration,
    bytes: usize,
}

async fn measure<F, Fut>(call: F, requests: usize) -> Figures
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    for _ in 0..requests / 10 {
        call().await;
    }
    let mut times = Vec::with_capacity(requests);
    let mut bytes = 0;
    for _ in 0..requests {
        let start = Instant::now();
        bytes = call().await;
        times.push(start.elapsed());
    }
    times.sort();
    Figures {
        p50: times[times.len() / 2],
        p99: times[times.len() * 99 / 100],
        bytes,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(what: &str, figures: &Figures, baseline: &Figures) {
    println!(
        "{what:<38} p50 {:>7.3} ms  p99 {:>7.3} ms  ({} bytes)  p50 ratio {:.2}",
        ms(figures.p50),
        ms(figures.p99),
        figures.bytes,
        ms(figures.p50) / ms(baseline.p50)
    );
}
