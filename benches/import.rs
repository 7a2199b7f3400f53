//! What bringing projects in costs, beside a baseline measured in the same
//! run:
//!
//!     cargo bench --features ssr --bench import
//!
//! A parent with 500 subaccounts on the in-process fake, 100 ms added to
//! every Twilio call: discovery (every page), then the import of every
//! active one (a key made, sealed, stored, its login tested) through the
//! console's import, beside a sequential loop making the same calls and
//! writes. Peak RSS is the process's.

use composition_admin::domain::subaccount::{ImportOutcome, ParentInput};
use composition_admin::domain::{AccountSid, Role, SettingsKind, StaffId};
use composition_admin::fake::generated::{parent_seed, Parent};
use composition_admin::fake::{self, Fault, FaultRule, Seed};
use composition_admin::services::import::ParentLogin;
use composition_admin::services::{Caller, Projects};
use composition_admin::store::{NewProject, Store};
use composition_admin::twilio::{PoolConfig, RetryPolicy, TwilioPool};
use composition_admin::vault::{MasterKey, Vault};
use secrecy::ExposeSecret;
use std::time::{Duration, Instant};

const N: u32 = 500;

fn parent(first_sub: u64) -> Parent<'static> {
    Parent {
        sid: "AC0000000000000000000000000000be00",
        auth_token: "bench-parent-token",
        name: "Bench Holdings",
        main_key: ("SK0000000000000000000000000000be00", "bench-main-secret"),
        standard_key: (
            "SK0000000000000000000000000000be01",
            "bench-standard-secret",
        ),
        first_sub,
    }
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn projects(fake: &fake::RunningFake, name: &str) -> Projects {
    let dir = std::env::temp_dir().join(format!("bench-import-{}-{name}", std::process::id()));
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
    Projects::new(store, vault, pool(fake))
}

/// The console's Twilio pool, aimed at `fake`.
fn pool(fake: &fake::RunningFake) -> TwilioPool {
    TwilioPool::new(PoolConfig {
        pace: Default::default(),
        video_base_url: fake.base_url(),
        accounts_base_url: fake.base_url(),
        api_base_url: fake.base_url(),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        retries: RetryPolicy::default(),
    })
    .unwrap()
}

async fn slow_fake(p: &Parent<'_>) -> fake::RunningFake {
    let fake = fake::spawn(
        ([127, 0, 0, 1], 0).into(),
        &Seed {
            accounts: parent_seed(p, N),
        },
    )
    .await
    .unwrap();
    fake.inject(FaultRule {
        account: None,
        route: None,
        method: None,
        fault: Fault::Latency { ms: 100 },
        times: None,
    });
    fake
}

fn main() {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run());
}

async fn run() {
    let admin = Caller {
        id: "bench".parse::<StaffId>().unwrap(),
        name: "bench".into(),
        role: Role::Admin,
        projects: Vec::new(),
        password_stamp: String::new(),
    };
    // The console: discovery, then every active subaccount imported.
    let p = parent(0xbe00_0000);
    let fake = slow_fake(&p).await;
    let console = projects(&fake, "console").await;
    let login = ParentLogin::new(&ParentInput {
        account_sid: p.sid.into(),
        login: "auth_token".into(),
        api_key_sid: String::new(),
        secret: p.auth_token.into(),
        keep: None,
    })
    .unwrap();
    let started = Instant::now();
    let found = console.discover(&admin, &login, false).await.unwrap();
    let discovery = started.elapsed();
    let chosen: Vec<AccountSid> = found
        .accounts
        .iter()
        .filter(|a| a.importable())
        .map(|a| a.sid.clone())
        .collect();
    let started = Instant::now();
    let done = console
        .import(&admin, &login, &chosen, "bench")
        .await
        .unwrap();
    let import = started.elapsed();
    let stored = done.iter().filter(|d| d.outcome.stored()).count();
    let failed: Vec<_> = done
        .iter()
        .filter_map(|d| match &d.outcome {
            ImportOutcome::Failed { message } => Some(message.clone()),
            _ => None,
        })
        .take(3)
        .collect();
    assert_eq!(
        stored,
        chosen.len(),
        "every active one imported: {failed:?}"
    );

    // The same calls and writes, one subaccount after another.
    let p = parent(0xbf00_0000);
    let fake = slow_fake(&p).await;
    let sequential = projects(&fake, "sequential").await;
    let pool = pool(&fake);
    let vault = Vault::new(&MasterKey::generate());
    sequential
        .store()
        .set_key_check(&vault.key_check())
        .await
        .unwrap();
    let parent_client = pool.client(p.sid.into(), p.auth_token.to_owned().into());
    let started = Instant::now();
    let all = parent_client.list_accounts().await.unwrap();
    let subs: Vec<_> = all
        .iter()
        .filter(|a| !a.is_main() && a.status == composition_admin::domain::AccountStatus::Active)
        .collect();
    for (i, sub) in subs.iter().enumerate() {
        let key = parent_client.create_key(&sub.sid, "bench").await.unwrap();
        let id = format!("seq-{i:04}").parse().unwrap();
        let sealed = vault.seal(&id, key.secret.expose_secret());
        sequential
            .store()
            .insert_project(&NewProject {
                id: &id,
                name: &sub.friendly_name,
                account_sid: &sub.sid,
                login: composition_admin::domain::LoginKind::ApiKey,
                api_key_sid: Some(&key.sid),
                sealed_secret: &sealed,
                key_check: None,
                audit: None,
            })
            .await
            .unwrap();
        let client = pool.client(key.sid.to_string(), key.secret.clone());
        client
            .fetch_settings(SettingsKind::Composition)
            .await
            .unwrap();
    }
    let baseline = started.elapsed();
    println!(
        "import: {} subaccounts found in {:.2} s; {stored} imported in {:.2} s; \
         sequential loop (list, then key, store, test each): {:.2} s; {:.1}x faster; peak RSS {:.1} MiB",
        found.accounts.len(),
        discovery.as_secs_f64(),
        import.as_secs_f64(),
        baseline.as_secs_f64(),
        baseline.as_secs_f64() / (discovery + import).as_secs_f64(),
        peak_rss_mib()
    );
}
