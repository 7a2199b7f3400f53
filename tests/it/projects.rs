//! Projects through the console: adding (login tested first), bad input,
//! per-project isolation, 404s, editing and removing, with and without
//! JavaScript, and two console instances on one PostgreSQL.

use crate::common::*;
use composition_admin::api::projects::{AddProject, EditProject, ListProjects, RemoveProject};
use composition_admin::api::settings::{FetchSettings, SaveSettings};
use composition_admin::domain::{MediaSettings, ProjectPage, ProjectSummary, SettingsKind};
use composition_admin::services::Projects;
use composition_admin::store::Store;
use composition_admin::vault::{MasterKey, Vault};
use leptos::server_fn::ServerFn;
use reqwest::header::{ACCEPT, LOCATION, REFERER};
use std::time::Duration;

const NORTHWIND: &str = "AC00000000000000000000000000de0002";
const NORTHWIND_KEY: &str = "SK00000000000000000000000000de0002";
const NORTHWIND_SECRET: &str = "demoKeySecret000000000000000002";

/// A server function call as the hydrated app makes it.
async fn call(console: &Console, url: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    console
        .browser()
        .post(console.url(url))
        .header("origin", console.origin())
        .header(ACCEPT, "application/json")
        .form(fields)
        .send()
        .await
        .unwrap()
}

async fn listed(console: &Console) -> Vec<ProjectSummary> {
    let response = call(console, ListProjects::url(), &[]).await;
    assert_eq!(response.status(), 200);
    response.json::<ProjectPage>().await.unwrap().projects
}

fn northwind(secret: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("input[name]", "Northwind Clinic"),
        ("input[account_sid]", NORTHWIND),
        ("input[login]", "api_key"),
        ("input[api_key_sid]", NORTHWIND_KEY),
        ("input[secret]", secret),
    ]
}

#[test]
fn a_project_is_added_only_once_its_login_works() {
    on_runtime(async {
        let console = start_console().await;
        let wrong = call(&console, AddProject::url(), &northwind("not-the-secret")).await;
        assert_eq!(wrong.status(), 422);
        let body = wrong.text().await.unwrap();
        assert!(body.contains("20003"), "Twilio's code: {body}");
        assert!(!body.contains("not-the-secret"), "the secret is not echoed");
        assert_eq!(listed(&console).await.len(), 1, "nothing was stored");

        let added = call(&console, AddProject::url(), &northwind(NORTHWIND_SECRET)).await;
        assert_eq!(added.status(), 200);
        let added: ProjectSummary = added.json().await.unwrap();
        assert_eq!(added.account_sid.as_str(), NORTHWIND);
        assert!(added.check.as_ref().is_some_and(|c| c.worked));
        let names: Vec<_> = listed(&console).await.into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["Acme Video", "Northwind Clinic"]);

        // The project's page shows its own account's settings.
        let html = console.html(&format!("/projects/{}", added.id)).await;
        assert!(html.contains("Northwind Clinic"), "{html}");
        assert!(html.contains("Clinic compositions"), "{html}");
        assert!(!html.contains(NORTHWIND_SECRET));

        // The same account again.
        let again = call(&console, AddProject::url(), &northwind(NORTHWIND_SECRET)).await;
        assert_eq!(again.status(), 400);
        let body = again.text().await.unwrap();
        assert!(body.contains("already registered as project"), "{body}");
        assert_eq!(listed(&console).await.len(), 2);
    })
}

#[test]
fn bad_project_input_names_the_field_and_stores_nothing() {
    on_runtime(async {
        let console = start_console().await;
        let long_name = "n".repeat(65);
        let cases: [(&str, &str, &str, &str); 5] = [
            (
                "input[account_sid]",
                "AC123",
                "AccountSid",
                "has 5 characters; expected 34",
            ),
            ("input[name]", "  ", "ProjectName", "is required"),
            (
                "input[name]",
                &long_name,
                "ProjectName",
                "at most 64 characters",
            ),
            (
                "input[secret]",
                " demoKeySecret000000000000000002\n",
                "Secret",
                "spaces or line breaks",
            ),
            (
                "input[api_key_sid]",
                "AK00000000000000000000000000de0002",
                "ApiKeySid",
                "must start with SK",
            ),
        ];
        for (field, value, named, expected) in cases {
            let mut form = northwind(NORTHWIND_SECRET);
            form.retain(|(name, _)| *name != field);
            form.push((field, value));
            let response = call(&console, AddProject::url(), &form).await;
            assert_eq!(response.status(), 400, "{field}");
            let body = response.text().await.unwrap();
            assert!(
                body.contains(&format!("\"field\":\"{named}\"")),
                "{field}: {body}"
            );
            assert!(body.contains(expected), "{field}: {body}");
        }
        // An auth token login needs no key SID.
        let token = [
            ("input[name]", "Tailspin"),
            ("input[account_sid]", "AC00000000000000000000000000de0005"),
            ("input[login]", "auth_token"),
            ("input[secret]", ""),
        ];
        let body = call(&console, AddProject::url(), &token)
            .await
            .text()
            .await
            .unwrap();
        assert!(body.contains("paste the auth token"), "{body}");
        assert_eq!(listed(&console).await.len(), 1);
    })
}

#[test]
fn each_project_reads_and_changes_only_its_own_account() {
    on_runtime(async {
        let console = start_console().await;
        let added: ProjectSummary = call(&console, AddProject::url(), &northwind(NORTHWIND_SECRET))
            .await
            .json()
            .await
            .unwrap();
        let fetch = |project: String| {
            let console = &console;
            async move {
                let response = call(
                    console,
                    FetchSettings::url(),
                    &[("project", &project), ("kind", "Composition")],
                )
                .await;
                assert_eq!(response.status(), 200);
                response.json::<MediaSettings>().await.unwrap()
            }
        };
        let acme = fetch(PROJECT.to_owned()).await;
        let clinic = fetch(added.id.to_string()).await;
        assert_eq!(acme.account_sid.unwrap().as_str(), ACCOUNT);
        assert_eq!(clinic.account_sid.unwrap().as_str(), NORTHWIND);
        assert_eq!(clinic.encryption_enabled, Some(true));

        // Rename Northwind's compositions; Acme's stay as they were.
        let saved = call(
            &console,
            SaveSettings::url(),
            &[
                ("project", added.id.as_str()),
                ("kind", "Composition"),
                ("input[friendly_name]", "Renamed for Northwind"),
                ("input[encryption_enabled]", "true"),
                (
                    "input[encryption_key_sid]",
                    "CR00000000000000000000000000de0a02",
                ),
                ("original[friendly_name]", "Clinic compositions"),
                ("original[encryption_enabled]", "true"),
                (
                    "original[encryption_key_sid]",
                    "CR00000000000000000000000000de0a02",
                ),
                ("confirm", "true"),
            ],
        )
        .await;
        assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
        let direct = client_for(&console.fake.base_url(), NORTHWIND_KEY, NORTHWIND_SECRET);
        let stored = direct
            .fetch_settings(SettingsKind::Composition)
            .await
            .unwrap();
        assert_eq!(
            stored.friendly_name.as_deref(),
            Some("Renamed for Northwind")
        );
        let acme_after = fetch(PROJECT.to_owned()).await;
        assert_eq!(acme_after.friendly_name, acme.friendly_name);
    })
}

#[test]
fn a_project_that_does_not_exist_is_a_plain_404() {
    on_runtime(async {
        let console = start_console().await;
        let response = call(
            &console,
            FetchSettings::url(),
            &[("project", "nosuchproject"), ("kind", "Composition")],
        )
        .await;
        assert_eq!(response.status(), 404);
        let body = response.text().await.unwrap();
        assert!(body.contains("There is no project nosuchproject"), "{body}");
        for page in [
            "/projects/nosuchproject",
            "/projects/nosuchproject/credentials",
        ] {
            let response = console.get(page).await;
            assert_eq!(response.status(), 404, "{page}");
            assert!(response.text().await.unwrap().contains("Project not found"));
        }
        // Not a project id at all.
        let response = call(
            &console,
            FetchSettings::url(),
            &[("project", "../etc"), ("kind", "Composition")],
        )
        .await;
        assert_eq!(response.status(), 400);
    })
}

#[test]
fn removing_a_project_needs_confirmation_and_the_edit_page_hides_the_secret() {
    on_runtime(async {
        let console = start_console().await;
        let edit = console.html(&console.page("/edit")).await;
        assert!(edit.contains("A secret is stored"), "{edit}");
        assert!(!edit.contains(TOKEN), "the stored token is never shown");

        // A rename keeps the stored login, which still works.
        let renamed = call(
            &console,
            EditProject::url(),
            &[
                ("project", PROJECT),
                ("input[name]", "Acme Video EU"),
                ("input[account_sid]", ACCOUNT),
                ("input[login]", "auth_token"),
                ("input[secret]", ""),
            ],
        )
        .await;
        assert_eq!(renamed.status(), 200, "{}", renamed.text().await.unwrap());
        assert!(console
            .html(&console.page(""))
            .await
            .contains("Acme Video EU"));
        // A replaced secret is tested first: a wrong one is refused.
        let wrong = call(
            &console,
            EditProject::url(),
            &[
                ("project", PROJECT),
                ("input[name]", "Acme Video EU"),
                ("input[account_sid]", ACCOUNT),
                ("input[login]", "auth_token"),
                ("input[secret]", "wrong-token-wrong-token-wrong-12"),
            ],
        )
        .await;
        assert_eq!(wrong.status(), 422);
        assert_eq!(
            console.page(""),
            "/projects/acme",
            "still there, with its old login"
        );
        assert_eq!(
            console.get(&console.page("")).await.status(),
            200,
            "the old login still works"
        );

        let unconfirmed = call(&console, RemoveProject::url(), &[("project", PROJECT)]).await;
        assert_eq!(unconfirmed.status(), 428);
        assert_eq!(listed(&console).await.len(), 1);
        let removed = call(
            &console,
            RemoveProject::url(),
            &[("project", PROJECT), ("confirm", "true")],
        )
        .await;
        assert_eq!(removed.status(), 200);
        assert!(listed(&console).await.is_empty());
        assert_eq!(console.get(&console.page("")).await.status(), 404);
    })
}

#[test]
fn a_project_is_added_without_javascript() {
    on_runtime(async {
        let console = start_console().await;
        let post = |secret: &'static str| {
            let console = &console;
            async move {
                console
                    .browser()
                    .post(console.url(AddProject::url()))
                    .header("origin", console.origin())
                    .header(ACCEPT, "text/html")
                    .header(REFERER, console.url("/projects"))
                    .form(&northwind(secret))
                    .send()
                    .await
                    .unwrap()
            }
        };
        let failed = post("wrong-secret-wrong-secret-wrong").await;
        assert_eq!(failed.status(), 302);
        let location = failed.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(location.starts_with("/projects?"), "{location}");
        assert!(
            !location.contains("wrong-secret"),
            "the secret is not in the URL"
        );
        let html = console.html(&location).await;
        assert!(html.contains("20003"), "Twilio's message is shown: {html}");
        assert!(html.contains("Northwind Clinic"), "the form keeps the name");
        assert_eq!(listed(&console).await.len(), 1);

        let added = post(NORTHWIND_SECRET).await;
        assert_eq!(added.status(), 302);
        let location = added.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(
            location.starts_with("/projects/") && location.contains("done=project-added"),
            "{location}"
        );
        let html = console.html(&location).await;
        assert!(html.contains("Clinic compositions"), "{html}");
    })
}

#[test]
fn two_console_instances_on_one_postgresql_share_their_projects() {
    on_runtime(async {
        let Some(url) = test_databases()
            .await
            .into_iter()
            .find(|u| u.starts_with("postgres"))
        else {
            return; // test_databases fails when PostgreSQL is required
        };
        let key = MasterKey::generate();
        let fake = start_fake().await;
        let base = fake.base_url();
        let instance = |fake| {
            let (url, base, key) = (url.clone(), base.clone(), key.clone());
            async move {
                let store = Store::open(&url).await.unwrap();
                let vault = Vault::new(&key);
                if store.key_check().await.unwrap().is_none() {
                    store.set_key_check(&vault.key_check()).await.unwrap();
                }
                let projects =
                    Projects::new(store, vault, pool_with(&base, Duration::from_secs(5), 2));
                start_console_over(fake, projects).await
            }
        };
        let first = instance(fake).await;
        let second = instance(start_fake().await).await;
        let added: ProjectSummary = call(&first, AddProject::url(), &northwind(NORTHWIND_SECRET))
            .await
            .json()
            .await
            .unwrap();
        let seen = listed(&second).await;
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].id, added.id);
        // The second instance opens the sealed login and reads the account.
        let html = second.html(&format!("/projects/{}", added.id)).await;
        assert!(html.contains("Clinic compositions"), "{html}");
    })
}

#[test]
fn a_long_list_is_paged_and_searched_on_the_server() {
    on_runtime(async {
        let console = start_console().await;
        let store = console.projects.store();
        for i in 0..60 {
            let id: composition_admin::domain::ProjectId = format!("c{i:02}").parse().unwrap();
            store
                .insert_project(&composition_admin::store::NewProject {
                    id: &id,
                    name: &format!("Customer {i:02}"),
                    account_sid: &format!("AC{:032x}", i + 1).parse().unwrap(),
                    login: composition_admin::domain::LoginKind::AuthToken,
                    api_key_sid: None,
                    sealed_secret: "v1.unused",
                    key_check: None,
                    audit: None,
                })
                .await
                .unwrap();
        }
        let first = console.html("/projects").await;
        assert!(first.contains("61 projects, page 1 of 2"), "{first}");
        assert!(first.contains(r#"href="/projects?page=2""#), "{first}");
        assert_eq!(
            first
                .matches("aria-label=\"Test again: the login of")
                .count(),
            50
        );
        let second = console.html("/projects?page=2").await;
        assert!(second.contains("page 2 of 2"));
        assert_eq!(
            second
                .matches("aria-label=\"Test again: the login of")
                .count(),
            11
        );
        let found = console.html("/projects?q=customer%205").await;
        assert!(found.contains("10 of 61 projects match"), "{found}");
    })
}
