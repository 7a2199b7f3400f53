//! Changes whose answer from Twilio was lost or unclear: the console checks
//! what Twilio holds and says what it found, and every change is recorded
//! in two steps (an attempt before the call, its outcome after), so a
//! stopped process leaves "outcome unknown", never silence.

use crate::common::*;
use composition_admin::domain::audit::{AuditEntry, AuditOutcome, AuditPage};
use composition_admin::domain::{CredentialKind, SettingsKind};
use composition_admin::fake::{Fault, FaultRule};
use std::time::Duration;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn on(route: &str, method: &str, fault: Fault) -> FaultRule {
    FaultRule {
        account: None,
        route: Some(route.into()),
        method: Some(method.into()),
        fault,
        times: Some(1),
    }
}

/// Every audit entry of `action`, newest first, as the audit page lists them.
async fn entries(console: &Console, action: &str) -> Vec<AuditEntry> {
    let response = call_as(
        console,
        &console.cookie,
        "/api/audit/list",
        &[("filter[action]", action)],
    )
    .await;
    assert_eq!(response.status(), 200);
    let page: AuditPage = response.json().await.unwrap();
    page.entries
}

fn save_fields(name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("project", PROJECT.into()),
        ("kind", "Composition".into()),
        ("input[friendly_name]", name.into()),
        ("input[encryption_enabled]", "false".into()),
        ("input[aws_storage_enabled]", "false".into()),
        ("original[friendly_name]", "Demo compositions".into()),
        ("original[encryption_enabled]", "false".into()),
        ("original[aws_storage_enabled]", "false".into()),
    ]
}

async fn save(console: &Console, name: &str) -> reqwest::Response {
    let fields = save_fields(name);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    call_as(console, &console.cookie, "/api/settings/save", &fields).await
}

async fn held_name(console: &Console) -> Option<String> {
    console
        .projects
        .client(&console.project())
        .await
        .unwrap()
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap()
        .friendly_name
}

#[test]
fn a_create_whose_answer_times_out_after_twilio_stored_it_is_reported_made_and_audited_once() {
    on_runtime(async {
        let fake = start_fake().await;
        let console =
            start_console_with(fake, Duration::from_secs(1), Duration::from_secs(30)).await;
        console
            .fake
            .inject(on("/v1/Credentials/AWS", "POST", Fault::StoreThenHang));
        let created = call_as(
            &console,
            &console.cookie,
            "/api/credentials/aws",
            &[
                ("project", PROJECT),
                ("input[friendly_name]", "lost-answer-writer"),
                ("input[access_key_id]", "AKIAIOSFODNN7EXAMPLE"),
                ("input[secret_access_key]", SECRET),
            ],
        )
        .await;
        let status = created.status();
        let body = created.text().await.unwrap();
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("lost-answer-writer"), "{body}");
        let listed = console
            .projects
            .client(&console.project())
            .await
            .unwrap()
            .list_credentials(CredentialKind::Aws)
            .await
            .unwrap();
        let named: Vec<_> = listed
            .iter()
            .filter(|c| c.friendly_name.as_deref() == Some("lost-answer-writer"))
            .collect();
        assert_eq!(named.len(), 1, "created once, not retried");
        assert!(body.contains(named[0].sid.as_str()), "{body}");
        let audited = entries(&console, "credential-created").await;
        assert_eq!(audited.len(), 1, "{audited:?}");
        assert_eq!(audited[0].outcome, Some(AuditOutcome::Done));
        assert!(audited[0]
            .after
            .as_deref()
            .unwrap()
            .contains(named[0].sid.as_str()));
        assert!(!format!("{audited:?}").contains(SECRET));
    })
}

#[test]
fn a_save_cut_off_after_twilio_stored_it_is_checked_and_reported_made() {
    on_runtime(async {
        let console = start_console().await;
        console
            .fake
            .inject(on("/v1/CompositionSettings", "POST", Fault::StoreThenDrop));
        let saved = save(&console, "Stored, answer lost").await;
        let status = saved.status();
        let body = saved.text().await.unwrap();
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("Stored, answer lost"), "{body}");
        assert_eq!(
            held_name(&console).await.as_deref(),
            Some("Stored, answer lost")
        );
        let audited = entries(&console, "settings-saved").await;
        assert_eq!(audited.len(), 1, "one entry shown: {audited:?}");
        assert_eq!(audited[0].outcome, Some(AuditOutcome::Done));
        assert!(audited[0]
            .before
            .as_deref()
            .unwrap()
            .contains("Demo compositions"));
        assert!(audited[0]
            .after
            .as_deref()
            .unwrap()
            .contains("Stored, answer lost"));
    })
}

#[test]
fn a_save_cut_off_before_twilio_acted_is_checked_and_reported_not_made() {
    on_runtime(async {
        let console = start_console().await;
        console
            .fake
            .inject(on("/v1/CompositionSettings", "POST", Fault::Drop));
        let saved = save(&console, "Never stored").await;
        assert_eq!(saved.status(), 503);
        let body = saved.text().await.unwrap();
        assert!(body.contains("the change was not made"), "{body}");
        assert_eq!(
            held_name(&console).await.as_deref(),
            Some("Demo compositions")
        );
        let audited = entries(&console, "settings-saved").await;
        assert_eq!(audited.len(), 1, "{audited:?}");
        assert_eq!(audited[0].outcome, Some(AuditOutcome::Failed));
        assert!(audited[0].summary.contains("not made"), "{audited:?}");
    })
}

#[test]
fn a_delete_whose_answer_is_lost_is_checked_and_reported_made() {
    on_runtime(async {
        let fake = start_fake().await;
        let console =
            start_console_with(fake, Duration::from_secs(1), Duration::from_secs(30)).await;
        let client = console.projects.client(&console.project()).await.unwrap();
        let unused = client
            .create_aws_credential(&composition_admin::domain::credentials::NewAwsCredential {
                friendly_name: "to-delete".into(),
                credentials: format!("AKIAIOSFODNN7EXAMPLE:{SECRET}"),
            })
            .await
            .unwrap();
        console
            .fake
            .inject(on("/v1/Credentials/AWS", "DELETE", Fault::StoreThenHang));
        let deleted = call_as(
            &console,
            &console.cookie,
            "/api/credentials/delete",
            &[
                ("project", PROJECT),
                ("kind", "aws"),
                ("sid", unused.sid.as_str()),
                ("confirm", "true"),
            ],
        )
        .await;
        let status = deleted.status();
        assert_eq!(status, 200, "{}", deleted.text().await.unwrap());
        let audited = entries(&console, "credential-deleted").await;
        assert_eq!(audited.len(), 1, "{audited:?}");
        assert_eq!(audited[0].outcome, Some(AuditOutcome::Done));
    })
}

#[test]
fn a_deadline_that_fires_mid_write_says_so_and_the_write_is_still_recorded() {
    on_runtime(async {
        let fake = start_fake().await;
        let console =
            start_console_with(fake, Duration::from_secs(10), Duration::from_secs(1)).await;
        console.fake.inject(on(
            "/v1/CompositionSettings",
            "POST",
            Fault::Latency { ms: 2500 },
        ));
        let saved = save(&console, "Slow but stored").await;
        assert_eq!(saved.status(), 503);
        let body = saved.text().await.unwrap();
        assert!(body.contains("Twilio may have made it"), "{body}");
        assert!(!body.contains("nothing is known to have changed"), "{body}");
        // The write went on; its outcome reaches the trail.
        let mut audited = Vec::new();
        for _ in 0..50 {
            audited = entries(&console, "settings-saved").await;
            if audited.first().and_then(|e| e.outcome) == Some(AuditOutcome::Done) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(audited.len(), 1, "{audited:?}");
        assert_eq!(audited[0].outcome, Some(AuditOutcome::Done), "{audited:?}");
        assert_eq!(
            held_name(&console).await.as_deref(),
            Some("Slow but stored")
        );
    })
}

#[test]
fn an_attempt_left_without_an_outcome_shows_as_outcome_unknown() {
    on_runtime(async {
        let console = start_console().await;
        // What a process killed during the call leaves: the attempt alone.
        let trail = composition_admin::services::trail::Trail::new(
            console.projects.store().clone(),
            ADMIN,
            None,
            Some(console.project()),
        );
        let attempt = trail
            .attempt(
                composition_admin::domain::audit::AuditAction::SettingsSaved,
                "Composition settings saved".into(),
                Some("{\"friendly_name\":\"interrupted\"}".into()),
            )
            .await
            .unwrap();
        drop(attempt);
        let audited = entries(&console, "settings-saved").await;
        assert_eq!(audited.len(), 1);
        assert_eq!(audited[0].outcome, Some(AuditOutcome::Attempted));
        assert!(audited[0].after.as_deref().unwrap().contains("interrupted"));
        let page = console.html("/audit").await;
        assert!(page.contains("outcome unknown"), "{page}");
    })
}

#[test]
fn a_change_made_whose_outcome_cannot_be_recorded_says_so_with_and_without_javascript() {
    on_runtime(async {
        let console = start_console().await;
        let db = console.sqlite_url();
        // The trail takes attempts but refuses their outcomes, as a disk
        // that fills between the two would.
        raw_sql(
            &db,
            "CREATE TRIGGER refuse_outcomes BEFORE INSERT ON audit \
             WHEN NEW.attempt_id IS NOT NULL \
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
        )
        .await;
        let saved = save(&console, "Saved, not recorded").await;
        assert_eq!(saved.status(), 200);
        let body: serde_json::Value = saved.json().await.unwrap();
        assert_eq!(body["recorded"], false, "{body}");
        assert_eq!(body["value"]["friendly_name"], "Saved, not recorded");
        assert_eq!(
            held_name(&console).await.as_deref(),
            Some("Saved, not recorded")
        );

        // Without JavaScript: the redirect says it, and the page shows it.
        let mut fields = save_fields("Posted, not recorded");
        for (key, value) in &mut fields {
            if *key == "original[friendly_name]" {
                *value = "Saved, not recorded".into();
            }
        }
        // Reviewed: without JavaScript the first post only shows the change.
        fields.push(("confirm", "true".into()));
        let posted = console
            .browser()
            .post(console.url("/api/settings/save"))
            .header("origin", console.origin())
            .header(reqwest::header::ACCEPT, "text/html")
            .header(reqwest::header::REFERER, console.url(&console.page("")))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(posted.status(), 302);
        let location = posted.headers()[reqwest::header::LOCATION]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(location.contains("unrecorded=1"), "{location}");
        let page = console.html(&location).await;
        assert!(page.contains("Saved."), "{page}");
        assert!(
            page.contains("the audit trail could not record it"),
            "{page}"
        );
        // An unsigned `unrecorded` (a link from elsewhere) shows nothing.
        let forged = console
            .html(&format!(
                "{}?saved=composition&unrecorded=1",
                console.page("")
            ))
            .await;
        assert!(!forged.contains("could not record"), "{forged}");
    })
}
