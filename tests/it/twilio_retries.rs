//! Retries after 429 and 503: bounded, honouring Retry-After, only where a
//! second request is harmless.

use crate::common::*;
use composition_admin::domain::{SettingsInput, SettingsKind};
use composition_admin::fake::{Fault, FaultRule};
use composition_admin::twilio::TwilioError;
use std::time::{Duration, Instant};

fn busy(status: u16, retry_after: Option<u64>, method: &str, times: u32) -> FaultRule {
    FaultRule {
        account: None,
        route: Some("/v1/CompositionSettings".into()),
        method: Some(method.into()),
        fault: Fault::Status {
            status,
            retry_after,
        },
        times: Some(times),
    }
}

#[tokio::test]
async fn a_read_succeeds_after_two_busy_answers() {
    let fake = start_fake().await;
    fake.inject(busy(503, None, "GET", 2));
    let client = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    let settings = client
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap();
    assert_eq!(settings.friendly_name.as_deref(), Some("Demo compositions"));
}

#[tokio::test]
async fn retries_stop_after_the_limit_and_report_twilios_error() {
    let fake = start_fake().await;
    fake.inject(busy(429, None, "GET", 3));
    let client = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    match client.fetch_settings(SettingsKind::Composition).await {
        Err(TwilioError::Api { status, code, .. }) => {
            assert_eq!((status, code), (429, Some(20429)))
        }
        other => panic!("expected 429, got {other:?}"),
    }
    // One try and two retries used all three faults: a single try now passes.
    let single = client_without_retries(&fake.base_url(), ACCOUNT, TOKEN);
    assert!(single
        .fetch_settings(SettingsKind::Composition)
        .await
        .is_ok());
}

#[tokio::test]
async fn retry_after_sets_the_wait() {
    let fake = start_fake().await;
    fake.inject(busy(429, Some(1), "GET", 1));
    let client = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    let started = Instant::now();
    assert!(client
        .fetch_settings(SettingsKind::Composition)
        .await
        .is_ok());
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_long_retry_after_is_reported_at_once_with_the_wait() {
    let fake = start_fake().await;
    fake.inject(busy(503, Some(120), "GET", 1));
    let client = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    let started = Instant::now();
    let err = client
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn the_settings_save_is_retried_because_it_is_idempotent() {
    let fake = start_fake().await;
    fake.inject(busy(429, None, "POST", 1));
    let client = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    let update = SettingsInput {
        friendly_name: "after a 429".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let saved = client
        .update_settings(SettingsKind::Composition, &update)
        .await
        .unwrap();
    assert_eq!(saved.friendly_name.as_deref(), Some("after a 429"));
}
