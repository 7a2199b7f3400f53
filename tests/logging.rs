//! What the console writes to its log: method, path and status of each
//! request, and never a secret, a query string or a form's content.

mod common;

use common::*;
use composition_admin::api::credentials::CreateAwsCredential;
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

#[test]
fn log_lines_hold_no_secret_no_query_and_no_form_content() {
    let log = Captured::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    on_runtime(async {
        let console = start_console().await;
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
        assert_eq!(created.status(), 200);
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
    ] {
        assert!(!text.contains(leak), "{leak} is in the log:\n{text}");
    }
}
