//! The credentials server functions over HTTP, as the hydrated app calls
//! them (JSON answers) and as a plain form post does (redirects).

use crate::common::*;
use composition_admin::api::credentials::{
    CreateAwsCredential, CreatePublicKey, DeleteCredential, ListCredentials,
};
use composition_admin::domain::audit::Done;
use composition_admin::domain::{AppError, Credential, CredentialKind, CredentialTarget, Failure};
use leptos::server_fn::ServerFn;
use reqwest::header::{ACCEPT, LOCATION, REFERER};

const PEM: &str = include_str!("../../src/domain/testdata/rsa2048.pub.pem");
const EC_PEM: &str = include_str!("../../src/domain/testdata/ec-p256.pub.pem");
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// A call as the hydrated app makes it: form-encoded, JSON back.
async fn call(console: &Console, url: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = [("project", PROJECT)]
        .iter()
        .chain(fields)
        .copied()
        .collect();
    console
        .browser()
        .post(console.url(url))
        .header("origin", console.origin())
        .header(ACCEPT, "application/json")
        .form(&fields)
        .send()
        .await
        .unwrap()
}

async fn public_keys(console: &Console) -> Vec<Credential> {
    let response = call(console, ListCredentials::url(), &[("kind", "public_key")]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[test]
fn a_key_that_twilio_would_refuse_is_refused_with_its_reason_and_not_sent() {
    on_runtime(async {
        let console = start_console().await;
        let response = call(
            &console,
            CreatePublicKey::url(),
            &[
                ("input[friendly_name]", "ec key"),
                ("input[public_key]", EC_PEM),
            ],
        )
        .await;
        assert_eq!(response.status(), 400);
        let failure: Failure<serde_json::Value> = response.json().await.unwrap();
        let AppError::Invalid(errors) = failure.error else {
            panic!("expected field errors, got {:?}", failure.error);
        };
        assert!(errors
            .to_string()
            .starts_with("Public key is not an RSA key (its algorithm is elliptic curve)"));
        assert_eq!(public_keys(&console).await.len(), 1, "nothing uploaded");
    })
}

#[test]
fn a_good_key_is_created_and_listed_with_its_name() {
    on_runtime(async {
        let console = start_console().await;
        let response = call(
            &console,
            CreatePublicKey::url(),
            &[
                ("input[friendly_name]", "backup-2027"),
                ("input[public_key]", PEM),
            ],
        )
        .await;
        assert_eq!(response.status(), 200);
        let created: Done<Credential> = response.json().await.unwrap();
        assert!(created.recorded);
        let created = created.value;
        let names: Vec<String> = public_keys(&console)
            .await
            .iter()
            .map(|c| c.name().to_owned())
            .collect();
        assert_eq!(names, ["prod-2026", "backup-2027"]);
        let page = console
            .browser()
            .get(console.url(&console.page("")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&created.option_label()),
            "offered in the picker"
        );
    })
}

#[test]
fn the_aws_secret_never_comes_back_even_when_the_form_is_refused() {
    on_runtime(async {
        let console = start_console().await;
        let response = call(
            &console,
            CreateAwsCredential::url(),
            &[
                ("input[friendly_name]", ""),
                ("input[access_key_id]", "AKIAIOSFODNN7EXAMPLE"),
                ("input[secret_access_key]", SECRET),
            ],
        )
        .await;
        assert_eq!(response.status(), 400);
        let body = response.text().await.unwrap();
        assert!(
            body.contains("AKIAIOSFODNN7EXAMPLE"),
            "the id is kept: {body}"
        );
        assert!(!body.contains(SECRET) && !body.contains("wJalrXUtnFEMI"));
    })
}

#[test]
fn deleting_a_key_the_settings_use_needs_confirmation() {
    on_runtime(async {
        let console = start_console().await;
        // The demo Composition settings name the demo key (encryption off).
        let twilio = client_for(&console.fake.base_url(), ACCOUNT, TOKEN);
        let mut settings = composition_admin::domain::SettingsInput::from(
            &twilio
                .fetch_settings(composition_admin::domain::SettingsKind::Composition)
                .await
                .unwrap(),
        );
        settings.encryption_enabled = true;
        settings.encryption_key_sid = PUBLIC_KEY.into();
        twilio
            .update_settings(
                composition_admin::domain::SettingsKind::Composition,
                &settings.validate().unwrap(),
            )
            .await
            .unwrap();

        let refused = call(
            &console,
            DeleteCredential::url(),
            &[("kind", "public_key"), ("sid", PUBLIC_KEY)],
        )
        .await;
        assert_eq!(refused.status(), 428);
        let failure: Failure<CredentialTarget> = refused.json().await.unwrap();
        let AppError::NeedsConfirmation(uses) = failure.error else {
            panic!("expected a confirmation request, got {:?}", failure.error);
        };
        assert_eq!(uses.len(), 1);
        assert!(
            uses[0].starts_with("Composition settings use this public key and have encryption on")
        );
        assert_eq!(
            failure.input,
            Some(CredentialTarget {
                kind: CredentialKind::PublicKey,
                sid: PUBLIC_KEY.into()
            })
        );
        assert_eq!(public_keys(&console).await.len(), 1, "still there");

        let confirmed = call(
            &console,
            DeleteCredential::url(),
            &[
                ("kind", "public_key"),
                ("sid", PUBLIC_KEY),
                ("confirm", "true"),
            ],
        )
        .await;
        assert_eq!(confirmed.status(), 200);
        assert!(public_keys(&console).await.is_empty());
    })
}

#[test]
fn without_js_a_delete_redirects_to_the_page_saying_it_was_done() {
    on_runtime(async {
        let console = start_console().await;
        let response = console
            .browser()
            .post(console.url(DeleteCredential::url()))
            .header("origin", console.origin())
            .header(ACCEPT, "text/html")
            .header(REFERER, console.url(&console.page("/credentials")))
            .form(&[
                ("project", PROJECT),
                ("kind", "aws"),
                ("sid", AWS_CREDENTIAL),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 302);
        let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(
            location.starts_with("/projects/acme/credentials?done=aws-deleted&__sig="),
            "{location}"
        );
        let page = console
            .browser()
            .get(console.url(&location))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Done: the AWS credential was deleted."));
        assert!(page.contains("This account has no AWS credentials yet."));
    })
}

#[test]
fn the_settings_page_still_works_when_a_credential_list_cannot_be_read() {
    on_runtime(async {
        let console = start_console().await;
        console.fake.inject(composition_admin::fake::FaultRule {
            account: None,
            route: Some("/v1/Credentials/AWS".into()),
            method: Some("GET".into()),
            fault: composition_admin::fake::Fault::Status {
                status: 500,
                retry_after: None,
            },
            times: None,
        });
        let response = console
            .browser()
            .get(console.url(&console.page("")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let page = response.text().await.unwrap();
        assert!(
            page.contains(
                "The account&#x27;s AWS credentials could not be listed (Twilio error 20500"
            ) || page
                .contains("The account's AWS credentials could not be listed (Twilio error 20500")
        );
        assert!(page.contains("prod-2026"), "the other list is offered");
        assert!(page.contains("Save settings"));
    })
}
