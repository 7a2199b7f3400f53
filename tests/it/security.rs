//! The console as an attacker's page (or a forged request) would try it:
//! cross-site posts, a foreign Host, forged outcome URLs, off-site
//! redirects, oversized input, a Twilio that never answers.

use crate::common::*;
use base64::Engine;
use composition_admin::api::credentials::CreatePublicKey;
use composition_admin::api::settings::{FetchSettings, SaveSettings};
use composition_admin::domain::{AppError, SaveFailure, SettingsInput, SettingsKind};
use composition_admin::fake::{Fault, FaultRule};
use leptos::server_fn::ServerFn;
use reqwest::header::{ACCEPT, HOST, LOCATION, ORIGIN, REFERER};
use std::time::Duration;

/// The fields of a valid save that would rename the demo settings.
const RENAME: [(&str, &str); 6] = [
    ("project", PROJECT),
    ("kind", "Composition"),
    ("input[friendly_name]", "Changed by an attacker"),
    ("original[friendly_name]", "Demo compositions"),
    ("original[encryption_enabled]", "false"),
    ("original[aws_storage_enabled]", "false"),
];

async fn stored_name(console: &Console) -> Option<String> {
    client_for(&console.fake.base_url(), ACCOUNT, TOKEN)
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap()
        .friendly_name
}

/// A post of the rename, as a no-JS form (`text/html`) or the hydrated app.
fn save(console: &Console, accept: &str) -> reqwest::RequestBuilder {
    console
        .browser()
        .post(console.url(SaveSettings::url()))
        .header(ACCEPT, accept)
        .form(&RENAME)
}

#[test]
fn cross_site_posts_change_nothing() {
    on_runtime(async {
        let console = start_console().await;
        let attempts = [
            (
                "foreign Origin, no JS",
                Some("http://evil.test"),
                None,
                "text/html",
            ),
            (
                "foreign Origin, JS",
                Some("http://evil.test"),
                None,
                "application/json",
            ),
            (
                "another local port",
                Some("http://127.0.0.1:1"),
                None,
                "text/html",
            ),
            (
                "sandboxed frame",
                Some("null"),
                Some("cross-site"),
                "text/html",
            ),
            (
                "no Origin, cross-site",
                None,
                Some("cross-site"),
                "text/html",
            ),
            (
                "no Origin, same-site",
                None,
                Some("same-site"),
                "application/json",
            ),
            ("no Origin, no Sec-Fetch-Site", None, None, "text/html"),
        ];
        for (what, origin, fetch_site, accept) in attempts {
            let mut request = save(&console, accept).header(REFERER, "http://evil.test/page");
            if let Some(origin) = origin {
                request = request.header(ORIGIN, origin);
            }
            if let Some(site) = fetch_site {
                request = request.header("sec-fetch-site", site);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 403, "{what}");
            assert!(response.headers().get(LOCATION).is_none(), "{what}");
            let page = response.text().await.unwrap();
            assert!(page.contains("another site"), "{what}: {page}");
        }
        // A delete from another site is refused the same way.
        let response = console
            .browser()
            .post(console.url("/api/credentials/delete"))
            .header(ORIGIN, "http://evil.test")
            .form(&[
                ("project", PROJECT),
                ("kind", "aws"),
                ("sid", AWS_CREDENTIAL),
                ("confirm", "true"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        assert_eq!(
            stored_name(&console).await.as_deref(),
            Some("Demo compositions")
        );
        let aws = client_for(&console.fake.base_url(), ACCOUNT, TOKEN)
            .list_credentials(composition_admin::domain::CredentialKind::Aws)
            .await
            .unwrap();
        assert!(aws.iter().any(|c| c.sid.as_str() == AWS_CREDENTIAL));

        // The console's own pages still work: same Origin, or none with
        // Sec-Fetch-Site same-origin.
        let response = save(&console, "application/json")
            .header("sec-fetch-site", "same-origin")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            stored_name(&console).await.as_deref(),
            Some("Changed by an attacker")
        );
    })
}

#[test]
fn a_foreign_host_is_refused() {
    on_runtime(async {
        let console = start_console().await;
        // DNS rebinding: a name the attacker controls, resolving here.
        let page = console
            .browser()
            .get(console.url(&console.page("")))
            .header(HOST, format!("rebound.evil.test:{}", console.addr.port()))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 421);
        let body = page.text().await.unwrap();
        assert!(
            !body.contains(ACCOUNT),
            "no account data for a foreign host"
        );
        let post = save(&console, "application/json")
            .header(HOST, "rebound.evil.test")
            .header(ORIGIN, "http://rebound.evil.test")
            .send()
            .await
            .unwrap();
        assert_eq!(post.status(), 421);
        assert_eq!(
            stored_name(&console).await.as_deref(),
            Some("Demo compositions")
        );
        // localhost on the console's port is fine.
        let ok = console
            .browser()
            .get(console.url(&console.page("")))
            .header(HOST, format!("localhost:{}", console.addr.port()))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);
    })
}

#[test]
fn a_failed_post_with_an_off_site_referer_returns_to_the_console() {
    on_runtime(async {
        let console = start_console().await;
        let response = console
            .browser()
            .post(console.url(SaveSettings::url()))
            .header(ORIGIN, console.origin())
            .header(ACCEPT, "text/html")
            .header(REFERER, "https://evil.test/collect?x=1")
            .form(&[
                ("project", PROJECT),
                ("kind", "Composition"),
                ("input[friendly_name]", ""),
                ("original[friendly_name]", "Demo compositions"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 302);
        let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(location.starts_with("/?__path="), "{location}");
        assert!(
            !location.contains("evil") && !location.contains("x=1"),
            "{location}"
        );
        // Followed, it stays on the console.
        let next = console.get(&location).await;
        assert_eq!(next.status(), 303);
        assert_eq!(next.headers()[LOCATION], "/projects");
    })
}

/// What an attacker would put in a link: a confirmation step pre-filled
/// with their values.
fn forged_outcome() -> String {
    let failure = SaveFailure {
        error: AppError::NeedsConfirmation(vec!["Forged consequence.".into()]),
        input: Some(SettingsInput {
            friendly_name: "Forged name".into(),
            aws_storage_enabled: true,
            aws_s3_url: "https://attacker.s3.amazonaws.com/loot".into(),
            ..SettingsInput::default()
        }),
    };
    let err =
        base64::engine::general_purpose::URL_SAFE.encode(serde_json::to_string(&failure).unwrap());
    format!(
        "tab=1&__path={}&__err={err}",
        SaveSettings::url().replace('/', "%2F")
    )
}

#[test]
fn a_forged_outcome_url_fills_nothing() {
    on_runtime(async {
        let console = start_console().await;
        let response = console
            .browser()
            .get(console.url(&format!("{}?{}", console.page(""), forged_outcome())))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()[LOCATION], console.page("").as_str());
        // Nor with a made-up signature, nor on another page.
        for query in [
            format!("{}&__sig=1.AAAA", forged_outcome()),
            "saved=composition".to_owned(),
            "done=aws-deleted".to_owned(),
        ] {
            let response = console
                .get(&format!("{}?{query}", console.page("/credentials")))
                .await;
            assert_eq!(response.status(), 303, "{query}");
        }
        // Percent-encoded names are what the page decodes and reads.
        let encoded = forged_outcome()
            .replace("__path", "%5F%5Fpath")
            .replace("__err", "%5F%5Ferr");
        let response = console
            .get(&format!("{}?{encoded}", console.page("")))
            .await;
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()[LOCATION], console.page("").as_str());
        // Cleaning a URL never turns it into an off-site redirect.
        let response = console.get("//evil.test?saved=composition").await;
        assert_eq!(response.headers()[LOCATION], "/");
        let html = console.html(&console.page("?tab=1")).await;
        assert!(html.contains("Composition settings"), "{html}");
        assert!(!html.contains("Forged"), "nothing from the forged URL");
        assert!(!html.contains("attacker.s3"), "nothing from the forged URL");
    })
}

#[test]
fn every_kind_of_answer_carries_the_security_headers() {
    on_runtime(async {
        let console = start_console().await;
        let http = console.browser();
        let page = http
            .get(console.url(&console.page("")))
            .send()
            .await
            .unwrap();
        let function = http
            .post(console.url(FetchSettings::url()))
            .header(ORIGIN, console.origin())
            .form(&[("project", PROJECT), ("kind", "Composition")])
            .send()
            .await
            .unwrap();
        let asset = http.get(console.url("/favicon.svg")).send().await.unwrap();
        let missing = http.get(console.url("/no-such-page")).send().await.unwrap();
        let refused = save(&console, "text/html").send().await.unwrap();
        assert_eq!(
            [
                page.status(),
                function.status(),
                asset.status(),
                missing.status(),
                refused.status()
            ]
            .map(|s| s.as_u16()),
            [200, 200, 200, 404, 403]
        );
        for (what, response) in [
            ("page", &page),
            ("server function", &function),
            ("asset", &asset),
            ("404", &missing),
            ("403", &refused),
        ] {
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .map(|v| v.to_str().unwrap().to_owned())
                    .unwrap_or_else(|| panic!("{what}: no {name}"))
            };
            let csp = header("content-security-policy");
            assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
            assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
            assert_eq!(header("x-frame-options"), "DENY", "{what}");
            assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
            assert_eq!(header("referrer-policy"), "same-origin", "{what}");
        }
        for (what, response) in [
            ("page", &page),
            ("server function", &function),
            ("404", &missing),
        ] {
            assert_eq!(response.headers()["cache-control"], "no-store", "{what}");
        }
        // The page's scripts run only with this response's nonce.
        let csp = page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in the page's CSP")
            .to_owned();
        assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
        let html = page.text().await.unwrap();
        let scripts = html.matches("<script").count();
        assert!(scripts > 0);
        assert_eq!(
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            scripts,
            "every script carries the nonce"
        );
    })
}

#[test]
fn oversized_input_is_refused_with_a_message() {
    on_runtime(async {
        let console = start_console().await;
        let long_name = "n".repeat(300);
        let response = console
            .browser()
            .post(console.url(SaveSettings::url()))
            .header(ORIGIN, console.origin())
            .form(&[
                ("project", PROJECT),
                ("kind", "Composition"),
                ("input[friendly_name]", long_name.as_str()),
                ("original[friendly_name]", "Demo compositions"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let body = response.text().await.unwrap();
        assert!(body.contains("300 characters long; at most 255"), "{body}");
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----",
            "A".repeat(9000)
        );
        let response = console
            .browser()
            .post(console.url(CreatePublicKey::url()))
            .header(ORIGIN, console.origin())
            .form(&[
                ("project", PROJECT),
                ("input[friendly_name]", "big"),
                ("input[public_key]", pem.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        assert!(response.text().await.unwrap().contains("at most 8192"));
        // A body far past any form is cut off before a server function runs.
        let huge = "x".repeat(200 * 1024);
        let response = console
            .browser()
            .post(console.url(SaveSettings::url()))
            .header(ORIGIN, console.origin())
            .form(&[
                ("project", PROJECT),
                ("kind", "Composition"),
                ("input[friendly_name]", huge.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413);
        assert_eq!(
            stored_name(&console).await.as_deref(),
            Some("Demo compositions")
        );
    })
}

#[test]
fn a_private_key_pasted_without_js_is_not_echoed() {
    on_runtime(async {
        let console = start_console().await;
        let private = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-secret-bits\n-----END PRIVATE KEY-----";
        let response = console
            .browser()
            .post(console.url(CreatePublicKey::url()))
            .header(ORIGIN, console.origin())
            .header(ACCEPT, "text/html")
            .header(REFERER, console.url(&console.page("/credentials")))
            .form(&[
                ("project", PROJECT),
                ("input[friendly_name]", "oops"),
                ("input[public_key]", private),
            ])
            .send()
            .await
            .unwrap();
        let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
        let (_, query) = location.split_once("__err=").expect("an error to show");
        let err = query.split('&').next().unwrap().replace("%3D", "=");
        let decoded = String::from_utf8(
            base64::engine::general_purpose::URL_SAFE
                .decode(err)
                .unwrap(),
        )
        .unwrap();
        assert!(decoded.contains("private key"), "{decoded}");
        assert!(!decoded.contains("secret-bits"), "{decoded}");
        let html = console.html(&location).await;
        assert!(html.contains("is a private key"), "the message is shown");
        assert!(!html.contains("secret-bits"), "the key is not");
    })
}

#[test]
fn one_deadline_covers_every_call_and_retry() {
    on_runtime(async {
        let fake = start_fake().await;
        // Each request may take 5 s and is retried; the console allows 1 s.
        let console =
            start_console_with(fake, Duration::from_secs(5), Duration::from_secs(1)).await;
        console.fake.inject(FaultRule {
            account: None,
            route: Some("/v1/CompositionSettings".into()),
            method: None,
            fault: Fault::Hang,
            times: None,
        });
        let response = console
            .browser()
            .post(console.url(FetchSettings::url()))
            .header(ORIGIN, console.origin())
            .form(&[("project", PROJECT), ("kind", "Composition")])
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 503);
        // The console's 1 s, not the client's 5 s per request.
        let body = response.text().await.unwrap();
        assert!(
            body.contains("Twilio did not answer within 1 seconds"),
            "{body}"
        );
        console.fake.clear_faults();
    })
}

#[test]
fn a_signed_outcome_link_fills_nothing_for_another_session_but_works_on_another_instance() {
    on_runtime(async {
        let console = start_console().await;
        // A failed no-JavaScript post: its redirect carries the signed error.
        let response = console
            .browser()
            .post(console.url(CreatePublicKey::url()))
            .header(ORIGIN, console.origin())
            .header(ACCEPT, "text/html")
            .header(REFERER, console.url(&console.page("/credentials")))
            .form(&[
                ("project", PROJECT),
                ("input[friendly_name]", "planted-name"),
                ("input[public_key]", "not a key"),
            ])
            .send()
            .await
            .unwrap();
        let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(location.contains("__sig="), "{location}");
        assert!(console.html(&location).await.contains("planted-name"));
        // The same link, opened by another person's session: stripped.
        let hash = composition_admin::services::auth::hash_password("other password 123".into())
            .await
            .unwrap();
        composition_admin::server::ensure_staff(
            console.projects.store(),
            "other",
            composition_admin::domain::Role::Admin,
            &hash,
        )
        .await
        .unwrap();
        let other = sign_in(console.addr, "other", "other password 123")
            .await
            .unwrap();
        let theirs = browser_without_js()
            .get(console.url(&location))
            .header(reqwest::header::COOKIE, other)
            .send()
            .await
            .unwrap();
        assert_eq!(theirs.status(), 303);
        let clean = theirs.headers()[LOCATION].to_str().unwrap();
        assert!(
            !clean.contains("__err") && !clean.contains("__sig"),
            "{clean}"
        );
        // Another instance on the same database honours it for its session.
        let twin = start_console_over(start_fake().await, console.projects.clone()).await;
        let there = browser_without_js()
            .get(twin.url(&location))
            .header(reqwest::header::COOKIE, console.cookie.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(there.status(), 200, "not redirected: the signature holds");
        assert!(there.text().await.unwrap().contains("planted-name"));
    })
}
