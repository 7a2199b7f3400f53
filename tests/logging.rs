//! What the console writes to its log: method, path and status of each
//! request, and never a secret, a query string or a form's content. And a
//! leak scan: a whole flow with known secrets (staff passwords, auth token,
//! API key secret, AWS secret) finds none of them in any answer (body or
//! headers), log line or database file.

mod common;

use common::*;
use composition_admin::api::credentials::CreateAwsCredential;
use composition_admin::fake::generated::subaccount_sid;
use composition_admin::fake::seed::DEMO_PARENT as P;
use leptos::server_fn::ServerFn;
use reqwest::header::{ACCEPT, REFERER};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const KEY_SECRET: &str = "demoKeySecret000000000000000002";
const WRONG_KEY_SECRET: &str = "wrongKeySecret0000000000000leak";
const GUESSED_PASSWORD: &str = "a guessed password that leaks";
/// A secret in a file of projects previewed (never confirmed).
const FILE_SECRET: &str = "fileSecret0000000000000000leaks1";

/// Everything the console answered: status line, headers and body.
async fn keep(answers: &mut String, response: reqwest::Response) -> reqwest::StatusCode {
    let status = response.status();
    answers.push_str(&format!("{status}\n"));
    for (name, value) in response.headers() {
        answers.push_str(&format!("{name}: {}\n", value.to_str().unwrap_or_default()));
    }
    answers.push_str(&response.text().await.unwrap_or_default());
    status
}

#[test]
fn no_secret_in_a_log_line_an_answer_or_the_database() {
    let log = Captured::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    let mut answers = String::new();
    // The secrets of the keys the import made at the fake.
    let mut made: Vec<String> = Vec::new();
    let data_dir = on_runtime(async {
        let mut console = start_console().await;
        let http = console.browser();
        // A no-JavaScript post that fails comes back with its input in the
        // query of the page it redirects to.
        let response = http
            .post(console.url(CreateAwsCredential::url()))
            .header("origin", console.origin())
            .header(ACCEPT, "text/html")
            .header(REFERER, console.url(&console.page("/credentials")))
            .form(&[
                ("project", PROJECT),
                ("input[friendly_name]", "logged-name-marker"),
                ("input[access_key_id]", "AKIA-too-short"),
                ("input[secret_access_key]", SECRET),
            ])
            .send()
            .await
            .unwrap();
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.contains("__err="), "{location}");
        let page = http.get(console.url(&location)).send().await.unwrap();
        assert_eq!(page.status(), 200);
        // And one that succeeds.
        let created = http
            .post(console.url(CreateAwsCredential::url()))
            .header("origin", console.origin())
            .header(ACCEPT, "application/json")
            .form(&[
                ("project", PROJECT),
                ("input[friendly_name]", "fine"),
                ("input[access_key_id]", "AKIAIOSFODNN7EXAMPLE"),
                ("input[secret_access_key]", SECRET),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(keep(&mut answers, created).await, 200);
        // A project added with a wrong secret, then the right one, then the
        // secret replaced; a failed sign-in; the pages and the audit trail.
        let json = |path: &str, fields: &[(&str, &str)]| {
            http.post(console.url(path))
                .header("origin", console.origin())
                .header(ACCEPT, "application/json")
                .form(fields)
                .send()
        };
        let project = |secret: &'static str| {
            vec![
                ("input[name]", "Northwind"),
                ("input[account_sid]", "AC00000000000000000000000000de0002"),
                ("input[login]", "api_key"),
                ("input[api_key_sid]", "SK00000000000000000000000000de0002"),
                ("input[secret]", secret),
            ]
        };
        let wrong = json("/api/projects/add", &project(WRONG_KEY_SECRET))
            .await
            .unwrap();
        assert_eq!(keep(&mut answers, wrong).await, 422);
        let added = json("/api/projects/add", &project(KEY_SECRET))
            .await
            .unwrap();
        assert_eq!(keep(&mut answers, added).await, 200);
        let id = console
            .projects
            .list()
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.name == "Northwind")
            .unwrap()
            .id;
        let mut edit = project(KEY_SECRET);
        edit.push(("project", id.as_str()));
        let edited = json("/api/projects/edit", &edit).await.unwrap();
        assert_eq!(keep(&mut answers, edited).await, 200);
        let failed = sign_in(console.addr, ADMIN, GUESSED_PASSWORD)
            .await
            .unwrap_err();
        answers.push_str(&failed);
        // A parent's login, kept; two subaccounts imported (each gets a key
        // of its own); its new subaccounts found; a file with a secret.
        let parent = [
            ("input[account_sid]", P.sid),
            ("input[login]", "auth_token"),
            ("input[secret]", P.auth_token),
            ("input[keep]", "on"),
        ];
        let listed = json("/api/imports/discover", &parent).await.unwrap();
        assert_eq!(listed.status(), 200);
        let text = listed.text().await.unwrap();
        answers.push_str(&text);
        let import: String = serde_json::from_str(&text).unwrap();
        let (one, two) = (subaccount_sid(&P, 1), subaccount_sid(&P, 2));
        let start = [
            ("id", import.as_str()),
            ("account[0]", one.as_str()),
            ("account[1]", two.as_str()),
        ];
        let started = json("/api/imports/start", &start).await.unwrap();
        assert_eq!(keep(&mut answers, started).await, 200);
        let mut done = false;
        for _ in 0..100 {
            let view = json("/api/imports/get", &[("id", import.as_str())])
                .await
                .unwrap();
            let text = view.text().await.unwrap();
            answers.push_str(&text);
            if text.contains("\"Done\"") {
                done = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(done, "the import ended");
        assert_eq!(console.fake.state.created_key_secrets().len(), 2);
        let found = json("/api/parents/find-new", &[("parent", P.sid)])
            .await
            .unwrap();
        assert_eq!(keep(&mut answers, found).await, 200);
        let file = format!(
            "name,account_sid,login,api_key_sid,secret\nFiled,{},auth_token,,{FILE_SECRET}\n",
            subaccount_sid(&P, 11)
        );
        let previewed = json("/api/imports/file", &[("file", file.as_str())])
            .await
            .unwrap();
        assert_eq!(keep(&mut answers, previewed).await, 200);
        made.extend(console.fake.state.created_key_secrets());
        for page in [
            "/imports",
            "/fleet",
            "/projects",
            "/projects/acme",
            "/projects/acme/credentials",
            "/audit",
            "/audit/export?format=json",
        ] {
            let response = http.get(console.url(page)).send().await.unwrap();
            assert_eq!(keep(&mut answers, response).await, 200, "{page}");
        }
        // Kept (and removed) after the console stops, to be read below.
        console.data_dir.take().unwrap()
    });
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("path=/projects/acme/credentials"),
        "requests are logged:\n{text}"
    );
    assert!(text.contains("status=200"), "{text}");
    for leak in [
        SECRET,
        "wJalrXUtnFEMI",
        TOKEN,
        "__err",
        "logged-name-marker",
        KEY_SECRET,
        WRONG_KEY_SECRET,
        ADMIN_PASSWORD,
        GUESSED_PASSWORD,
        P.auth_token,
        FILE_SECRET,
    ]
    .into_iter()
    .chain(made.iter().map(String::as_str))
    {
        assert!(!text.contains(leak), "{leak} is in the log:\n{text}");
    }
    // The answers: the console's own secrets never come back.
    for leak in [
        SECRET,
        TOKEN,
        KEY_SECRET,
        WRONG_KEY_SECRET,
        ADMIN_PASSWORD,
        GUESSED_PASSWORD,
        P.auth_token,
        FILE_SECRET,
    ]
    .into_iter()
    .chain(made.iter().map(String::as_str))
    {
        assert!(!answers.contains(leak), "{leak} is in an answer");
    }
    assert!(
        answers.contains("Northwind"),
        "the scan saw the flow's answers"
    );
    // The database files, with the write-ahead log.
    let mut scanned = 0;
    for entry in std::fs::read_dir(&data_dir).unwrap() {
        let Ok(bytes) = std::fs::read(entry.unwrap().path()) else {
            continue;
        };
        scanned += bytes.len();
        for leak in [
            SECRET,
            TOKEN,
            KEY_SECRET,
            WRONG_KEY_SECRET,
            ADMIN_PASSWORD,
            GUESSED_PASSWORD,
            P.auth_token,
            FILE_SECRET,
        ]
        .into_iter()
        .chain(made.iter().map(String::as_str))
        {
            let leak = leak.as_bytes();
            assert!(
                !bytes.windows(leak.len()).any(|w| w == leak),
                "{} is in the database",
                String::from_utf8_lossy(leak)
            );
        }
    }
    assert!(scanned > 0, "the database files were read");
}
