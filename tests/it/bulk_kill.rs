//! A console killed (SIGKILL) while it applies a 200-project bulk change,
//! started again on the same database: the job shows as interrupted, and
//! its record agrees with what the Twilio fake holds, project by project.
//! Nothing changed at Twilio is missing from the record or from the audit
//! trail; "Resume" plans what was left, and applying it finishes the job.

use crate::common::*;
use composition_admin::domain::bulk::{BulkJob, ItemState, JobStage};
use composition_admin::domain::{Role, SettingsKind};
use composition_admin::fake::{self, generated, Fault, FaultRule};
use composition_admin::services::Projects;
use composition_admin::store::Store;
use composition_admin::vault::{MasterKey, Vault};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PROJECTS: u32 = 200;
const PASSWORD: &str = "killed console password";

/// The console binary over `database`, talking to `fake`, on `addr`.
pub(crate) fn start(
    database: &str,
    key: &MasterKey,
    fake: &str,
    addr: SocketAddr,
    log: &std::path::Path,
) -> Child {
    let log = std::fs::File::create(log).unwrap();
    Command::new(env!("CARGO_BIN_EXE_composition-admin"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("CONSOLE_DATABASE_URL", database)
        .env("CONSOLE_MASTER_KEY", key.to_base64())
        .env("TWILIO_VIDEO_BASE_URL", fake)
        .env("TWILIO_ACCOUNTS_BASE_URL", fake)
        .env("TWILIO_API_BASE_URL", fake)
        .env("CONSOLE_PARENT_CHECK_INTERVAL", "0")
        .env("CONSOLE_LISTEN", addr.to_string())
        .env("CONSOLE_REFRESH_INTERVAL", "0")
        .env("LEPTOS_OUTPUT_NAME", "composition-admin")
        .env("LEPTOS_SITE_ROOT", "public")
        .env("LEPTOS_SITE_ADDR", addr.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("the console binary starts")
}

pub(crate) fn free_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

pub(crate) async fn ready(addr: SocketAddr) {
    let until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < until {
        if let Ok(answer) = reqwest::get(format!("http://{addr}/readyz")).await {
            if answer.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the console did not start");
}

pub(crate) async fn post(
    addr: SocketAddr,
    cookie: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    browser_without_js()
        .post(format!("http://{addr}{path}"))
        .header("origin", format!("http://{addr}"))
        .header(reqwest::header::ACCEPT, "application/json")
        .header(reqwest::header::COOKIE, cookie)
        .form(fields)
        .send()
        .await
        .unwrap()
}

async fn job(addr: SocketAddr, cookie: &str, id: &str) -> BulkJob {
    let answer = post(addr, cookie, "/api/bulk/job", &[("id", id)]).await;
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

/// Whether the fake holds generated account `i`'s compositions encrypted.
async fn encrypted_at_twilio(fake: &str, i: u32) -> bool {
    let client = client_for(
        fake,
        &format!("AC{:032x}", 0xf000_0000u64 + u64::from(i)),
        &format!("{:032x}", 0xc000_0000u64 + u64::from(i)),
    );
    client
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap()
        .encryption_enabled
        == Some(true)
}

#[test]
fn a_console_killed_mid_apply_leaves_a_record_that_matches_twilio_and_resumes() {
    on_runtime(async {
        let fake = fake::spawn(([127, 0, 0, 1], 0).into(), &generated::demo_seed(PROJECTS))
            .await
            .unwrap();
        let base = fake.base_url();
        let dir = TestDir::new("composition-admin-kill");
        let database = format!("sqlite://{}?mode=rwc", dir.join("console.db").display());
        let key = MasterKey::generate();
        let store = Store::open(&database).await.unwrap();
        let vault = Vault::new(&key);
        store.set_key_check(&vault.key_check()).await.unwrap();
        let projects = Projects::new(
            store.clone(),
            vault,
            pool_with(&base, Duration::from_secs(5), 2),
        );
        for (id, update) in generated::demo_projects(PROJECTS) {
            projects.register(&update, Some(id)).await.unwrap();
        }
        let hash = composition_admin::services::auth::hash_password(PASSWORD.into())
            .await
            .unwrap();
        composition_admin::server::ensure_staff(&store, "ana", Role::Admin, &hash)
            .await
            .unwrap();

        let addr = free_addr();
        let mut console = start(&database, &key, &base, addr, &dir.join("first.log"));
        ready(addr).await;
        let cookie = sign_in(addr, "ana", PASSWORD).await.unwrap();
        assert_eq!(
            post(addr, &cookie, "/api/fleet/refresh", &[("view", "")])
                .await
                .status(),
            200
        );
        let until = Instant::now() + Duration::from_secs(60);
        while store
            .job_progress(None, &composition_admin::store::FleetScope::Everything)
            .await
            .unwrap()
            .is_some()
        {
            assert!(Instant::now() < until, "the refresh ends");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let saved = post(
            addr,
            &cookie,
            "/api/templates/save",
            &[
                ("input[name]", "Encrypted"),
                ("input[kind]", "composition"),
                ("input[encryption]", "on"),
                ("input[key_match]", "prefix"),
                ("input[key_name]", "key-"),
                ("input[storage]", "unmanaged"),
            ],
        )
        .await;
        assert_eq!(saved.status(), 200);
        let template = store.templates().await.unwrap()[0].id.clone();
        let planned = post(
            addr,
            &cookie,
            "/api/bulk/plan",
            &[
                ("plan[template]", &template),
                ("plan[every]", "true"),
                ("plan[view]", ""),
            ],
        )
        .await;
        let id: String = planned.json().await.unwrap();
        // Each write takes a while, so the apply is under way when killed.
        fake.inject(FaultRule {
            account: None,
            route: None,
            method: Some("POST".into()),
            fault: Fault::Latency { ms: 200 },
            times: None,
        });
        let applied = post(
            addr,
            &cookie,
            "/api/bulk/apply",
            &[("id", &id), ("confirm", "true")],
        )
        .await;
        assert_eq!(applied.status(), 200);
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let items = store.bulk_items(&id).await.unwrap();
            if items
                .iter()
                .filter(|i| i.state == ItemState::Changed)
                .count()
                >= 10
            {
                break;
            }
            assert!(Instant::now() < until, "the apply is under way");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        console.kill().unwrap(); // SIGKILL
        console.wait().unwrap();

        // Started again on the same database, once the dead one's lease ran out.
        let mut console = start(&database, &key, &base, addr, &dir.join("second.log"));
        ready(addr).await;
        let cookie = sign_in(addr, "ana", PASSWORD).await.unwrap();
        let until = Instant::now() + Duration::from_secs(40);
        let record = loop {
            let found = job(addr, &cookie, &id).await;
            if found.stage == JobStage::Interrupted {
                break found;
            }
            assert_ne!(
                found.stage,
                JobStage::Done,
                "the killed job cannot have finished"
            );
            assert!(Instant::now() < until, "the job shows as interrupted");
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        assert!(record.count(ItemState::Changed) >= 10);
        assert!(
            record.count(ItemState::NotApplied) > 0,
            "{}",
            record.summary()
        );
        fake.clear_faults();

        // Project by project: the record against what Twilio holds.
        let (entries, _) = store
            .audit(
                &composition_admin::domain::audit::AuditFilter {
                    action: Some("settings-saved".into()),
                    ..Default::default()
                },
                composition_admin::store::AuditScope::Everything,
                0,
                1_000,
            )
            .await
            .unwrap()
            .unwrap();
        let mut changed_at_twilio = 0;
        for item in &record.items {
            let i: u32 = item.project_id.trim_start_matches("gen-").parse().unwrap();
            let now_encrypted = encrypted_at_twilio(&base, i).await;
            let was_planned = item.state != ItemState::AsWanted && item.state != ItemState::Cannot;
            let changed = was_planned && now_encrypted;
            if changed {
                changed_at_twilio += 1;
                assert!(
                    matches!(item.state, ItemState::Changed | ItemState::InFlight),
                    "{} changed at Twilio but recorded as {:?}",
                    item.project_id,
                    item.state
                );
                assert!(
                    entries
                        .iter()
                        .any(|e| e.project.as_deref() == Some(item.project_id.as_str())
                            && e.summary.contains(&format!("bulk change {id}"))),
                    "{} changed at Twilio but not in the audit trail",
                    item.project_id
                );
            }
            if item.state == ItemState::Changed {
                assert!(
                    now_encrypted,
                    "{} recorded as changed, Twilio disagrees",
                    item.project_id
                );
            }
            if item.state == ItemState::NotApplied {
                assert!(
                    !now_encrypted,
                    "{} not applied, yet changed",
                    item.project_id
                );
            }
        }
        assert!(changed_at_twilio >= record.count(ItemState::Changed));

        // Resume: a fresh dry run of what was left, then applied.
        let resumed = post(addr, &cookie, "/api/bulk/resume", &[("id", &id)]).await;
        assert_eq!(resumed.status(), 200);
        let rest: String = resumed.json().await.unwrap();
        let left = job(addr, &cookie, &rest).await;
        let expected = record
            .items
            .iter()
            .filter(|i| {
                matches!(
                    i.state,
                    ItemState::InFlight | ItemState::NotApplied | ItemState::Failed
                )
            })
            .count();
        assert_eq!(left.items.len(), expected);
        let applied = post(
            addr,
            &cookie,
            "/api/bulk/apply",
            &[("id", &rest), ("confirm", "true")],
        )
        .await;
        assert_eq!(applied.status(), 200);
        let until = Instant::now() + Duration::from_secs(60);
        let finished = loop {
            let found = job(addr, &cookie, &rest).await;
            if found.stage == JobStage::Done {
                break found;
            }
            assert!(Instant::now() < until, "the resumed job ends");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(
            finished.count(ItemState::Failed),
            0,
            "{}",
            finished.summary()
        );
        for item in &record.items {
            if item.state != ItemState::Cannot {
                let i: u32 = item.project_id.trim_start_matches("gen-").parse().unwrap();
                assert!(
                    encrypted_at_twilio(&base, i).await,
                    "{} is encrypted after the resume",
                    item.project_id
                );
            }
        }
        console.kill().unwrap();
        console.wait().unwrap();
    })
}
