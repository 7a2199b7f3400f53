//! Drift alerts (issue 24) with local receivers: one alert per change (not
//! per refresh) to each webhook, Slack's `{"text": …}` and a signed generic
//! body, tried again after a 500, recorded in the audit trail; a redirect
//! is not followed; an internal address is refused without the flag; the
//! fleet shows what was not delivered.

use crate::common::*;
use composition_admin::domain::audit::AuditFilter;
use composition_admin::domain::{SettingsInput, SettingsKind};
use composition_admin::services::alert_rules::{
    signature, Webhook, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use composition_admin::services::alerts::AlertConfig;
use composition_admin::services::refresh::RefreshConfig;
use composition_admin::store::AuditScope;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Default)]
struct Receiver {
    /// (path, headers, body) of every request.
    seen: Arc<Mutex<Vec<(String, axum::http::HeaderMap, String)>>>,
    /// Answers 500 to this many requests first.
    failing: Arc<Mutex<usize>>,
}

impl Receiver {
    fn seen(&self, path: &str) -> Vec<(axum::http::HeaderMap, String)> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, ..)| p == path)
            .map(|(_, h, b)| (h.clone(), b.clone()))
            .collect()
    }
}

async fn start_receiver() -> (Receiver, std::net::SocketAddr) {
    use axum::http::{StatusCode, Uri};
    use axum::response::IntoResponse;
    let state = Receiver::default();
    let app = axum::Router::new().fallback({
        let state = state.clone();
        move |uri: Uri, headers: axum::http::HeaderMap, body: String| {
            let state = state.clone();
            async move {
                let path = uri.path().to_owned();
                state
                    .seen
                    .lock()
                    .unwrap()
                    .push((path.clone(), headers, body));
                if path == "/redirect" {
                    return (StatusCode::FOUND, [("location", "/elsewhere")]).into_response();
                }
                let mut failing = state.failing.lock().unwrap();
                if *failing > 0 && path == "/hook" {
                    *failing -= 1;
                    return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                }
                StatusCode::OK.into_response()
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (state, addr)
}

fn alerts(urls: &[String], allow_internal: bool, tries: i64) -> AlertConfig {
    let mut config = AlertConfig::new(
        urls.iter().map(|u| Webhook::parse(u).unwrap()).collect(),
        "http://console.example".into(),
    );
    config.secret = Some("s3cret".to_owned().into());
    config.allow_internal = allow_internal;
    config.tries = tries;
    config.backoff = Duration::from_secs(1);
    config
}

async fn console_alerting(config: AlertConfig) -> Console {
    let fake = start_fake().await;
    let (projects, dir) = projects_for(&fake.base_url(), Duration::from_secs(5)).await;
    let mut console = start_console_refreshing(
        fake,
        projects,
        RefreshConfig {
            alerts: Some(config),
            ..test_refresh()
        },
    )
    .await;
    console.data_dir = Some(dir);
    console
}

/// Switches the demo account's compositions to encrypted, at Twilio.
async fn change_outside(console: &Console) {
    let client = client_for(&console.fake.base_url(), ACCOUNT, TOKEN);
    let held = client
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap();
    let mut changed = SettingsInput::from(&held);
    changed.encryption_enabled = true;
    changed.encryption_key_sid = PUBLIC_KEY.into();
    client
        .update_settings(SettingsKind::Composition, &changed.validate().unwrap())
        .await
        .unwrap();
}

async fn audit_count(console: &Console, action: &str) -> usize {
    let filter = AuditFilter {
        action: Some(action.into()),
        ..AuditFilter::default()
    };
    let (entries, _) = console
        .projects
        .store()
        .audit(&filter, AuditScope::Everything, 0, 100)
        .await
        .unwrap()
        .unwrap();
    entries.len()
}

async fn eventually(what: &str, check: impl Fn() -> bool) {
    let until = Instant::now() + Duration::from_secs(15);
    while !check() {
        assert!(Instant::now() < until, "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn a_change_outside_the_console_alerts_once_per_webhook_with_retries_and_a_signature() {
    on_runtime(async {
        let (receiver, at) = start_receiver().await;
        *receiver.failing.lock().unwrap() = 2;
        let console = console_alerting(alerts(
            &[format!("http://{at}/slack"), format!("http://{at}/hook")],
            true,
            5,
        ))
        .await;
        // The project follows "encryption off", which it is.
        let saved = call_as(
            &console,
            &console.cookie,
            "/api/templates/save",
            &[
                ("input[name]", "Plain"),
                ("input[kind]", "composition"),
                ("input[encryption]", "off"),
                ("input[storage]", "unmanaged"),
            ],
        )
        .await;
        assert_eq!(saved.status(), 200);
        let template = console.projects.store().templates().await.unwrap()[0]
            .id
            .clone();
        let assigned = call_as(
            &console,
            &console.cookie,
            "/api/templates/assign",
            &[
                ("project", PROJECT),
                ("kind", "Composition"),
                ("template", &template),
            ],
        )
        .await;
        assert_eq!(assigned.status(), 200);
        refresh_everything(&console).await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert!(
            receiver.seen("/slack").is_empty(),
            "a first read is no change"
        );

        change_outside(&console).await;
        for _ in 0..3 {
            refresh_everything(&console).await;
        }
        // Two alerts (changed outside; drifted from its template), each
        // once to each webhook; the generic one after two 500s.
        eventually("both alerts reach Slack", || {
            receiver.seen("/slack").len() == 2
        })
        .await;
        eventually("the generic webhook gets both after its retries", || {
            receiver.seen("/hook").len() == 4
        })
        .await;
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert_eq!(
            receiver.seen("/slack").len(),
            2,
            "one alert per change, not per refresh"
        );
        let texts: Vec<String> = receiver
            .seen("/slack")
            .iter()
            .map(|(_, body)| {
                serde_json::from_str::<serde_json::Value>(body).unwrap()["text"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        let outside = texts
            .iter()
            .find(|t| t.contains("changed outside the console"))
            .unwrap();
        assert!(
            outside.contains("Composition settings of Acme Video"),
            "{outside}"
        );
        assert!(outside.contains("Encryption: off → on"), "{outside}");
        assert!(
            outside.contains("http://console.example/projects/acme/template"),
            "{outside}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t.contains("drifted from the template “Plain”")),
            "{texts:?}"
        );

        // The generic body is signed: HMAC-SHA256 of "<timestamp>.<body>".
        for (headers, body) in receiver.seen("/hook") {
            let at: i64 = headers[TIMESTAMP_HEADER].to_str().unwrap().parse().unwrap();
            assert_eq!(
                headers[SIGNATURE_HEADER].to_str().unwrap(),
                signature(b"s3cret", at, &body)
            );
            assert_ne!(
                headers[SIGNATURE_HEADER].to_str().unwrap(),
                signature(b"other", at, &body)
            );
        }
        let until = Instant::now() + Duration::from_secs(5);
        while audit_count(&console, "alert-sent").await < 4 {
            assert!(Instant::now() < until, "four alert-sent entries");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
}

#[test]
fn a_redirect_is_not_followed_and_an_internal_address_needs_the_flag() {
    on_runtime(async {
        let (receiver, at) = start_receiver().await;
        let console = console_alerting(alerts(&[format!("http://{at}/redirect")], true, 2)).await;
        refresh_everything(&console).await;
        change_outside(&console).await;
        refresh_everything(&console).await;
        let until = Instant::now() + Duration::from_secs(15);
        while audit_count(&console, "alert-failed").await < 1 {
            assert!(Instant::now() < until, "the alert fails after its tries");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(receiver.seen("/redirect").len(), 2, "tried twice");
        assert!(
            receiver.seen("/elsewhere").is_empty(),
            "the redirect was not followed"
        );
        let fleet = console.html("/fleet").await;
        assert!(fleet.contains("Alerts not delivered"), "{fleet}");
        assert!(
            fleet.contains("a redirect, which is not followed"),
            "{fleet}"
        );

        // Without --alert-allow-private, a loopback receiver is refused.
        let (closed, at) = start_receiver().await;
        let strict = console_alerting(alerts(&[format!("http://{at}/hook")], false, 1)).await;
        refresh_everything(&strict).await;
        change_outside(&strict).await;
        refresh_everything(&strict).await;
        let until = Instant::now() + Duration::from_secs(10);
        while audit_count(&strict, "alert-failed").await < 1 {
            assert!(Instant::now() < until, "the internal address is refused");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(closed.seen("/hook").is_empty(), "nothing was sent to it");
        let fleet = strict.html("/fleet").await;
        assert!(fleet.contains("an internal address"), "{fleet}");
    })
}
