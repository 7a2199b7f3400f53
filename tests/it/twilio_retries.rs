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

/// Twilio's quotas are per account: a job writing to one account many
/// times is held to its pace, while another account's writes go at once.
#[tokio::test]
async fn writes_are_paced_per_account_and_other_accounts_go_on() {
    use composition_admin::fake::generated::subaccount_sid;
    use composition_admin::fake::seed::DEMO_PARENT as P;
    use composition_admin::twilio::{PaceConfig, PoolConfig, RetryPolicy, TwilioPool};
    use std::num::NonZeroU32;
    let fake = start_fake().await;
    let pool = TwilioPool::new(PoolConfig {
        video_base_url: fake.base_url(),
        accounts_base_url: fake.base_url(),
        api_base_url: fake.base_url(),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        retries: RetryPolicy::default(),
        // Two writes a second: two at once, then one every 500 ms.
        pace: PaceConfig {
            writes_per_second: NonZeroU32::new(2).unwrap(),
            ..PaceConfig::default()
        },
    })
    .unwrap();
    let parent = pool.client(P.sid.into(), P.auth_token.to_owned().into());
    let (busy, other) = (subaccount_sid(&P, 1), subaccount_sid(&P, 2));
    let (busy_sid, other_sid) = (busy.parse().unwrap(), other.parse().unwrap());
    let writes = (0..6)
        .map(|i| (&busy_sid, format!("paced {i}")))
        .chain((0..2).map(|i| (&other_sid, format!("other {i}"))));
    let made = futures_util::future::join_all(writes.map(|(account, name)| {
        let parent = parent.clone();
        async move { parent.create_key(account, &name).await }
    }))
    .await;
    assert!(
        made.iter().all(Result::is_ok),
        "{:?}",
        made.iter().find(|m| m.is_err())
    );
    let arrived = |account: &str| -> Vec<Instant> {
        fake.state
            .requests()
            .into_iter()
            .filter(|s| s.method == "POST" && s.path.contains(account))
            .map(|s| s.at)
            .collect()
    };
    let (busy_at, other_at) = (arrived(&busy), arrived(&other));
    assert_eq!((busy_at.len(), other_at.len()), (6, 2));
    let span = *busy_at.last().unwrap() - busy_at[0];
    assert!(
        span >= Duration::from_millis(1_900),
        "six writes to one account took {span:?}"
    );
    // The other account did not wait behind the busy one's queue.
    assert!(
        other_at.iter().all(|at| at < &busy_at[2]),
        "the other account's writes came before the busy one's third"
    );
}
