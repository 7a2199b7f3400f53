//! Projects as a file: what an admin exports (never a secret, in the
//! columns the import reads) and who may not.

use crate::common::*;
use composition_admin::domain::Role;
use reqwest::header::COOKIE;

async fn export(console: &Console, cookie: Option<&str>, format: &str) -> reqwest::Response {
    let mut request =
        browser_without_js().get(console.url(&format!("/projects/export?format={format}")));
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

#[test]
fn an_admin_exports_every_project_without_a_secret() {
    on_runtime(async {
        let console = start_console().await;
        insert_plain_project(
            console.projects.store(),
            "other",
            "=HYPERLINK(\"x\")",
            "AC0000000000000000000000000000ffff",
        )
        .await;
        let csv = export(&console, Some(&console.cookie), "csv").await;
        assert_eq!(csv.status(), 200);
        assert!(csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("projects.csv"));
        let text = csv.text().await.unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("name,account_sid,login,api_key_sid,secret,last_test,composition_template,recording_template")
        );
        let acme = lines.clone().find(|l| l.contains(ACCOUNT)).unwrap();
        assert!(acme.starts_with("\"Acme Video\","), "{acme}");
        assert!(
            acme.contains("\"auth_token\",\"\",\"\",\"works ("),
            "{acme}"
        );
        // A name a spreadsheet would run as a formula is neutralised.
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
        assert!(!text.contains(TOKEN), "the auth token is in the export");
        let json: serde_json::Value = export(&console, Some(&console.cookie), "json")
            .await
            .json()
            .await
            .unwrap();
        let projects = json["projects"].as_array().unwrap();
        assert_eq!(projects.len(), 2);
        let acme = projects
            .iter()
            .find(|p| p["account_sid"] == ACCOUNT)
            .unwrap();
        assert_eq!(acme["login"], "auth_token");
        assert_eq!(acme["secret"], serde_json::Value::Null);
        assert_eq!(acme["last_test"]["worked"], true);
        assert!(!json.to_string().contains(TOKEN));
    })
}

#[test]
fn only_admins_export_projects() {
    on_runtime(async {
        let console = start_console().await;
        let editor = staff(&console, "eddie", Role::Editor, &["acme"]).await;
        let viewer = staff(&console, "vera", Role::Viewer, &["acme"]).await;
        for cookie in [&editor, &viewer] {
            let refused = export(&console, Some(cookie), "csv").await;
            assert_eq!(refused.status(), 403);
            assert!(!refused.text().await.unwrap().contains(ACCOUNT));
        }
        // Anonymous: to sign-in.
        assert_eq!(export(&console, None, "json").await.status(), 303);
    })
}
