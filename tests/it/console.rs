//! The console over HTTP, as a browser without JavaScript sees it: pages
//! rendered on the server, forms posted to server functions, redirects.

use crate::common::*;
use composition_admin::api::settings::SaveSettings;
use composition_admin::domain::{SettingsInput, SettingsKind};
use leptos::server_fn::ServerFn;
use reqwest::header::{ACCEPT, LOCATION, REFERER};

/// A signed-in GET that follows redirects, with a deadline.
async fn get(console: &Console, url: impl reqwest::IntoUrl) -> reqwest::Result<reqwest::Response> {
    console.http().get(url).send().await
}

/// The hidden fields of a freshly loaded demo form: what Twilio held then.
const DEMO_ORIGINAL: [(&str, &str); 3] = [
    ("original[friendly_name]", "Demo compositions"),
    ("original[encryption_enabled]", "false"),
    ("original[aws_storage_enabled]", "false"),
];

async fn post_form(console: &Console, fields: &[(&str, &str)]) -> reqwest::Response {
    let recording = fields.contains(&("kind", "Recording"));
    let original: &[(&str, &str)] = if recording {
        &[
            ("original[encryption_enabled]", "false"),
            ("original[aws_storage_enabled]", "false"),
        ]
    } else {
        &DEMO_ORIGINAL
    };
    let fields: Vec<(&str, &str)> = [("project", PROJECT)]
        .iter()
        .chain(fields)
        .chain(original)
        .copied()
        .collect();
    console
        .browser()
        .post(console.url(SaveSettings::url()))
        .header("origin", console.origin())
        .header(ACCEPT, "text/html,application/xhtml+xml")
        .header(REFERER, console.url(&console.page("")))
        .form(&fields)
        .send()
        .await
        .unwrap()
}

#[test]
fn healthz_answers_ok() {
    on_runtime(async {
        let console = start_console().await;
        let response = get(&console, console.url("/healthz")).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.text().await.unwrap(), "ok");
    })
}

#[test]
fn the_page_is_rendered_with_twilios_values() {
    on_runtime(async {
        let console = start_console().await;
        let html = get(&console, console.url(&console.page("")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Composition settings"));
        // Complete without JavaScript: no "Loading" fallback waiting for a script.
        assert!(!html.contains("Loading settings"), "{html}");
        assert!(
            html.contains(r#"id="friendly-name""#) && html.contains(r#"value="Demo compositions""#)
        );
        assert!(
            html.contains("Demo compositions"),
            "friendly name rendered on the server"
        );
        assert!(html.contains(ACCOUNT));
    })
}

#[test]
fn a_plain_form_post_saves_and_redirects_to_a_confirmation() {
    on_runtime(async {
        let console = start_console().await;
        let response = post_form(
            &console,
            &[
                ("kind", "Composition"),
                ("input[friendly_name]", "Posted without JS"),
                ("input[encryption_enabled]", "true"),
                ("input[encryption_key_sid]", PUBLIC_KEY),
                ("confirm", "true"),
            ],
        )
        .await;
        assert_eq!(response.status(), 302);
        let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(
            location.starts_with("/projects/acme?saved=composition&__sig="),
            "{location}"
        );
        let html = get(&console, console.url(&location))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Posted without JS"));
        assert!(html.contains("Saved."));
    })
}

#[test]
fn an_invalid_plain_form_post_comes_back_with_the_error_and_changes_nothing() {
    on_runtime(async {
        let console = start_console().await;
        let response = post_form(
            &console,
            &[
                ("kind", "Composition"),
                ("input[friendly_name]", ""),
                ("input[aws_s3_url]", "AwsS3Url=https://b.s3.amazonaws.com"),
            ],
        )
        .await;
        assert_eq!(response.status(), 302);
        let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(location.contains("__err="), "{location}");
        let html = get(&console, console.url(&location))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Friendly name is required"),
            "server-side field error shown"
        );
        assert!(html.contains("contains the parameter name"));
        assert!(
            html.contains("AwsS3Url=https://b.s3.amazonaws.com"),
            "typed value kept"
        );
        let page = get(&console, console.url(&console.page("")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Demo compositions"),
            "Twilio still holds the old name"
        );
    })
}

#[test]
fn a_hydrated_call_with_an_invalid_field_gets_400_and_the_field_errors() {
    on_runtime(async {
        let console = start_console().await;
        let response = console
            .http()
            .post(console.url(SaveSettings::url()))
            .header("origin", console.origin())
            .header(ACCEPT, "application/json")
            .form(&[
                ("project", PROJECT),
                ("kind", "Composition"),
                ("input[friendly_name]", " "),
                DEMO_ORIGINAL[0],
                DEMO_ORIGINAL[1],
                DEMO_ORIGINAL[2],
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let failure: composition_admin::domain::SaveFailure = response.json().await.unwrap();
        match failure.error {
            composition_admin::domain::AppError::Invalid(errors) => {
                assert_eq!(
                    errors.message_for(composition_admin::domain::Field::FriendlyName),
                    Some("is required; give these settings a name")
                );
            }
            other => panic!("expected field errors, got {other:?}"),
        }
    })
}

#[test]
fn a_second_mistake_without_js_shows_the_new_error_not_the_old_one() {
    on_runtime(async {
        let console = start_console().await;
        let first = post_form(
            &console,
            &[("kind", "Composition"), ("input[friendly_name]", "")],
        )
        .await;
        let first_page = first.headers()[LOCATION].to_str().unwrap().to_owned();
        // The user fixes the name but pastes a bad URL, posting from the error page.
        let second = console
            .browser()
            .post(console.url(SaveSettings::url()))
            .header("origin", console.origin())
            .header(ACCEPT, "text/html")
            .header(REFERER, console.url(&first_page))
            .form(&[
                ("project", PROJECT),
                DEMO_ORIGINAL[0],
                DEMO_ORIGINAL[1],
                DEMO_ORIGINAL[2],
                ("kind", "Composition"),
                ("input[friendly_name]", "Fixed"),
                ("input[aws_s3_url]", "http://b.s3.amazonaws.com"),
            ])
            .send()
            .await
            .unwrap();
        let location = second.headers()[LOCATION].to_str().unwrap().to_owned();
        assert_eq!(location.matches("__err=").count(), 1, "{location}");
        let html = get(&console, console.url(&location))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("S3 URL must start with https://"));
        assert!(!html.contains("Friendly name is required"));
    })
}

#[test]
fn the_recording_tab_reads_and_saves_its_own_resource() {
    on_runtime(async {
        let console = start_console().await;
        let response = post_form(
            &console,
            &[
                ("kind", "Recording"),
                ("input[friendly_name]", "Recordings only"),
                ("confirm", "true"),
            ],
        )
        .await;
        assert_eq!(response.status(), 302);
        let html = get(&console, console.url(&console.page("/recording")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("https://video.twilio.com/v1/RecordingSettings/Default"));
        assert!(html.contains("Recordings only"));
        let composition = get(&console, console.url(&console.page("")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!composition.contains("Recordings only"));
    })
}

#[test]
fn a_save_over_someone_elses_change_writes_nothing_and_shows_both_versions() {
    on_runtime(async {
        let console = start_console().await;
        // Someone else renames the settings after our form was loaded.
        let other = client_for(&console.fake.base_url(), ACCOUNT, TOKEN);
        let theirs = SettingsInput {
            friendly_name: "Renamed by a colleague".into(),
            ..Default::default()
        };
        other
            .update_settings(SettingsKind::Composition, &theirs.validate().unwrap())
            .await
            .unwrap();
        let response = post_form(
            &console,
            &[("kind", "Composition"), ("input[friendly_name]", "Mine")],
        )
        .await;
        let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(location.contains("__err="), "{location}");
        let html = get(&console, console.url(&location))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Someone else changed these settings"));
        assert!(html.contains("Renamed by a colleague") && html.contains("Mine"));
        let now = other
            .fetch_settings(SettingsKind::Composition)
            .await
            .unwrap();
        assert_eq!(now.friendly_name.as_deref(), Some("Renamed by a colleague"));
    })
}

#[test]
fn switching_encryption_on_is_refused_until_confirmed() {
    on_runtime(async {
        let console = start_console().await;
        let response = post_form(
            &console,
            &[
                ("kind", "Composition"),
                ("input[friendly_name]", "Unconfirmed"),
                ("input[encryption_enabled]", "true"),
                ("input[encryption_key_sid]", PUBLIC_KEY),
            ],
        )
        .await;
        let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
        let html = get(&console, console.url(&location))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Please confirm this change"));
        assert!(html.contains("if that key is lost, so are they"));
        assert!(html.contains(r#"name="confirm""#));
        let page = get(&console, console.url(&console.page("")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Demo compositions") && !page.contains("Unconfirmed"));
    })
}

#[test]
fn garbage_posted_to_the_server_function_is_a_client_error_not_a_500() {
    on_runtime(async {
        let console = start_console().await;
        let response = console
            .http()
            .post(console.url(SaveSettings::url()))
            .header("origin", console.origin())
            .header("content-type", "application/x-www-form-urlencoded")
            .body("kind=Nonsense&input[friendly_name]=%FF%FE")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
    })
}

#[test]
fn without_js_a_save_first_shows_what_will_change_and_writes_nothing() {
    on_runtime(async {
        let console = start_console().await;
        let response = post_form(
            &console,
            &[
                ("kind", "Composition"),
                ("input[friendly_name]", "Reviewed name"),
            ],
        )
        .await;
        let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
        let html = get(&console, console.url(&location))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Review what will change; nothing has been saved yet."));
        assert!(html.contains("Reviewed name") && html.contains("Demo compositions"));
        let page = get(&console, console.url(&console.page("")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Now: \u{201c}Demo compositions"), "unchanged");
    })
}

/// Building a console (its route list) while another console renders a
/// page used to leave that page waiting forever: leptos switches resource
/// loading off process-wide while it works out routes.
#[test]
fn building_consoles_does_not_stall_pages_being_rendered() {
    on_runtime(async {
        let console = start_console().await;
        // Routers built while the pages render. (Whole consoles, each with
        // its own fake and store and a password hashed and checked, made this
        // the slowest test by far, for the same router builds.)
        let builder = {
            let (projects, addr) = (console.projects.clone(), console.addr);
            tokio::spawn(async move {
                for _ in 0..30 {
                    let _other = build_router(&projects, addr);
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            })
        };
        let mut loads = tokio::task::JoinSet::new();
        for _ in 0..80 {
            let url = console.url(&console.page(""));
            let http = console.http();
            loads.spawn(async move {
                // A stall was forever; 30 s leaves room for a loaded
                // machine running the other tests beside these 80 loads.
                let html = http
                    .get(url)
                    .timeout(std::time::Duration::from_secs(30))
                    .send()
                    .await
                    .expect("the page answers, not stalls")
                    .text()
                    .await
                    .expect("the whole body arrives");
                assert!(html.contains("Demo compositions"));
            });
        }
        while let Some(load) = loads.join_next().await {
            load.unwrap();
        }
        builder.await.unwrap();
    })
}
