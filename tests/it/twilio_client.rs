//! The Twilio client against the in-process fake: the wire contract both ways.

use crate::common::*;
use composition_admin::domain::{AppError, SettingsInput, SettingsKind};
use composition_admin::twilio::TwilioError;

fn update(input: SettingsInput) -> composition_admin::domain::SettingsUpdate {
    input.validate().expect("test input is valid")
}

#[tokio::test]
async fn fetch_returns_all_fields_with_twilio_urls() {
    let fake = start_fake().await;
    let client = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    let s = client
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap();
    assert_eq!(s.account_sid.unwrap().as_str(), ACCOUNT);
    assert_eq!(s.friendly_name.as_deref(), Some("Demo compositions"));
    assert_eq!(
        s.url.as_deref(),
        Some("https://video.twilio.com/v1/CompositionSettings/Default")
    );
    assert_eq!(
        (s.encryption_enabled, s.aws_storage_enabled),
        (Some(false), Some(false))
    );
    // Never saved: Twilio's nullable fields come back null, not missing.
    let r = client
        .fetch_settings(SettingsKind::Recording)
        .await
        .unwrap();
    assert_eq!(r.friendly_name, None);
    assert_eq!(
        r.url.as_deref(),
        Some("https://video.twilio.com/v1/RecordingSettings/Default")
    );
}

#[tokio::test]
async fn update_sends_every_field_and_reads_back_what_was_stored() {
    let fake = start_fake().await;
    let client = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    let saved = client
        .update_settings(
            SettingsKind::Composition,
            &update(SettingsInput {
                friendly_name: "Archive".into(),
                encryption_enabled: true,
                encryption_key_sid: PUBLIC_KEY.into(),
                aws_storage_enabled: true,
                aws_credentials_sid: AWS_CREDENTIAL.into(),
                aws_s3_url: "https://archive.s3.us-east-1.amazonaws.com/c".into(),
            }),
        )
        .await
        .unwrap();
    assert_eq!(
        saved.encryption_key_sid.as_ref().unwrap().as_str(),
        PUBLIC_KEY
    );
    assert_eq!(
        saved.aws_s3_url.as_deref(),
        Some("https://archive.s3.us-east-1.amazonaws.com/c")
    );
    let again = client
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap();
    assert_eq!(again, saved);
    // The other resource is untouched.
    let recording = client
        .fetch_settings(SettingsKind::Recording)
        .await
        .unwrap();
    assert_eq!(recording.encryption_enabled, Some(false));
}

#[tokio::test]
async fn wrong_credentials_give_twilios_20003() {
    let fake = start_fake().await;
    let client = client_for(&fake.base_url(), ACCOUNT, "not-the-token");
    match client.fetch_settings(SettingsKind::Composition).await {
        Err(TwilioError::Api {
            status,
            code,
            message,
            more_info,
            ..
        }) => {
            assert_eq!((status, code), (401, Some(20003)));
            assert_eq!(message, "Authenticate");
            assert_eq!(
                more_info.as_deref(),
                Some("https://www.twilio.com/docs/errors/20003")
            );
        }
        other => panic!("expected a 401, got {other:?}"),
    }
}

#[tokio::test]
async fn a_credential_the_account_lacks_is_refused_and_nothing_changes() {
    let fake = start_fake().await;
    let client = client_for(&fake.base_url(), ACCOUNT, TOKEN);
    let before = client
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap();
    // The AWS credential exists, but is not a public key.
    let err = client
        .update_settings(
            SettingsKind::Composition,
            &update(SettingsInput {
                friendly_name: "x".into(),
                encryption_enabled: true,
                encryption_key_sid: AWS_CREDENTIAL.into(),
                ..Default::default()
            }),
        )
        .await
        .unwrap_err();
    let app_error = AppError::from(err);
    match &app_error {
        AppError::Twilio {
            status,
            code,
            message,
            ..
        } => {
            assert_eq!((*status, *code), (400, Some(20001)));
            assert!(
                message.contains("is not a Public Key credential"),
                "{message}"
            );
        }
        other => panic!("expected a Twilio error, got {other:?}"),
    }
    assert_eq!(
        client
            .fetch_settings(SettingsKind::Composition)
            .await
            .unwrap(),
        before
    );
}

#[tokio::test]
async fn an_unreachable_twilio_is_unavailable_not_a_crash() {
    // Bind then drop: nothing listens on this port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = client_for(&format!("http://127.0.0.1:{port}"), ACCOUNT, TOKEN);
    let err = client
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap_err();
    assert!(matches!(err, TwilioError::Connect(_)), "{err:?}");
    assert!(matches!(AppError::from(err), AppError::Unavailable { .. }));
}

#[tokio::test]
async fn an_unknown_path_gives_twilios_20404() {
    let fake = start_fake().await;
    let client = client_for(&format!("{}/nowhere", fake.base_url()), ACCOUNT, TOKEN);
    match client.fetch_settings(SettingsKind::Composition).await {
        Err(TwilioError::Api {
            status,
            code,
            message,
            ..
        }) => {
            assert_eq!((status, code), (404, Some(20404)));
            assert!(
                message.contains("/nowhere/v1/CompositionSettings/Default was not found"),
                "{message}"
            );
        }
        other => panic!("expected 404, got {other:?}"),
    }
}

#[tokio::test]
async fn a_non_json_error_body_keeps_the_http_status() {
    // A proxy in front of Twilio answering with an HTML page.
    let app = axum::Router::new().fallback(|| async {
        (
            axum::http::StatusCode::BAD_GATEWAY,
            "<html>bad gateway</html>",
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = client_for(&base, ACCOUNT, TOKEN);
    match client.fetch_settings(SettingsKind::Composition).await {
        Err(TwilioError::Api {
            status,
            code,
            message,
            ..
        }) => {
            assert_eq!((status, code), (502, None));
            assert_eq!(message, "Bad Gateway");
        }
        other => panic!("expected 502, got {other:?}"),
    }
}
