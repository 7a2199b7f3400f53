//! The console's database going away under a running console: every
//! request is answered within a few seconds, pages and calls say plainly
//! that the database is unavailable (503, never a sign-in redirect),
//! `/readyz` reports it while `/healthz` and static files do not wait for
//! it, and once the database is back the console works without a restart.
//! On a throwaway PostgreSQL of the test's own, stopped and started.

use crate::common::*;
use composition_admin::domain::{Login, ProjectUpdate};
use reqwest::header::{ACCEPT, COOKIE};
use std::time::{Duration, Instant};

const UNAVAILABLE: &str = "The console's database is unavailable; nothing was changed.";

#[test]
fn a_database_outage_is_answered_plainly_and_the_console_recovers() {
    if std::env::var("TEST_POSTGRES_URL").map_or(true, |u| u.trim().is_empty()) {
        assert!(
            std::env::var_os("REQUIRE_POSTGRES").is_none(),
            "PostgreSQL is required"
        );
        return;
    }
    let postgres = OwnPostgres("outage");
    let url = postgres.run("start");
    on_runtime(async {
        let fake = start_fake().await;
        let store =
            composition_admin::store::Store::open_answering_within(&url, Duration::from_secs(1))
                .await
                .unwrap();
        let vault =
            composition_admin::vault::Vault::new(&composition_admin::vault::MasterKey::generate());
        store.set_key_check(&vault.key_check()).await.unwrap();
        let projects = composition_admin::services::Projects::new(
            store,
            vault,
            pool_with(&fake.base_url(), Duration::from_secs(5), 2),
        );
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
            .unwrap();
        let console = start_console_over(fake, projects).await;
        let client = browser_without_js();
        let page = || {
            client
                .get(console.url("/projects"))
                .header(COOKIE, console.cookie.clone())
                .header(ACCEPT, "text/html")
                .send()
        };
        assert_eq!(page().await.unwrap().status(), 200);
        let ready = || client.get(console.url("/readyz")).send();
        assert_eq!(ready().await.unwrap().status(), 200);

        postgres.run("pause");
        // Pages: one plain line, 503 (the client gives up after 5 s).
        let started = Instant::now();
        let down = page().await.unwrap();
        let took = started.elapsed();
        assert_eq!(down.status(), 503);
        let body = down.text().await.unwrap();
        assert!(body.contains(UNAVAILABLE), "{body}");
        eprintln!("a page answered {took:?} after the database went away (acquire timeout 1 s)");
        // Server functions: 503 with the same message.
        let call = call_as(&console, &console.cookie, "/api/projects/list", &[]).await;
        assert_eq!(call.status(), 503);
        assert!(call.text().await.unwrap().contains("DatabaseUnavailable"));
        // A form posted without JavaScript is not sent to the sign-in page.
        let form = client
            .post(console.url("/api/settings/save"))
            .header("origin", console.origin())
            .header(ACCEPT, "text/html")
            .header(COOKIE, console.cookie.clone())
            .form(&[("project", PROJECT), ("kind", "Composition")])
            .send()
            .await
            .unwrap();
        assert_eq!(form.status(), 503);
        // Readiness says so; liveness and static files do not wait.
        let not_ready = ready().await.unwrap();
        assert_eq!(not_ready.status(), 503);
        assert!(not_ready
            .text()
            .await
            .unwrap()
            .contains("database is unavailable"));
        assert_eq!(
            client
                .get(console.url("/healthz"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        let icon = client
            .get(console.url("/favicon.svg"))
            .header(COOKIE, console.cookie.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(icon.status(), 200);

        postgres.run("resume");
        let mut back = false;
        for _ in 0..40 {
            if ready().await.map(|r| r.status() == 200).unwrap_or(false) {
                back = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        assert!(back, "ready again after the restart");
        assert_eq!(
            page().await.unwrap().status(),
            200,
            "the same session works again"
        );
    })
}
