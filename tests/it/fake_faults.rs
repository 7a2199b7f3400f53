//! Fault injection in the fake, and what the console's Twilio client makes
//! of each fault.

use crate::common::*;
use composition_admin::domain::{AppError, SettingsKind};
use composition_admin::fake::{Fault, FaultRule};
use composition_admin::twilio::TwilioError;
use std::time::{Duration, Instant};

fn on_settings(fault: Fault, times: Option<u32>) -> FaultRule {
    FaultRule {
        account: Some(ACCOUNT.into()),
        route: Some("/v1/CompositionSettings".into()),
        method: None,
        fault,
        times,
    }
}

#[tokio::test]
async fn status_faults_carry_twilios_codes_and_retry_after_then_expire() {
    let fake = start_fake().await;
    let client = client_without_retries(&fake.base_url(), ACCOUNT, TOKEN);
    fake.inject(on_settings(
        Fault::Status {
            status: 429,
            retry_after: Some(3),
        },
        Some(1),
    ));
    match client.fetch_settings(SettingsKind::Composition).await {
        Err(TwilioError::Api { status, code, .. }) => {
            assert_eq!((status, code), (429, Some(20429)))
        }
        other => panic!("expected 429, got {other:?}"),
    }
    // Used up after one hit.
    assert!(client
        .fetch_settings(SettingsKind::Composition)
        .await
        .is_ok());
    fake.inject(on_settings(
        Fault::Status {
            status: 503,
            retry_after: None,
        },
        None,
    ));
    for _ in 0..2 {
        match client.fetch_settings(SettingsKind::Composition).await {
            Err(TwilioError::Api { status, code, .. }) => {
                assert_eq!((status, code), (503, Some(20503)))
            }
            other => panic!("expected 503, got {other:?}"),
        }
    }
    // Other routes are untouched.
    assert!(client.fetch_settings(SettingsKind::Recording).await.is_ok());
    fake.clear_faults();
    assert!(client
        .fetch_settings(SettingsKind::Composition)
        .await
        .is_ok());
}

#[tokio::test]
async fn a_hang_ends_in_a_timeout_within_the_configured_bound() {
    let fake = start_fake().await;
    fake.inject(on_settings(Fault::Hang, None));
    let client = client_with_timeout(&fake.base_url(), ACCOUNT, TOKEN, Duration::from_millis(300));
    let started = Instant::now();
    let err = client
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap_err();
    assert!(matches!(err, TwilioError::Timeout(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    match AppError::from(err) {
        AppError::Unavailable { message } => {
            assert!(message.contains("did not answer"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn latency_delays_but_answers() {
    let fake = start_fake().await;
    fake.inject(on_settings(Fault::Latency { ms: 200 }, Some(1)));
    let client = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    let started = Instant::now();
    assert!(client
        .fetch_settings(SettingsKind::Composition)
        .await
        .is_ok());
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn a_dropped_connection_and_a_malformed_body_become_clear_errors() {
    let fake = start_fake().await;
    let client = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    fake.inject(on_settings(Fault::Drop, Some(1)));
    let err = client
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap_err();
    assert!(matches!(err, TwilioError::Interrupted(_)), "{err:?}");
    assert!(
        matches!(AppError::from(err), AppError::Unavailable { message } if message.contains("broke off"))
    );

    fake.inject(on_settings(Fault::Malformed, Some(1)));
    let err = client
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap_err();
    assert!(matches!(err, TwilioError::Protocol(_)), "{err:?}");
    assert!(
        matches!(AppError::from(err), AppError::Unavailable { message } if message.contains("could not be read"))
    );
}

#[tokio::test]
async fn faults_are_per_account() {
    let fake = start_fake().await;
    let mut rule = on_settings(
        Fault::Status {
            status: 500,
            retry_after: None,
        },
        None,
    );
    rule.account = Some("AC99999999999999999999999999999999".into());
    fake.inject(rule);
    let client = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    assert!(client
        .fetch_settings(SettingsKind::Composition)
        .await
        .is_ok());
}

#[tokio::test]
async fn the_admin_endpoint_sets_and_clears_faults_over_http() {
    let fake = start_fake().await;
    let http = reqwest::Client::new();
    let admin = format!("{}/__fake/faults", fake.base_url());
    let rule = serde_json::json!({
        "account": ACCOUNT, "route": "/v1/CompositionSettings", "method": "GET",
        "fault": {"kind": "status", "status": 429, "retry_after": 2}, "times": null
    });
    assert_eq!(
        http.post(&admin).json(&rule).send().await.unwrap().status(),
        201
    );
    let settings = format!("{}/v1/CompositionSettings/Default", fake.base_url());
    let r = http
        .get(&settings)
        .basic_auth(ACCOUNT, Some(TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "2");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        (body["code"].as_u64(), body["message"].as_str()),
        (Some(20429), Some("Too Many Requests"))
    );
    assert_eq!(http.delete(&admin).send().await.unwrap().status(), 204);
    let r = http
        .get(&settings)
        .basic_auth(ACCOUNT, Some(TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bad = serde_json::json!({"fault": {"kind": "status", "status": 200}});
    let r = http.post(&admin).json(&bad).send().await.unwrap();
    let status = r.status();
    assert_eq!(status, 400, "{}", r.text().await.unwrap());
}
