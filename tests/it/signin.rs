//! Staff sign-in: anonymous requests, wrong passwords, rate limits,
//! sessions, and the authorisation matrix of every server function.

use crate::common::*;
use composition_admin::domain::Role;
use reqwest::header::{ACCEPT, COOKIE, LOCATION, SET_COOKIE};

/// A server function call (as the hydrated app makes it) with a cookie.
async fn call(
    console: &Console,
    cookie: Option<&str>,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = browser_without_js()
        .post(console.url(path))
        .header("origin", console.origin())
        .header(ACCEPT, "application/json")
        .form(fields);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

#[test]
fn without_a_session_pages_lead_to_sign_in_and_calls_are_refused() {
    on_runtime(async {
        let console = start_console().await;
        for page in [
            "/projects",
            "/projects/acme",
            "/projects/acme/credentials",
            "/projects/nosuch",
        ] {
            let response = browser_without_js()
                .get(console.url(page))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 303, "{page}");
            assert_eq!(response.headers()[LOCATION], "/sign-in", "{page}");
        }
        let sign_in_page = browser_without_js()
            .get(console.url("/sign-in"))
            .send()
            .await
            .unwrap();
        assert_eq!(sign_in_page.status(), 200);
        let html = sign_in_page.text().await.unwrap();
        assert!(html.contains(r#"<label for="staff-password""#), "{html}");
        assert!(
            !html.contains("Acme Video"),
            "no project names before sign-in"
        );
        let call = call(&console, None, "/api/projects/list", &[]).await;
        assert_eq!(call.status(), 401);
        assert!(!call.text().await.unwrap().contains("Acme"));
        // A forged or unknown session cookie is no session.
        let forged = browser_without_js()
            .get(console.url("/projects"))
            .header(COOKIE, "console_session=AAAAAAAAAAAAAAAAAAAAAA")
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 303);
    })
}

#[test]
fn a_wrong_password_and_an_unknown_name_get_the_same_answer() {
    on_runtime(async {
        let console = start_console().await;
        let wrong = sign_in(console.addr, ADMIN, "not the password at all")
            .await
            .unwrap_err();
        let unknown = sign_in(console.addr, "nobody", "not the password at all")
            .await
            .unwrap_err();
        assert!(wrong.starts_with("401"), "{wrong}");
        let message = |e: &str| e.split_once(": ").unwrap().1.replace("nobody", ADMIN);
        assert_eq!(message(&wrong), message(&unknown));
        assert!(wrong.contains("do not match a staff account"), "{wrong}");
        assert!(
            !wrong.contains("not the password"),
            "the password is not echoed"
        );
    })
}

#[test]
fn sign_in_attempts_are_limited_per_name() {
    on_runtime(async {
        let console = start_console().await;
        // The test console signed in once already: four more attempts fit.
        for _ in 0..4 {
            let answer = sign_in(console.addr, ADMIN, "wrong password 12345")
                .await
                .unwrap_err();
            assert!(answer.starts_with("401"), "{answer}");
        }
        let limited = sign_in(console.addr, ADMIN, ADMIN_PASSWORD)
            .await
            .unwrap_err();
        assert!(limited.starts_with("429"), "{limited}");
        assert!(limited.contains(r#"{"TooManyAttempts":"#), "{limited}");
        // Another name is not held up by it.
        let other = sign_in(console.addr, "someone-else", "wrong password 12345")
            .await
            .unwrap_err();
        assert!(other.starts_with("401"), "{other}");
    })
}

#[test]
fn sign_in_starts_a_new_session_and_sign_out_ends_it_on_the_server() {
    on_runtime(async {
        let console = start_console().await;
        // A session id planted before sign-in is not the one after it.
        let planted = "console_session=AAAAAAAAAAAAAAAAAAAAAA";
        let response = browser_without_js()
            .post(console.url("/api/auth/sign-in"))
            .header("origin", console.origin())
            .header(ACCEPT, "application/json")
            .header(COOKIE, planted)
            .form(&[("input[name]", ADMIN), ("input[password]", ADMIN_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let set = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
        assert!(!set.starts_with(planted), "{set}");
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(set.contains(attribute), "{attribute} in {set}");
        }
        assert!(!set.contains("Secure"), "plain http on loopback: {set}");

        let listed = call(&console, Some(&console.cookie), "/api/projects/list", &[]).await;
        assert_eq!(listed.status(), 200);
        let out = call(&console, Some(&console.cookie), "/api/auth/sign-out", &[]).await;
        assert_eq!(out.status(), 200);
        // The same cookie, replayed after sign-out, opens nothing.
        let replayed = call(&console, Some(&console.cookie), "/api/projects/list", &[]).await;
        assert_eq!(replayed.status(), 401);
    })
}

/// Who may call what: every registered server function must be listed
/// here, so a new one cannot be added without deciding who may call it.
/// Columns: anonymous, viewer of acme, editor of another project, editor of
/// acme, admin. true = allowed.
const MATRIX: &[(&str, [bool; 5])] = &[
    ("/api/auth/sign-in", [true, true, true, true, true]),
    ("/api/audit/list", [false, false, true, true, true]),
    ("/api/fleet/list", [false, true, true, true, true]),
    ("/api/fleet/refresh", [false, true, true, true, true]),
    ("/api/bulk/plan", [false, false, false, true, true]),
    ("/api/bulk/job", [false, true, false, true, true]),
    ("/api/bulk/apply", [false, false, false, true, true]),
    ("/api/bulk/resume", [false, false, false, true, true]),
    ("/api/imports/discover", [false, false, false, false, true]),
    ("/api/imports/get", [false, false, false, false, true]),
    ("/api/imports/start", [false, false, false, false, true]),
    ("/api/imports/file", [false, false, false, false, true]),
    ("/api/imports/file-get", [false, false, false, false, true]),
    (
        "/api/imports/file-confirm",
        [false, false, false, false, true],
    ),
    ("/api/parents/list", [false, false, false, false, true]),
    ("/api/parents/find-new", [false, false, false, false, true]),
    ("/api/parents/forget", [false, false, false, false, true]),
    ("/api/templates/list", [false, true, true, true, true]),
    ("/api/templates/save", [false, false, false, false, true]),
    ("/api/templates/delete", [false, false, false, false, true]),
    ("/api/templates/import", [false, false, false, false, true]),
    ("/api/templates/assign", [false, false, false, false, true]),
    ("/api/templates/drift", [false, true, false, true, true]),
    ("/api/staff/list", [false, false, false, false, true]),
    ("/api/staff/save", [false, false, false, false, true]),
    ("/api/staff/remove", [false, false, false, false, true]),
    ("/api/auth/sign-out", [false, true, true, true, true]),
    ("/api/auth/whoami", [false, true, true, true, true]),
    ("/api/projects/list", [false, true, true, true, true]),
    ("/api/projects/get", [false, true, false, true, true]),
    ("/api/projects/details", [false, true, false, true, true]),
    ("/api/projects/add", [false, false, false, false, true]),
    ("/api/projects/edit", [false, false, false, false, true]),
    ("/api/projects/remove", [false, false, false, false, true]),
    ("/api/projects/check", [false, false, false, false, true]),
    ("/api/settings/fetch", [false, true, false, true, true]),
    ("/api/settings/save", [false, false, false, true, true]),
    ("/api/settings/history", [false, true, false, true, true]),
    ("/api/credentials/list", [false, true, false, true, true]),
    ("/api/credentials/all", [false, true, false, true, true]),
    (
        "/api/credentials/public-key",
        [false, false, false, true, true],
    ),
    ("/api/credentials/aws", [false, false, false, true, true]),
    ("/api/credentials/rename", [false, false, false, true, true]),
    ("/api/credentials/delete", [false, false, false, true, true]),
];

#[test]
fn every_server_function_is_in_the_authorisation_matrix() {
    on_runtime(async {
        // Registration happens when a router is built.
        let _console = start_console().await;
        let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path.to_owned())
            .collect();
        assert!(registered.len() >= MATRIX.len(), "{registered:?}");
        for path in &registered {
            assert!(
                MATRIX.iter().any(|(p, _)| p == path),
                "{path} is not in the authorisation matrix: decide who may call it"
            );
        }
    })
}

#[test]
fn the_authorisation_matrix_holds_for_every_server_function() {
    on_runtime(async {
        let console = start_console().await;
        // A second project, for the editor of another project.
        insert_plain_project(
            console.projects.store(),
            "other",
            "Other",
            "AC0000000000000000000000000000ffff",
        )
        .await;
        let viewer = staff(&console, "vera", Role::Viewer, &["acme"]).await;
        let stranger = staff(&console, "otto", Role::Editor, &["other"]).await;
        let editor = staff(&console, "eddie", Role::Editor, &["acme"]).await;
        let callers: [Option<&str>; 5] = [
            None,
            Some(&viewer),
            Some(&stranger),
            Some(&editor),
            Some(&console.cookie),
        ];
        // A dry run for the bulk job rows.
        let job: &'static str = {
            let answer = call(
                &console,
                Some(&console.cookie),
                "/api/bulk/plan",
                &[
                    ("plan[kind]", "composition"),
                    ("plan[change]", "encryption-off"),
                    ("plan[ids][0]", PROJECT),
                ],
            )
            .await;
            Box::leak(answer.json::<String>().await.unwrap().into_boxed_str())
        };
        // The admin's discovery, for the import rows.
        let import: &'static str = {
            let parent = composition_admin::fake::seed::DEMO_PARENT;
            let answer = call(
                &console,
                Some(&console.cookie),
                "/api/imports/discover",
                &[
                    ("input[account_sid]", parent.sid),
                    ("input[login]", "auth_token"),
                    ("input[secret]", parent.auth_token),
                ],
            )
            .await;
            Box::leak(answer.json::<String>().await.unwrap().into_boxed_str())
        };
        // The admin's file preview, for the file rows.
        let file: &'static str = {
            let answer = call(
                &console,
                Some(&console.cookie),
                "/api/imports/file",
                &[(
                    "file",
                    "name,account_sid,login,secret\nBad,AB1,auth_token,x\n",
                )],
            )
            .await;
            Box::leak(answer.json::<String>().await.unwrap().into_boxed_str())
        };
        // Arguments that pass every check after authorisation would, or fail
        // with a plain 4xx of their own: a refusal is 401, 403 or 404.
        let fields = |path: &str| -> Vec<(&'static str, &'static str)> {
            let project = ("project", PROJECT);
            match path {
                "/api/auth/sign-in" => vec![("input[name]", "nobody"), ("input[password]", "x")],
                "/api/staff/save" => vec![("input[name]", ""), ("input[role]", "x")],
                "/api/staff/remove" => vec![("name", "nobody")],
                "/api/templates/save" => vec![("input[name]", "")],
                "/api/bulk/plan" => vec![
                    ("plan[kind]", "composition"),
                    ("plan[change]", "encryption-off"),
                    ("plan[ids][0]", PROJECT),
                ],
                "/api/bulk/job" | "/api/bulk/apply" | "/api/bulk/resume" => vec![("id", job)],
                "/api/imports/discover" => vec![
                    ("input[account_sid]", "x"),
                    ("input[login]", "auth_token"),
                    ("input[secret]", ""),
                ],
                "/api/imports/get" | "/api/imports/start" => vec![("id", import)],
                "/api/imports/file" => vec![("file", "name,account_sid,login,secret\nx,y,z,w\n")],
                "/api/imports/file-get" | "/api/imports/file-confirm" => vec![("id", file)],
                // Not a SID: an admin is told so (400), others refused first.
                "/api/parents/find-new" | "/api/parents/forget" => vec![("parent", "x")],
                "/api/templates/delete" => vec![("id", "nope")],
                "/api/templates/import" => vec![("file", "x")],
                "/api/templates/assign" => {
                    vec![project, ("kind", "Composition"), ("template", "")]
                }
                "/api/templates/drift" => vec![project],
                "/api/fleet/list" => vec![("query[page]", "1")],
                "/api/fleet/refresh" => vec![("view", "")],
                "/api/projects/get"
                | "/api/projects/details"
                | "/api/projects/check"
                | "/api/credentials/all" => {
                    vec![project]
                }
                "/api/projects/remove" => vec![project],
                "/api/projects/edit" | "/api/projects/add" => vec![
                    project,
                    ("input[name]", ""),
                    ("input[account_sid]", "x"),
                    ("input[login]", "api_key"),
                ],
                "/api/settings/fetch" | "/api/settings/history" => {
                    vec![project, ("kind", "Composition")]
                }
                "/api/settings/save" => vec![
                    project,
                    ("kind", "Composition"),
                    ("input[friendly_name]", ""),
                    ("original[friendly_name]", "x"),
                ],
                "/api/credentials/list" => vec![project, ("kind", "aws")],
                "/api/credentials/public-key" => vec![project, ("input[friendly_name]", "")],
                "/api/credentials/aws" => vec![project, ("input[friendly_name]", "")],
                "/api/credentials/rename" | "/api/credentials/delete" => {
                    vec![
                        project,
                        ("kind", "aws"),
                        ("sid", "not-a-sid"),
                        ("friendly_name", ""),
                    ]
                }
                _ => vec![],
            }
        };
        let who = [
            "anonymous",
            "viewer",
            "editor of another project",
            "editor",
            "admin",
        ];
        for (path, allowed) in MATRIX {
            if *path == "/api/auth/sign-out" {
                continue; // it would end the session the next rows use
            }
            for (i, cookie) in callers.iter().enumerate() {
                let status = call(&console, *cookie, path, &fields(path))
                    .await
                    .status()
                    .as_u16();
                let refused = matches!(status, 401 | 403 | 404)
                    && !(*path == "/api/auth/sign-in" && status == 401);
                assert_eq!(
                    !refused, allowed[i],
                    "{path} for {}: answered {status}",
                    who[i]
                );
            }
        }
        // Pages follow the same rules: another project's page is a 404.
        let page = |cookie: &str| {
            browser_without_js()
                .get(console.url("/projects/acme"))
                .header(COOKIE, cookie.to_owned())
                .send()
        };
        assert_eq!(page(&stranger).await.unwrap().status(), 404);
        assert_eq!(page(&viewer).await.unwrap().status(), 200);
        // The list shows each caller only their projects.
        let listed = call(&console, Some(&stranger), "/api/projects/list", &[]).await;
        let body = listed.text().await.unwrap();
        assert!(body.contains("Other") && !body.contains("Acme"), "{body}");
    })
}

/// A session as the console stores it, planted directly: signed in
/// `since` seconds ago, expiring `expires_in` seconds from now.
async fn planted_session(console: &Console, since: i64, expires_in: i64) -> String {
    use tower_sessions::session::{Id, Record};
    use tower_sessions::SessionStore;
    let staff = console
        .projects
        .store()
        .staff_by_name(ADMIN)
        .await
        .unwrap()
        .unwrap();
    let now = composition_admin::store::now();
    let id = Id::default();
    let mut data = std::collections::HashMap::new();
    data.insert(
        "staff".to_owned(),
        serde_json::json!({
            "staff": staff.id,
            "since": now - since,
            "seen": now - since,
            "stamp": composition_admin::services::auth::password_stamp(&staff.password_hash),
        }),
    );
    let mut record = Record {
        id,
        data,
        expiry_date: time::OffsetDateTime::from_unix_timestamp(now + expires_in).unwrap(),
    };
    composition_admin::store::SessionTable::new(console.projects.store().clone())
        .create(&mut record)
        .await
        .unwrap();
    format!("console_session={}", record.id)
}

#[test]
fn a_session_ended_while_a_request_held_it_stays_ended() {
    on_runtime(async {
        use tower_sessions::session::Id;
        use tower_sessions::SessionStore;
        let console = start_console().await;
        let cookie = planted_session(&console, 60, 1800).await;
        let id: Id = cookie
            .trim_start_matches("console_session=")
            .parse()
            .unwrap();
        let table = composition_admin::store::SessionTable::new(console.projects.store().clone());
        // A request loaded the session; meanwhile it is signed out.
        let held = table.load(&id).await.unwrap().expect("the planted session");
        table.delete(&id).await.unwrap();
        // The request ends by saving what it loaded.
        table.save(&held).await.unwrap();
        assert_eq!(table.load(&id).await.unwrap(), None, "not written back");
        let response = browser_without_js()
            .get(console.url("/projects"))
            .header(COOKIE, cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "the cookie no longer signs in");
    });
}

#[test]
fn sessions_end_after_twelve_hours_and_after_idle_time() {
    on_runtime(async {
        let console = start_console().await;
        let fresh = planted_session(&console, 60, 1800).await;
        let page = |cookie: String| {
            browser_without_js()
                .get(console.url("/projects"))
                .header(COOKIE, cookie)
                .send()
        };
        assert_eq!(
            page(fresh).await.unwrap().status(),
            200,
            "a planted valid session works"
        );
        // Active all along, but signed in 13 hours ago.
        let old = planted_session(&console, 13 * 3600, 1800).await;
        let response = page(old.clone()).await.unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()[LOCATION], "/sign-in");
        assert_eq!(page(old).await.unwrap().status(), 303, "and it stays ended");
        // Idle past its expiry.
        let idle = planted_session(&console, 3600, -1).await;
        assert_eq!(page(idle).await.unwrap().status(), 303);
    })
}

#[test]
fn a_session_started_on_one_instance_works_on_another_on_the_same_database() {
    on_runtime(async {
        let Some(url) = test_databases()
            .await
            .into_iter()
            .find(|u| u.starts_with("postgres"))
        else {
            return; // test_databases fails when PostgreSQL is required
        };
        let key = composition_admin::vault::MasterKey::generate();
        let instance = || {
            let (url, key) = (url.clone(), key.clone());
            async move {
                let fake = start_fake().await;
                let store = composition_admin::store::Store::open(&url).await.unwrap();
                let vault = composition_admin::vault::Vault::new(&key);
                if store.key_check().await.unwrap().is_none() {
                    store.set_key_check(&vault.key_check()).await.unwrap();
                }
                let base = fake.base_url();
                let projects = composition_admin::services::Projects::new(
                    store,
                    vault,
                    pool_with(&base, std::time::Duration::from_secs(5), 2),
                );
                start_console_over(fake, projects).await
            }
        };
        let first = instance().await;
        let second = instance().await;
        let page = |console: &Console, cookie: &str| {
            browser_without_js()
                .get(console.url("/projects"))
                .header(COOKIE, cookie.to_owned())
                .send()
        };
        assert_eq!(page(&second, &first.cookie).await.unwrap().status(), 200);
        // Signed out on one, ended on both.
        let out = call(&first, Some(&first.cookie), "/api/auth/sign-out", &[]).await;
        assert_eq!(out.status(), 200);
        assert_eq!(page(&second, &first.cookie).await.unwrap().status(), 303);
    })
}

#[test]
fn a_failing_session_store_does_not_turn_a_save_that_reached_twilio_into_a_500() {
    on_runtime(async {
        let console = start_console().await;
        // Last seen two minutes ago: this request moves its idle expiry on.
        let cookie = planted_session(&console, 120, 1800).await;
        // From now on every write of a session fails, as in a failover.
        raw_sql(
            &console.sqlite_url(),
            "CREATE TRIGGER sessions_down BEFORE UPDATE ON sessions BEGIN SELECT RAISE(ABORT, 'the session store is down'); END;",
        )
        .await;
        let saved = call(
            &console,
            Some(&cookie),
            "/api/settings/save",
            &[
                ("project", PROJECT),
                ("kind", "Composition"),
                ("input[friendly_name]", "Saved while sessions fail"),
                ("input[encryption_enabled]", "false"),
                ("input[aws_storage_enabled]", "false"),
                ("original[friendly_name]", "Demo compositions"),
                ("original[encryption_enabled]", "false"),
                ("original[aws_storage_enabled]", "false"),
            ],
        )
        .await;
        assert_eq!(saved.status(), 200, "the change reached Twilio");
        let body = saved.text().await.unwrap();
        assert!(body.contains("Saved while sessions fail"), "{body}");
        let held = console
            .projects
            .client(&console.project())
            .await
            .unwrap()
            .fetch_settings(composition_admin::domain::SettingsKind::Composition)
            .await
            .unwrap();
        assert_eq!(
            held.friendly_name.as_deref(),
            Some("Saved while sessions fail")
        );
    })
}

#[test]
fn an_idle_expiry_moved_on_renews_the_cookie_as_sign_in_sets_it() {
    on_runtime(async {
        let console = start_console().await;
        let cookie = planted_session(&console, 120, 1800).await;
        let response = browser_without_js()
            .get(console.url("/projects"))
            .header(COOKIE, cookie.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let set = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
        assert!(set.starts_with(&format!("{cookie};")), "{set}");
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=1800"] {
            assert!(set.contains(attribute), "{attribute} in {set}");
        }
        // Within the minute, nothing is written or sent again.
        let again = browser_without_js()
            .get(console.url("/projects"))
            .header(COOKIE, cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 200);
        assert!(again.headers().get(SET_COOKIE).is_none());
    })
}

/// Signs in as `name` over a request carrying `planted` as its cookie;
/// the cookie the answer sets.
async fn sign_in_over(console: &Console, planted: &str, name: &str, password: &str) -> String {
    let response = browser_without_js()
        .post(console.url("/api/auth/sign-in"))
        .header("origin", console.origin())
        .header(ACCEPT, "application/json")
        .header(COOKIE, planted)
        .form(&[("input[name]", name), ("input[password]", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let set = response.headers()[SET_COOKIE].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

#[test]
fn signing_in_over_a_live_session_answers_a_new_id_and_the_planted_one_gains_nothing() {
    on_runtime(async {
        let console = start_console().await;
        // A live session the store holds: a viewer's, as an attacker who is
        // a viewer could plant it in an admin's browser.
        let planted = staff(&console, "vic", Role::Viewer, &[]).await;
        let fresh = sign_in_over(&console, &planted, ADMIN, ADMIN_PASSWORD).await;
        assert_ne!(fresh, planted, "a new id at sign-in");
        let staff_list = call(&console, Some(&fresh), "/api/staff/list", &[]).await;
        assert_eq!(staff_list.status(), 200, "the new id is the admin's");
        let planted_now = call(&console, Some(&planted), "/api/staff/list", &[]).await;
        assert_ne!(
            planted_now.status(),
            200,
            "the planted id does not carry the admin's identity"
        );
        let whoami = call(&console, Some(&planted), "/api/auth/whoami", &[]).await;
        let who = whoami.text().await.unwrap();
        assert!(!who.contains(ADMIN), "{who}");
    })
}

/// How many audit entries of `action` the console's store holds.
async fn entries_of(console: &Console, action: &str) -> usize {
    let filter = composition_admin::domain::audit::AuditFilter {
        action: Some(action.into()),
        ..Default::default()
    };
    let (_, count) = console
        .projects
        .store()
        .audit(
            &filter,
            composition_admin::store::AuditScope::Everything,
            0,
            1,
        )
        .await
        .unwrap()
        .unwrap();
    count
}

#[test]
fn a_sign_out_the_server_could_not_end_says_so_and_records_nothing() {
    on_runtime(async {
        let console = start_console().await;
        let db = console.sqlite_url();
        raw_sql(
            &db,
            "CREATE TRIGGER sessions_stuck BEFORE DELETE ON sessions BEGIN SELECT RAISE(ABORT, 'the session store is down'); END;",
        )
        .await;
        let out = call(&console, Some(&console.cookie), "/api/auth/sign-out", &[]).await;
        assert_eq!(out.status(), 503);
        assert!(
            out.headers().get(SET_COOKIE).is_none(),
            "the browser keeps its cookie to try again"
        );
        let said = out.text().await.unwrap();
        assert!(said.contains("You are still signed in"), "{said}");
        assert_eq!(entries_of(&console, "signed-out").await, 0);
        let still = call(&console, Some(&console.cookie), "/api/projects/list", &[]).await;
        assert_eq!(still.status(), 200, "the session is still open");
        // Once the store works again, signing out ends it and says so.
        raw_sql(&db, "DROP TRIGGER sessions_stuck").await;
        let out = call(&console, Some(&console.cookie), "/api/auth/sign-out", &[]).await;
        assert_eq!(out.status(), 200);
        assert_eq!(entries_of(&console, "signed-out").await, 1);
        let ended = call(&console, Some(&console.cookie), "/api/projects/list", &[]).await;
        assert_eq!(ended.status(), 401);
    })
}

/// The audit entries of sign-in failures, as (who, summary).
async fn failures(console: &Console) -> Vec<(String, String)> {
    let filter = composition_admin::domain::audit::AuditFilter {
        action: Some("sign-in-failed".into()),
        ..Default::default()
    };
    let (entries, _) = console
        .projects
        .store()
        .audit(
            &filter,
            composition_admin::store::AuditScope::Everything,
            0,
            1000,
        )
        .await
        .unwrap()
        .unwrap();
    entries.into_iter().map(|e| (e.staff, e.summary)).collect()
}

#[test]
fn a_flood_from_one_address_neither_locks_the_name_out_nor_fills_the_trail() {
    on_runtime(async {
        let console = start_console().await;
        let flooder = reqwest::Client::builder()
            .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap();
        let mut refused = 0;
        for _ in 0..500 {
            let answer = sign_in_with(&flooder, console.addr, ADMIN, "guess 1234567890")
                .await
                .unwrap_err();
            if answer.starts_with("429") {
                refused += 1;
            } else {
                assert!(answer.starts_with("401"), "{answer}");
            }
        }
        assert!(refused >= 490, "{refused} of 500 refused");
        // The admin, from their own address, signs in at once.
        let started = std::time::Instant::now();
        sign_in(console.addr, ADMIN, ADMIN_PASSWORD).await.unwrap();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "not held up: {:?}",
            started.elapsed()
        );
        let rows = failures(&console).await;
        assert!(!rows.is_empty() && rows.len() <= 10, "{rows:?}");
        assert!(rows.iter().all(|(who, _)| who == ADMIN), "{rows:?}");
        assert!(rows[0].1.contains("127.0.0.2"), "{rows:?}");
    })
}

#[test]
fn a_failed_sign_in_never_keeps_a_name_that_is_no_account() {
    on_runtime(async {
        let console = start_console().await;
        // A password typed into the name field, by mistake.
        let typed = "my-secret-password-42";
        sign_in(console.addr, typed, "anything at all 123")
            .await
            .unwrap_err();
        // Refused before any check: empty and overlong names.
        sign_in(console.addr, "   ", "anything at all 123")
            .await
            .unwrap_err();
        sign_in(console.addr, &"n".repeat(65), "anything at all 123")
            .await
            .unwrap_err();
        let rows = failures(&console).await;
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].0, "(unknown name)");
        assert!(!rows[0].1.contains(typed), "{rows:?}");
        let export = console
            .get("/audit/export?format=json")
            .await
            .text()
            .await
            .unwrap();
        assert!(!export.contains(typed), "{export}");
    })
}
