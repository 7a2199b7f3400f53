//! What the fleet costs, each figure beside a baseline measured in the same
//! run:
//!
//!     cargo bench --features ssr --bench fleet [-- refresh|page|export]
//!
//! - refresh: 200 projects on the in-process fake with 100 ms added to
//!   every Twilio call; a full refresh through the refresh machinery (the
//!   same code the console runs, default concurrency) beside a sequential
//!   loop making the same calls one at a time. Peak RSS is the process's
//!   (the fake lives in it too).
//! - page: the fleet page's server time (the service a server function
//!   calls, SQL included) with 10,000 projects, first page, a filtered page
//!   and the last page, beside the same page with 50 projects, on SQLite
//!   and, when TEST_POSTGRES_URL names one, PostgreSQL.
//! - export: every row of 10,000 as CSV, time and growth of peak RSS.

use composition_admin::domain::fleet::{Flag, FleetFilter, FleetQuery, SettingsState};
use composition_admin::domain::{
    CredentialKind, LoginKind, ProjectId, Role, SettingsKind, StaffId,
};
use composition_admin::fake::{self, generated, Fault, FaultRule};
use composition_admin::services::refresh::{RefreshConfig, Refresher};
use composition_admin::services::{Caller, Projects};
use composition_admin::store::{NewProject, Store};
use composition_admin::twilio::{PoolConfig, RetryPolicy, TwilioPool};
use composition_admin::vault::{MasterKey, Vault};
use std::time::{Duration, Instant};

fn main() {
    let only: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            let wants = |part: &str| only.as_deref().is_none_or(|o| o == part);
            if wants("refresh") {
                refresh().await;
            }
            if wants("page") {
                pages().await;
            }
            if wants("export") {
                export().await;
            }
        });
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn sqlite_store(name: &str) -> Store {
    let dir = std::env::temp_dir().join(format!("bench-fleet-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Store::open(&format!(
        "sqlite://{}?mode=rwc",
        dir.join("console.db").display()
    ))
    .await
    .unwrap()
}

fn admin() -> Caller {
    Caller {
        id: "bench".parse::<StaffId>().unwrap(),
        name: "bench".into(),
        role: Role::Admin,
        projects: Vec::new(),
        password_stamp: String::new(),
    }
}

async fn refresh() {
    const N: u32 = 200;
    let fake = fake::spawn(([127, 0, 0, 1], 0).into(), &generated::demo_seed(N))
        .await
        .unwrap();
    fake.inject(FaultRule {
        account: None,
        route: None,
        method: None,
        fault: Fault::Latency { ms: 100 },
        times: None,
    });
    let store = sqlite_store("refresh").await;
    let key = MasterKey::generate();
    let vault = Vault::new(&key);
    store.set_key_check(&vault.key_check()).await.unwrap();
    let pool = TwilioPool::new(PoolConfig {
        pace: Default::default(),
        video_base_url: fake.base_url(),
        accounts_base_url: fake.base_url(),
        api_base_url: fake.base_url(),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        retries: RetryPolicy::default(),
    })
    .unwrap();
    let projects = Projects::new(store.clone(), vault, pool);
    let mut ids = Vec::new();
    for (id, update) in generated::demo_projects(N) {
        projects.register(&update, Some(id.clone())).await.unwrap();
        ids.push(id.to_string());
    }

    // The same calls, one at a time.
    let started = Instant::now();
    for id in &ids {
        let client = projects
            .client(&id.parse::<ProjectId>().unwrap())
            .await
            .unwrap();
        for kind in [SettingsKind::Composition, SettingsKind::Recording] {
            let _ = client.fetch_settings(kind).await;
        }
        // A refresh lists both kinds of credential (templates resolve their
        // rules among them).
        let _ = client.list_credentials(CredentialKind::PublicKey).await;
        let _ = client.list_credentials(CredentialKind::Aws).await;
    }
    let sequential = started.elapsed();

    let refresher = Refresher::start(
        projects.clone(),
        RefreshConfig {
            interval: None,
            poll: Duration::from_millis(50),
            ..RefreshConfig::default()
        },
    );
    let started = Instant::now();
    refresher.request(&admin(), &ids).await.unwrap();
    while store
        .job_progress(None, &composition_admin::store::FleetScope::Everything)
        .await
        .unwrap()
        .is_some()
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let live = started.elapsed();
    refresher.stop();
    println!("refresh of {N} projects, 100 ms added to every Twilio call:");
    println!(
        "  sequential loop (baseline): {:.2} s",
        sequential.as_secs_f64()
    );
    println!(
        "  console refresh ({} at once): {:.2} s, {:.1}x faster; peak RSS of the process {:.1} MiB",
        RefreshConfig::default().concurrency,
        live.as_secs_f64(),
        sequential.as_secs_f64() / live.as_secs_f64(),
        peak_rss_mib()
    );
}

/// `n` projects with both snapshots, in every state the filters tell apart.
async fn fill(store: &Store, n: usize) {
    for i in 0..n {
        let id: ProjectId = format!("p{i:05}").parse().unwrap();
        store
            .insert_project(&NewProject {
                id: &id,
                name: &format!("Customer {i:05}"),
                account_sid: &format!("AC{:032x}", i + 1).parse().unwrap(),
                login: LoginKind::AuthToken,
                api_key_sid: None,
                sealed_secret: "v1.unused",
                key_check: None,
                audit: None,
            })
            .await
            .unwrap();
        let state = SettingsState {
            encryption_enabled: i % 3 == 0,
            encryption_key_sid: (i % 3 == 0).then(|| "CR00000000000000000000000000000001".into()),
            storage_enabled: i % 4 == 0,
            ..SettingsState::default()
        };
        for kind in [SettingsKind::Composition, SettingsKind::Recording] {
            let read = if i % 17 == 0 {
                Err("Twilio error 20003: Authenticate")
            } else {
                Ok(&state)
            };
            store
                .record_read(&id, kind, composition_admin::store::now(), read, None)
                .await
                .unwrap();
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

async fn time_page(store: &Store, query: &FleetQuery, rounds: usize) -> (Duration, Duration) {
    let caller = admin();
    let mut times = Vec::with_capacity(rounds);
    for round in 0..rounds + rounds / 10 {
        let started = Instant::now();
        let page = composition_admin::services::fleet::page(store, &caller, query)
            .await
            .unwrap();
        if round >= rounds / 10 {
            times.push(started.elapsed());
        }
        assert!(page.matching > 0);
    }
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99))
}

async fn pages() {
    let mut engines = vec![(
        "SQLite",
        sqlite_store("small").await,
        sqlite_store("large").await,
    )];
    if let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") {
        if !admin_url.trim().is_empty() {
            let small = Store::open(&fresh_postgres(&admin_url).await)
                .await
                .unwrap();
            let large = Store::open(&fresh_postgres(&admin_url).await)
                .await
                .unwrap();
            engines.push(("PostgreSQL", small, large));
        }
    }
    let filtered = FleetQuery {
        filter: FleetFilter {
            search: String::new(),
            flags: vec![Flag::Unencrypted, Flag::Cloud],
        },
        ..FleetQuery::default()
    };
    for (engine, small, large) in engines {
        fill(&small, 50).await;
        fill(&large, 10_000).await;
        let last = FleetQuery {
            page: 200,
            ..FleetQuery::default()
        };
        println!("fleet page on {engine}, server time p50 / p99 (200 rounds each):");
        let (base50, base99) = time_page(&small, &FleetQuery::default(), 200).await;
        println!("  50 projects, first page (baseline): {base50:.2?} / {base99:.2?}");
        for (name, query) in [
            ("first page", FleetQuery::default()),
            (
                "filtered (encryption off, Twilio's cloud)",
                filtered.clone(),
            ),
            ("last page (200)", last),
        ] {
            let (p50, p99) = time_page(&large, &query, 200).await;
            println!(
                "  10,000 projects, {name}: {p50:.2?} / {p99:.2?}, {:.1}x the baseline at p50",
                p50.as_secs_f64() / base50.as_secs_f64()
            );
        }
    }
}

async fn fresh_postgres(admin_url: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::AnyConnection::connect(admin_url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

async fn export() {
    use composition_admin::services::audit::ExportFormat;
    use composition_admin::services::fleet::FleetWriter;
    let small = sqlite_store("export-small").await;
    let large = sqlite_store("export-large").await;
    fill(&small, 100).await;
    fill(&large, 10_000).await;
    for (name, store) in [("100 rows (baseline)", small), ("10,000 rows", large)] {
        let before = peak_rss_mib();
        let started = Instant::now();
        let (to, mut received) = tokio::sync::mpsc::channel(256);
        let caller = admin();
        let reader = tokio::spawn(async move {
            composition_admin::services::fleet::export(
                &store,
                &caller,
                &FleetQuery::default(),
                &to,
            )
            .await
            .unwrap();
        });
        let mut writer = FleetWriter::new(ExportFormat::Csv);
        let mut bytes = writer.start().len();
        while let Some(row) = received.recv().await {
            bytes += writer.row(&row).len();
        }
        reader.await.unwrap();
        println!(
            "CSV export, {name}: {:.2?}, {:.1} KiB, peak RSS {:.1} MiB (+{:.1})",
            started.elapsed(),
            bytes as f64 / 1024.0,
            peak_rss_mib(),
            peak_rss_mib() - before
        );
    }
}
