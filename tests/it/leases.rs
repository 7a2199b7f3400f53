//! The scheduled refresh with several console instances on one PostgreSQL:
//! each project is read by exactly one instance per interval (the leases
//! live in the database), the schedule goes on when an instance stops, and
//! a PostgreSQL restart in the middle of a pass fails what could not be
//! recorded, with the reason, and the next pass reads it again.

use crate::common::*;
use composition_admin::domain::SettingsKind;
use composition_admin::fake::{self, generated, Fault, FaultRule, RunningFake};
use composition_admin::services::refresh::{RefreshConfig, Refresher};
use composition_admin::services::Projects;
use composition_admin::store::Store;
use composition_admin::vault::{MasterKey, Vault};
use std::collections::HashMap;
use std::time::{Duration, Instant};

fn postgres_url() -> Option<String> {
    match std::env::var("TEST_POSTGRES_URL").map(|u| u.trim().to_owned()) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("REQUIRE_POSTGRES").is_none(),
                "PostgreSQL is required"
            );
            None
        }
    }
}

/// Two sets of projects (two instances) over one database, holding `n`
/// generated projects of the fake.
async fn instances(url: &str, fake: &RunningFake, n: u32) -> (Projects, Projects) {
    let key = MasterKey::generate();
    let open = || async {
        let store = Store::open_answering_within(url, Duration::from_secs(1))
            .await
            .unwrap();
        Projects::new(
            store,
            Vault::new(&key),
            pool_with(&fake.base_url(), Duration::from_secs(5), 2),
        )
    };
    let first = open().await;
    first
        .store()
        .set_key_check(&Vault::new(&key).key_check())
        .await
        .unwrap();
    for (id, update) in generated::demo_projects(n) {
        first.register(&update, Some(id)).await.unwrap();
    }
    (first, open().await)
}

/// Composition settings reads at the fake, per account, in order.
/// (Registering a project reads them too: only reads after `since` count.)
fn reads(fake: &RunningFake, since: Instant) -> HashMap<String, Vec<Instant>> {
    let mut per_account: HashMap<String, Vec<Instant>> = HashMap::new();
    for seen in fake.state.requests() {
        if seen.method == "GET" && seen.path == SettingsKind::Composition.path() && seen.at >= since
        {
            per_account
                .entry(seen.account.unwrap_or_default())
                .or_default()
                .push(seen.at);
        }
    }
    per_account
}

/// Waits until every one of `n` accounts was read `times` times.
async fn read_times(
    fake: &RunningFake,
    since: Instant,
    n: usize,
    times: usize,
    limit: Duration,
) -> bool {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        let seen = reads(fake, since);
        if seen.len() == n && seen.values().all(|r| r.len() >= times) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

fn scheduled(interval: Duration) -> RefreshConfig {
    RefreshConfig {
        concurrency: 8,
        deadline: Duration::from_secs(5),
        interval: Some(interval),
        poll: Duration::from_millis(100),
        alerts: None,
    }
}

#[test]
fn two_instances_read_each_project_once_per_interval_and_one_goes_on_when_the_other_stops() {
    let Some(admin) = postgres_url() else { return };
    on_runtime(async {
        let url = fresh_postgres_database(&admin).await;
        let fake = fake::spawn(([127, 0, 0, 1], 0).into(), &generated::demo_seed(50))
            .await
            .unwrap();
        let (a, b) = instances(&url, &fake, 50).await;
        let since = Instant::now();
        let store = a.store().clone();
        let interval = Duration::from_secs(4);
        let first = Refresher::start(a, scheduled(interval));
        let second = Refresher::start(b, scheduled(interval));
        assert!(
            read_times(&fake, since, 50, 1, Duration::from_secs(20)).await,
            "the first pass reads every project: {:?}",
            reads(&fake, since).len()
        );
        // Once the pass has ended, the instance that may hold the schedule
        // stops, as if killed.
        let until = Instant::now() + Duration::from_secs(10);
        while store
            .job_progress(None, &composition_admin::store::FleetScope::Everything)
            .await
            .unwrap()
            .is_some()
            && Instant::now() < until
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        first.stop();
        assert!(
            read_times(&fake, since, 50, 2, Duration::from_secs(30)).await,
            "the second pass reads every project"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
        second.stop();
        for (account, at) in reads(&fake, since) {
            assert_eq!(
                at.len(),
                2,
                "{account}: one read per interval, not one per instance"
            );
            let gap = at[1] - at[0];
            assert!(
                gap >= interval - Duration::from_secs(1),
                "{account}: read again after {gap:?}"
            );
        }
    })
}

#[test]
fn a_postgres_restart_during_a_refresh_fails_what_it_could_not_record_and_the_next_pass_reads_it() {
    if postgres_url().is_none() {
        return;
    }
    let postgres = OwnPostgres("fleet");
    let url = postgres.run("start");
    on_runtime(async {
        let fake = fake::spawn(([127, 0, 0, 1], 0).into(), &generated::demo_seed(16))
            .await
            .unwrap();
        // Every read takes a while, so the pass is under way when the
        // database stops.
        fake.inject(FaultRule {
            account: None,
            route: None,
            method: Some("GET".into()),
            fault: Fault::Latency { ms: 700 },
            times: None,
        });
        let (projects, _) = instances(&url, &fake, 16).await;
        let store = projects.store().clone();
        let console = start_console_refreshing(
            fake,
            projects,
            RefreshConfig {
                concurrency: 4,
                ..scheduled(Duration::from_secs(2))
            },
        )
        .await;
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        postgres.run("pause");
        // Pages say so in one line; nothing panics.
        let page = console.get("/fleet").await;
        assert_eq!(page.status(), 503);
        let body = page.text().await.unwrap();
        assert!(body.contains("database is unavailable"), "{body}");
        assert!(body.lines().count() <= 2, "one line: {body}");
        tokio::time::sleep(Duration::from_secs(2)).await;
        postgres.run("resume");

        // Items whose reads ended while it was down failed with why.
        let pool = pg_pool(&url).await;
        // The loop ends as soon as both hold. Beside the whole suite on two
        // cores, a pass after the outage took longer than 40 s twice (an
        // item's lease of 15 s, then reads 700 ms each, 4 at a time).
        let until = Instant::now() + Duration::from_secs(90);
        let mut failed_with_reason = false;
        let mut all_read = false;
        let mut unread: Vec<String> = Vec::new();
        while Instant::now() < until && !(failed_with_reason && all_read) {
            tokio::time::sleep(Duration::from_millis(100)).await;
            // Any state: an item read again keeps why its last read failed
            // until the new read ends.
            let Ok(rows) =
                sqlx::query_scalar::<_, String>("SELECT COALESCE(message, '') FROM refresh_items")
                    .fetch_all(&pool)
                    .await
            else {
                continue;
            };
            failed_with_reason |= rows.iter().any(|m| m.contains("could not be recorded"));
            let (page, _) = match store
                .fleet(
                    &Default::default(),
                    &composition_admin::store::FleetScope::Everything,
                    composition_admin::store::now(),
                    100,
                )
                .await
            {
                Ok(found) => found,
                Err(_) => continue,
            };
            // What is not read yet, for the failure message.
            unread = page
                .iter()
                .filter(|r| {
                    [&r.composition, &r.recording].iter().any(|c| {
                        c.read_at.is_none()
                            || c.error.as_deref().is_some_and(|e| !e.contains("20003"))
                    })
                })
                .map(|r| {
                    format!(
                        "{}: {:?} / {:?}",
                        r.name, r.composition.error, r.recording.error
                    )
                })
                .collect();
            // Read, or refused by Twilio (the projects with a wrong token).
            all_read = page.len() == 16
                && page.iter().all(|r| {
                    [&r.composition, &r.recording].iter().all(|c| {
                        c.read_at.is_some()
                            && c.error.as_deref().is_none_or(|e| e.contains("20003"))
                    })
                });
        }
        assert!(
            failed_with_reason,
            "a read the database could not take failed, saying so"
        );
        let items: Vec<(String, String, Option<String>, i64)> = sqlx::query_as(
            "SELECT project_id, state, owner, attempts FROM refresh_items ORDER BY project_id",
        )
        .fetch_all(&pool)
        .await
        .unwrap_or_default();
        assert!(
            all_read,
            "the next pass read every project once the database was back; not read: {unread:?}; items: {items:?}"
        );
        assert_eq!(console.get("/fleet").await.status(), 200);
        console.refresh.stop();
    })
}

async fn pg_pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url).await.unwrap()
}
