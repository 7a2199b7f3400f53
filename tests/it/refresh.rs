//! The fleet through the console: the page and its export without
//! JavaScript, a refresh started by a plain form post and followed by
//! reloads and by the event stream, one project that hangs and one that is
//! told to slow down (429) while the rest finish, and a viewer who sees
//! (and refreshes) only their projects.

use crate::common::*;
use composition_admin::domain::{Role, SettingsKind};
use composition_admin::fake::{generated, Fault, FaultRule};
use composition_admin::store::FleetScope;
use reqwest::header::{ACCEPT, COOKIE, LOCATION, REFERER};
use std::time::Duration;

/// A console over the demo account and `n` generated projects (every
/// fifth of them with a wrong token).
async fn fleet_console(n: u32) -> Console {
    console_over_seed(&generated::demo_seed(n), n).await
}

/// Requests the fake saw for `account`'s Composition settings.
fn composition_reads(console: &Console, account: &str) -> usize {
    console
        .fake
        .state
        .requests()
        .iter()
        .filter(|r| {
            r.account.as_deref() == Some(account) && r.path.starts_with("/v1/CompositionSettings")
        })
        .count()
}

/// A "Refresh" form posted without JavaScript, as `cookie`.
async fn post_refresh(console: &Console, cookie: &str, view: &str) -> reqwest::Response {
    browser_without_js()
        .post(console.url("/api/fleet/refresh"))
        .header("origin", console.origin())
        .header(ACCEPT, "text/html")
        .header(REFERER, console.url(&format!("/fleet?{view}")))
        .header(COOKIE, cookie)
        .form(&[("view", view)])
        .send()
        .await
        .unwrap()
}

#[test]
fn without_javascript_the_fleet_shows_refreshes_and_exports_every_project() {
    on_runtime(async {
        let console = fleet_console(10).await;
        let html = console.html("/fleet").await;
        assert!(html.contains("<h1>Fleet</h1>"), "{html}");
        assert!(html.contains("11 projects, page 1 of 1."), "{html}");
        assert!(html.contains("Not read yet"), "nothing read yet: {html}");
        assert!(
            html.contains(r#"<a href="/fleet" aria-current="page">Fleet"#),
            "{html}"
        );

        // One slow account keeps the job running while the page is read.
        console.fake.inject(FaultRule {
            account: Some(ACCOUNT.into()),
            route: None,
            method: Some("GET".into()),
            fault: Fault::Latency { ms: 1_500 },
            times: None,
        });
        let posted = post_refresh(&console, &console.cookie, "only=stale&sort=changed").await;
        assert_eq!(posted.status(), 302);
        let location = posted.headers()[LOCATION].to_str().unwrap().to_owned();
        assert_eq!(location, "/fleet?only=stale&sort=changed");
        let running = console.html(&location).await;
        assert!(
            running.contains("Refreshing, started by tester"),
            "{running}"
        );
        assert!(
            running.contains(r#"<noscript><meta http-equiv="refresh" content="3"></noscript>"#),
            "a page without JavaScript reloads itself: {running}"
        );
        // A second "Refresh" joins the running job.
        let first = console
            .projects
            .store()
            .job_progress(None, &FleetScope::Everything)
            .await
            .unwrap()
            .expect("a job runs");
        assert_eq!(
            post_refresh(&console, &console.cookie, "").await.status(),
            302
        );
        let joined = console
            .projects
            .store()
            .job_progress(None, &FleetScope::Everything)
            .await
            .unwrap()
            .expect("still one job");
        assert_eq!((joined.total(), joined.id), (11, first.id));
        assert!(refresh_ended(&console, Duration::from_secs(15)).await);

        let done = console.html("/fleet").await;
        assert!(!done.contains("http-equiv"), "no reload once it ended");
        assert!(!done.contains("Not read yet"), "{done}");
        // The wrong tokens are a problem in words, with Twilio's code.
        let problems = console.html("/fleet?only=problem").await;
        assert!(problems.contains("1 project, page 1 of 1."), "{problems}");
        assert!(problems.contains("20003"), "{problems}");
        // Names of the credentials the settings point to.
        let encrypted = console.html("/fleet?q=Bluebird").await;
        assert!(encrypted.contains("On: key-001 ("), "{encrypted}");

        // The export holds every row the view matches, and no secret.
        let csv = console.get("/fleet/export?format=csv&only=problem").await;
        assert_eq!(csv.status(), 200);
        assert!(csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("fleet.csv"));
        let csv = csv.text().await.unwrap();
        assert_eq!(csv.lines().count(), 2, "{csv}");
        assert!(csv.starts_with("project,name,account_sid,"));
        assert!(!csv.contains(TOKEN), "no secret in the export");
        let json: serde_json::Value = console
            .get("/fleet/export?format=json")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(json.as_array().unwrap().len(), 11);
        // Twilio was read for every project: the demo's encryption is off.
        let acme = console
            .projects
            .store()
            .snapshot(&console.project(), SettingsKind::Composition)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(acme.error, None);
        assert!(!acme.state.unwrap().encryption_enabled);

        // A name a spreadsheet would run as a formula is neutralised.
        insert_plain_project(
            console.projects.store(),
            "formula",
            "=SUM(A1) Corp",
            "AC0000000000000000000000000000f0f0",
        )
        .await;
        let csv = console
            .get("/fleet/export?format=csv&q=sum")
            .await
            .text()
            .await
            .unwrap();
        assert!(csv.contains("\"'=SUM(A1) Corp\""), "{csv}");
    })
}

#[test]
fn a_hanging_project_fails_at_its_deadline_and_a_429_slows_another_while_the_rest_finish() {
    on_runtime(async {
        let console = fleet_console(8).await;
        let account = |i: u64| format!("AC{:032x}", 0xf000_0000u64 + i);
        console.fake.inject(FaultRule {
            account: Some(account(1)),
            route: None,
            method: Some("GET".into()),
            fault: Fault::Hang,
            times: None,
        });
        console.fake.inject(FaultRule {
            account: Some(account(2)),
            route: Some("/v1/CompositionSettings".into()),
            method: Some("GET".into()),
            fault: Fault::Status {
                status: 429,
                retry_after: Some(1),
            },
            times: Some(1),
        });
        // Registering checked each login: count from here.
        let before = composition_reads(&console, &account(2));
        let started = call_as(
            &console,
            &console.cookie,
            "/api/fleet/refresh",
            &[("view", "")],
        )
        .await;
        assert_eq!(started.status(), 200);
        assert!(refresh_ended(&console, Duration::from_secs(20)).await);
        let store = console.projects.store();
        let kind = SettingsKind::Composition;
        let hung = store
            .snapshot(&"gen-0001".parse().unwrap(), kind)
            .await
            .unwrap()
            .unwrap();
        let why = hung.error.unwrap_or_default();
        assert!(why.contains("did not answer"), "{why}");
        // Told to wait, it waited (Retry-After) and was read.
        let slowed = store
            .snapshot(&"gen-0002".parse().unwrap(), kind)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(slowed.error, None);
        assert!(slowed.state.unwrap().encryption_enabled);
        let retried = composition_reads(&console, &account(2)) - before;
        assert_eq!(retried, 2, "the 429 was retried once");
        // Every other project was read within the job.
        for id in [
            "acme", "gen-0003", "gen-0004", "gen-0006", "gen-0007", "gen-0008",
        ] {
            let read = store
                .snapshot(&id.parse().unwrap(), kind)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{id} was read"));
            assert_eq!(read.error, None, "{id}");
        }
        let html = console.html("/fleet?q=Bluebird").await;
        assert!(html.contains("did not answer"), "the page says why: {html}");
    })
}

#[test]
fn the_event_stream_follows_a_refresh_to_its_end() {
    on_runtime(async {
        let console = fleet_console(4).await;
        console.fake.inject(FaultRule {
            account: None,
            route: None,
            method: Some("GET".into()),
            fault: Fault::Latency { ms: 600 },
            times: None,
        });
        let started = call_as(
            &console,
            &console.cookie,
            "/api/fleet/refresh",
            &[("view", "")],
        )
        .await;
        assert_eq!(started.status(), 200);
        let mut stream = reqwest::Client::new()
            .get(console.url("/fleet/events"))
            .header(COOKIE, console.cookie.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(stream.status(), 200);
        assert!(stream.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        let mut seen = String::new();
        let until = std::time::Instant::now() + Duration::from_secs(15);
        while !seen.contains("event: finished") && std::time::Instant::now() < until {
            match tokio::time::timeout(Duration::from_secs(5), stream.chunk()).await {
                Ok(Ok(Some(chunk))) => seen.push_str(&String::from_utf8_lossy(&chunk)),
                _ => break,
            }
        }
        assert!(seen.contains("event: progress"), "{seen}");
        assert!(seen.contains("event: finished"), "{seen}");
        assert!(seen.contains(r#""done":5"#), "all five read: {seen}");
        assert!(seen.contains(r#""updated":["#), "{seen}");
        // Nothing runs now: the stream says so and ends.
        let idle = reqwest::Client::new()
            .get(console.url("/fleet/events"))
            .header(COOKIE, console.cookie.clone())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(idle.contains("event: idle"), "{idle}");
        // Signed out, there is no stream and no export.
        for path in ["/fleet/events", "/fleet/export?format=csv"] {
            let anonymous = browser_without_js()
                .get(console.url(path))
                .send()
                .await
                .unwrap();
            assert_ne!(anonymous.status(), 200, "{path}");
        }
    })
}

#[test]
fn a_viewer_sees_exports_and_refreshes_only_their_projects() {
    on_runtime(async {
        let console = fleet_console(6).await;
        let viewer = staff(&console, "vera", Role::Viewer, &["gen-0001", "gen-0002"]).await;
        let page = browser_without_js()
            .get(console.url("/fleet"))
            .header(COOKIE, viewer.clone())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("2 projects, page 1 of 1."), "{page}");
        assert!(!page.contains("Acme Video"), "{page}");
        assert!(
            page.contains("2 projects shown."),
            "the chart counts theirs: {page}"
        );
        let csv = browser_without_js()
            .get(console.url("/fleet/export?format=csv"))
            .header(COOKIE, viewer.clone())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(csv.lines().count(), 3, "{csv}");
        assert!(!csv.contains("Acme"), "{csv}");
        // Their refresh reads their two projects, nothing else.
        assert_eq!(post_refresh(&console, &viewer, "").await.status(), 302);
        assert!(refresh_ended(&console, Duration::from_secs(10)).await);
        let store = console.projects.store();
        let kind = SettingsKind::Composition;
        for (id, read) in [
            ("gen-0001", true),
            ("gen-0002", true),
            ("acme", false),
            ("gen-0003", false),
        ] {
            let snapshot = store.snapshot(&id.parse().unwrap(), kind).await.unwrap();
            assert_eq!(snapshot.is_some(), read, "{id}");
        }
        // A view made for someone else does not widen it.
        let forged = call_as(
            &console,
            &viewer,
            "/api/fleet/refresh",
            &[("view", "q=Acme")],
        )
        .await;
        assert_eq!(forged.status(), 200);
        let body = forged.text().await.unwrap();
        assert!(
            body.contains(r#""queued":0"#) && body.contains(r#""done":0"#),
            "{body}"
        );
    })
}
