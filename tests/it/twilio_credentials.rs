//! The client's side of the Accounts credentials API, against the fake.

use crate::common::*;
use composition_admin::domain::credentials::{AwsCredentialInput, PublicKeyInput};
use composition_admin::domain::CredentialKind;
use composition_admin::fake::{Fault, FaultRule};
use composition_admin::twilio::TwilioError;

const PEM: &str = include_str!("../../src/domain/testdata/rsa2048.pub.pem");

fn aws(name: &str) -> AwsCredentialInput {
    AwsCredentialInput {
        friendly_name: name.into(),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
    }
}

#[tokio::test]
async fn a_list_follows_every_page_in_order() {
    let fake = start_fake().await;
    let client = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    for i in 0..4 {
        let input = aws(&format!("writer {i}")).validate().unwrap();
        client.create_aws_credential(&input).await.unwrap();
    }
    // Pages of two: the demo credential and four new ones make three pages.
    let all = client
        .list_credentials_paged(CredentialKind::Aws, 2)
        .await
        .unwrap();
    let names: Vec<&str> = all.iter().map(|c| c.name()).collect();
    assert_eq!(
        names,
        [
            "media-bucket-writer",
            "writer 0",
            "writer 1",
            "writer 2",
            "writer 3"
        ]
    );
    assert_eq!(all[0].sid.as_str(), AWS_CREDENTIAL);
}

#[tokio::test]
async fn creating_is_not_retried_after_a_busy_answer() {
    let fake = start_fake().await;
    fake.inject(FaultRule {
        account: None,
        route: Some("/v1/Credentials/PublicKeys".into()),
        method: Some("POST".into()),
        fault: Fault::Status {
            status: 503,
            retry_after: None,
        },
        times: Some(1),
    });
    let client = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    let key = PublicKeyInput {
        friendly_name: "prod-2026".into(),
        public_key: PEM.into(),
    }
    .validate()
    .unwrap();
    match client.create_public_key(&key).await {
        Err(TwilioError::Api { status, .. }) => assert_eq!(status, 503),
        other => panic!("expected the 503, got {other:?}"),
    }
    let keys = client
        .list_credentials(CredentialKind::PublicKey)
        .await
        .unwrap();
    assert_eq!(keys.len(), 1, "only the demo key: nothing was created");
    // The one fault is used up: the user's own second try goes through.
    let created = client.create_public_key(&key).await.unwrap();
    assert_eq!(created.friendly_name.as_deref(), Some("prod-2026"));
}

#[tokio::test]
async fn rename_and_delete_change_what_the_list_shows() {
    let fake = start_fake().await;
    let client = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    let sid = PUBLIC_KEY.parse().unwrap();
    let renamed = client
        .rename_credential(CredentialKind::PublicKey, &sid, "renamed key")
        .await
        .unwrap();
    assert_eq!(renamed.name(), "renamed key");
    client
        .delete_credential(CredentialKind::PublicKey, &sid)
        .await
        .unwrap();
    let keys = client
        .list_credentials(CredentialKind::PublicKey)
        .await
        .unwrap();
    assert!(keys.is_empty());
    match client
        .delete_credential(CredentialKind::PublicKey, &sid)
        .await
    {
        Err(TwilioError::Api { status, code, .. }) => {
            assert_eq!((status, code), (404, Some(20404)))
        }
        other => panic!("expected 404, got {other:?}"),
    }
}

#[tokio::test]
async fn a_retried_delete_that_finds_nothing_counts_as_deleted() {
    let fake = start_fake().await;
    let client = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    let sid = AWS_CREDENTIAL.parse().unwrap();
    // The first DELETE took effect, but its answer was a 503; the retry
    // then finds nothing.
    client
        .delete_credential(CredentialKind::Aws, &sid)
        .await
        .unwrap();
    fake.inject(FaultRule {
        account: Some(ACCOUNT.into()),
        route: Some("/v1/Credentials/AWS".into()),
        method: Some("DELETE".into()),
        fault: Fault::Status {
            status: 503,
            retry_after: None,
        },
        times: Some(1),
    });
    client
        .delete_credential(CredentialKind::Aws, &sid)
        .await
        .expect("a 404 after a retry means it is gone");
    // Without a retry, a 404 is still reported: it was never there.
    match client.delete_credential(CredentialKind::Aws, &sid).await {
        Err(TwilioError::Api { status: 404, .. }) => {}
        other => panic!("expected 404, got {other:?}"),
    }
}

#[tokio::test]
async fn an_oversized_or_redirected_answer_is_refused() {
    use axum::routing::get;
    // A stand-in for a Twilio that misbehaves: a 5 MiB body, and a redirect
    // (which would carry the credentials elsewhere if followed).
    let app = axum::Router::new()
        .route(
            "/v1/CompositionSettings/Default",
            get(|| async { "x".repeat(5 << 20) }),
        )
        .route(
            "/v1/RecordingSettings/Default",
            get(|| async { axum::response::Redirect::temporary("http://127.0.0.1:9/steal") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = client_without_retries(&format!("http://{addr}"), ACCOUNT, TOKEN);
    match client
        .fetch_settings(composition_admin::domain::SettingsKind::Composition)
        .await
    {
        Err(TwilioError::Protocol(message)) => {
            assert!(message.contains("larger than 4 MiB"), "{message}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    match client
        .fetch_settings(composition_admin::domain::SettingsKind::Recording)
        .await
    {
        Err(TwilioError::Api { status: 307, .. }) => {}
        other => panic!("expected the redirect reported, got {other:?}"),
    }
}
