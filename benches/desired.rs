//! What desired state costs, each figure beside a baseline measured in the
//! same run:
//!
//!     cargo bench --features ssr --bench desired [-- plan|apply|drift]
//!
//! - plan: the dry run of a template for 200 projects (snapshots only, no
//!   Twilio call), p50 and p99 of 20 runs.
//! - apply: a template (a bucket per project) applied to 200 projects on the in-process
//!   fake with 100 ms added to every Twilio call, through the bulk applier
//!   (default concurrency), beside a sequential loop making the same
//!   calls (a read, then a write, per project). Peak RSS is the process's.
//! - drift: drift computed again for 10,000 projects following one
//!   template, after an edit of it, on SQLite.

use composition_admin::domain::bulk::ItemState;
use composition_admin::domain::template::{CredentialRule, Encryption, Storage, Template};
use composition_admin::domain::{ProjectId, Role, SettingsInput, SettingsKind, StaffId};
use composition_admin::fake::{self, generated, Fault, FaultRule};
use composition_admin::services::bulk::{dry_run, Applier, BulkConfig, Change};
use composition_admin::services::refresh::{RefreshConfig, Refresher};
use composition_admin::services::{Caller, Projects};
use composition_admin::store::{DriftOf, Store, TemplateRow};
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
            if wants("plan") || wants("apply") {
                plan_and_apply(wants("plan"), wants("apply")).await;
            }
            if wants("drift") {
                drift().await;
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

fn database(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("bench-desired-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    format!("sqlite://{}?mode=rwc", dir.join("console.db").display())
}

/// The bench's staff member: an apply reads them again from the store at
/// each write, so they are stored too (see `bench_staff`).
const BENCH_HASH: &str = "not a real argon2 hash";

fn admin() -> Caller {
    Caller {
        id: "bench".parse::<StaffId>().unwrap(),
        name: "bench".into(),
        role: Role::Admin,
        projects: Vec::new(),
        password_stamp: composition_admin::services::auth::password_stamp(BENCH_HASH),
    }
}

async fn bench_staff(store: &Store) {
    store
        .insert_staff(&composition_admin::store::StaffRow {
            id: "bench".parse().unwrap(),
            name: "bench".into(),
            password_hash: BENCH_HASH.into(),
            role: Role::Admin,
        })
        .await
        .unwrap();
}

fn encrypted() -> Template {
    Template {
        name: "Encrypted".into(),
        encryption: Some(Encryption::On(CredentialRule::NewestStartingWith(
            "key-".into(),
        ))),
        storage: None,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn plan_and_apply(plan: bool, apply: bool) {
    const N: u32 = 200;
    let fake = fake::spawn(([127, 0, 0, 1], 0).into(), &generated::demo_seed(N))
        .await
        .unwrap();
    let store = Store::open(&database("apply")).await.unwrap();
    bench_staff(&store).await;
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
    // Snapshots and credential lists, as a refresh leaves them.
    let refresher = Refresher::start(
        projects.clone(),
        RefreshConfig {
            interval: None,
            poll: Duration::from_millis(50),
            ..RefreshConfig::default()
        },
    );
    refresher.request(&admin(), &ids).await.unwrap();
    while store
        .job_progress(None, &composition_admin::store::FleetScope::Everything)
        .await
        .unwrap()
        .is_some()
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    refresher.stop();
    // Every readable project's bucket differs: each has a change to make.
    let change = Change {
        kind: SettingsKind::Composition,
        source: "the template \u{201c}Archive\u{201d}".into(),
        template: Template {
            name: "Archive".into(),
            encryption: None,
            storage: Some(Storage::S3 {
                url_pattern: "https://archive.s3.amazonaws.com/{project_id}".into(),
                credential: CredentialRule::NewestStartingWith("bucket-writer-".into()),
            }),
        },
        follow: None,
    };
    if plan {
        let mut times = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            dry_run(&store, &admin(), &change, &ids).await.unwrap();
            times.push(started.elapsed());
        }
        times.sort();
        println!("dry run of a template for {N} projects (snapshots only), 20 runs:");
        println!(
            "  p50 {:.1} ms, p99 {:.1} ms",
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        );
    }
    if !apply {
        return;
    }
    fake.inject(FaultRule {
        account: None,
        route: None,
        method: None,
        fault: Fault::Latency { ms: 100 },
        times: None,
    });
    let job = dry_run(&store, &admin(), &change, &ids).await.unwrap();
    let items = store.bulk_items(&job).await.unwrap();
    let planned: Vec<&str> = items
        .iter()
        .filter(|i| i.state == ItemState::Planned)
        .map(|i| i.project_id.as_str())
        .collect();

    // The same calls, one at a time: the read before the write, and the
    // write (of what each project holds, so the apply below still has work).
    let started = Instant::now();
    for id in &planned {
        let client = projects
            .client(&id.parse::<ProjectId>().unwrap())
            .await
            .unwrap();
        let held = client
            .fetch_settings(SettingsKind::Composition)
            .await
            .unwrap();
        let same = SettingsInput::from(&held).validate().unwrap();
        client
            .update_settings(SettingsKind::Composition, &same)
            .await
            .unwrap();
    }
    let sequential = started.elapsed();

    let applier = Applier::new(projects.clone(), BulkConfig::default());
    let started = Instant::now();
    applier.apply(&admin(), &job, true).await.unwrap();
    loop {
        let row = store.bulk_job(&job).await.unwrap().unwrap();
        if row.finished_at.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let console = started.elapsed();
    let changed = store
        .bulk_items(&job)
        .await
        .unwrap()
        .iter()
        .filter(|i| i.state == ItemState::Changed)
        .count();
    // A run that changed nothing measured nothing.
    assert_eq!(changed, planned.len(), "every planned project changed");
    println!(
        "apply to {} projects ({changed} changed), 100 ms added to every Twilio call:",
        planned.len()
    );
    println!(
        "  sequential loop (baseline): {:.2} s",
        sequential.as_secs_f64()
    );
    println!(
        "  bulk apply ({} at once): {:.2} s, {:.1}x faster; peak RSS of the process {:.1} MiB",
        BulkConfig::default().concurrency,
        console.as_secs_f64(),
        sequential.as_secs_f64() / console.as_secs_f64(),
        peak_rss_mib()
    );
}

async fn drift() {
    const N: usize = 10_000;
    let url = database("drift");
    let store = Store::open(&url).await.unwrap();
    let template = TemplateRow {
        id: "t1".into(),
        kind: SettingsKind::Composition,
        template: encrypted(),
        updated_at: 0,
        updated_by: "bench".into(),
    };
    assert!(store.save_template(&template).await.unwrap());
    // Filled in one transaction straight through SQL: the setup is not
    // what is measured.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    for i in 0..N {
        let id = format!("p{i:05}");
        let state = serde_json::json!({
            "friendly_name": format!("Customer {i:05}"),
            "encryption_enabled": i % 3 == 0,
            "encryption_key_sid": (i % 3 == 0).then(|| format!("CR{:032x}", i + 1)),
            "storage_enabled": false,
        });
        let keys = serde_json::json!([{
            "sid": format!("CR{:032x}", i + 1),
            "friendly_name": format!("key-{i:05}"),
            "date_created": "2026-01-01T00:00:00Z"
        }]);
        for (sql, binds) in [
            (
                "INSERT INTO projects (id, name, account_sid, login_kind, sealed_secret, created_at, updated_at) VALUES ($1, $2, $3, 'auth_token', 'v1.unused', 0, 0)",
                vec![id.clone(), format!("Customer {i:05}"), format!("AC{:032x}", i + 1)],
            ),
            (
                "INSERT INTO snapshots (project_id, kind, read_at, state, encrypted, external) VALUES ($1, 'composition', 1, $2, 0, 0)",
                vec![id.clone(), state.to_string()],
            ),
            (
                "INSERT INTO credential_lists (project_id, kind, body, read_at) VALUES ($1, 'public_key', $2, 1)",
                vec![id.clone(), keys.to_string()],
            ),
            (
                "INSERT INTO credential_lists (project_id, kind, body, read_at) VALUES ($1, 'aws', '[]', 1)",
                vec![id.clone()],
            ),
            (
                "INSERT INTO project_templates (project_id, kind, template_id) VALUES ($1, 'composition', 't1')",
                vec![id.clone()],
            ),
        ] {
            let mut query = sqlx::query(sql);
            for bind in binds {
                query = query.bind(bind);
            }
            query.execute(&mut *tx).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    // A first computation, then the edit that is measured.
    composition_admin::services::drift::recompute(&store, DriftOf::Template("t1"))
        .await
        .unwrap();
    let edited = TemplateRow {
        template: Template {
            encryption: Some(Encryption::Off),
            ..encrypted()
        },
        ..template
    };
    store.save_template(&edited).await.unwrap();
    let started = Instant::now();
    let n = composition_admin::services::drift::recompute(&store, DriftOf::Template("t1"))
        .await
        .unwrap();
    let took = started.elapsed();
    let drifted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM drift WHERE differs > 0")
        .fetch_one(&pool)
        .await
        .unwrap();
    println!("drift of {n} projects computed again after a template edit (SQLite):");
    println!(
        "  {:.0} ms ({drifted} drifted); peak RSS of the process {:.1} MiB",
        took.as_secs_f64() * 1000.0,
        peak_rss_mib()
    );
}
