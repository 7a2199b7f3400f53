//! The audit trail: every change recorded with who, when, which project and
//! before/after; filters, paging, exports; what each role may read; and no
//! secret anywhere in it.

use crate::common::*;
use composition_admin::domain::audit::{AuditEntry, AuditPage};
use composition_admin::domain::Role;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE};

const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const KEY_SECRET: &str = "demoKeySecret000000000000000002";

async fn audit(
    console: &Console,
    cookie: &str,
    fields: &[(&str, &str)],
) -> (u16, Option<AuditPage>) {
    let response = call_as(console, cookie, "/api/audit/list", fields).await;
    let status = response.status().as_u16();
    (status, response.json().await.ok())
}

#[test]
fn changes_are_recorded_with_who_what_and_before_after_and_no_secret() {
    on_runtime(async {
        let console = start_console().await;
        let admin = console.cookie.clone();
        // A settings save, an AWS credential, a project added and its secret
        // replaced, and a failed sign-in.
        let saved = call_as(
            &console,
            &admin,
            "/api/settings/save",
            &[
                ("project", PROJECT),
                ("kind", "Composition"),
                ("input[friendly_name]", "Audited name"),
                ("input[encryption_enabled]", "false"),
                ("input[aws_storage_enabled]", "false"),
                ("original[friendly_name]", "Demo compositions"),
                ("original[encryption_enabled]", "false"),
                ("original[aws_storage_enabled]", "false"),
            ],
        )
        .await;
        assert_eq!(saved.status(), 200);
        let created = call_as(
            &console,
            &admin,
            "/api/credentials/aws",
            &[
                ("project", PROJECT),
                ("input[friendly_name]", "audited-writer"),
                ("input[access_key_id]", "AKIAIOSFODNN7EXAMPLE"),
                ("input[secret_access_key]", AWS_SECRET),
            ],
        )
        .await;
        assert_eq!(created.status(), 200);
        let added = call_as(
            &console,
            &admin,
            "/api/projects/add",
            &[
                ("input[name]", "Northwind"),
                ("input[account_sid]", "AC00000000000000000000000000de0002"),
                ("input[login]", "api_key"),
                ("input[api_key_sid]", "SK00000000000000000000000000de0002"),
                ("input[secret]", KEY_SECRET),
            ],
        )
        .await;
        assert_eq!(added.status(), 200);
        let northwind: composition_admin::domain::ProjectSummary = added.json().await.unwrap();
        let edited = call_as(
            &console,
            &admin,
            "/api/projects/edit",
            &[
                ("project", northwind.id.as_str()),
                ("input[name]", "Northwind Clinic"),
                ("input[account_sid]", "AC00000000000000000000000000de0002"),
                ("input[login]", "api_key"),
                ("input[api_key_sid]", "SK00000000000000000000000000de0002"),
                ("input[secret]", KEY_SECRET),
            ],
        )
        .await;
        assert_eq!(edited.status(), 200);
        let _ = sign_in(console.addr, "mallory", "guessing password 1").await;

        let (status, page) = audit(&console, &admin, &[]).await;
        assert_eq!(status, 200);
        let page = page.unwrap();
        let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
        for expected in [
            "signed-in",
            "settings-saved",
            "credential-created",
            "project-added",
            "project-edited",
            "sign-in-failed",
        ] {
            assert!(actions.contains(&expected), "{expected} in {actions:?}");
        }
        let save = page
            .entries
            .iter()
            .find(|e| e.action == "settings-saved")
            .unwrap();
        assert_eq!(save.staff, ADMIN);
        assert_eq!(save.project.as_deref(), Some(PROJECT));
        assert!(save
            .before
            .as_deref()
            .unwrap()
            .contains("Demo compositions"));
        assert!(save.after.as_deref().unwrap().contains("Audited name"));
        let edit = page
            .entries
            .iter()
            .find(|e| e.action == "project-edited")
            .unwrap();
        assert!(edit.summary.contains("secret replaced"), "{}", edit.summary);
        assert!(edit.before.as_deref().unwrap().contains("\"Northwind\""));
        assert!(edit.after.as_deref().unwrap().contains("Northwind Clinic"));
        let failed = page
            .entries
            .iter()
            .find(|e| e.action == "sign-in-failed")
            .unwrap();
        // "mallory" is no account: the typed name is not kept.
        assert_eq!(failed.staff, "(unknown name)");
        assert!(failed.summary.contains("127.0.0.1"), "{}", failed.summary);

        // Filters.
        let (_, only) = audit(&console, &admin, &[("filter[action]", "settings-saved")]).await;
        assert!(only
            .unwrap()
            .entries
            .iter()
            .all(|e| e.action == "settings-saved"));
        let (_, mine) = audit(
            &console,
            &admin,
            &[("filter[project]", northwind.id.as_str())],
        )
        .await;
        let mine = mine.unwrap();
        assert_eq!(mine.matching, 2, "added and edited");
        let (_, future) = audit(&console, &admin, &[("filter[from]", "2999-01-01")]).await;
        assert_eq!(future.unwrap().matching, 0);
        let (status, _) = audit(&console, &admin, &[("filter[from]", "yesterday")]).await;
        assert_eq!(status, 400, "a date that cannot be read is a 400");

        // Exports of the filtered view.
        let csv = console
            .browser()
            .get(console.url(&format!(
                "/audit/export?format=csv&project={}",
                northwind.id
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), 200);
        assert!(csv.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        assert!(csv.headers()[CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("audit.csv"));
        let csv = csv.text().await.unwrap();
        assert_eq!(csv.lines().count(), 3, "header and two entries: {csv}");
        let json = console
            .browser()
            .get(console.url("/audit/export?format=json"))
            .send()
            .await
            .unwrap();
        let all: Vec<AuditEntry> = json.json().await.unwrap();
        assert_eq!(all.len(), page.matching);

        // No secret anywhere in the trail or its exports.
        let everything = format!("{csv}{}", serde_json::to_string(&all).unwrap());
        for secret in [
            AWS_SECRET,
            KEY_SECRET,
            ADMIN_PASSWORD,
            TOKEN,
            "guessing password",
        ] {
            assert!(
                !everything.contains(secret),
                "{secret} is in the audit trail"
            );
        }
    })
}

#[test]
fn editors_read_their_projects_entries_and_viewers_none() {
    on_runtime(async {
        let console = start_console().await;
        let store = console.projects.store();
        let hash = composition_admin::services::auth::hash_password("editor password 1".into())
            .await
            .unwrap();
        let editor = composition_admin::server::ensure_staff(store, "eve", Role::Editor, &hash)
            .await
            .unwrap();
        let viewer = composition_admin::server::ensure_staff(store, "vic", Role::Viewer, &hash)
            .await
            .unwrap();
        store
            .assign(&viewer, &PROJECT.parse().unwrap())
            .await
            .unwrap();
        store
            .assign(&editor, &PROJECT.parse().unwrap())
            .await
            .unwrap();
        let saved = call_as(
            &console,
            &console.cookie,
            "/api/settings/save",
            &[
                ("project", PROJECT),
                ("kind", "Composition"),
                ("input[friendly_name]", "Changed by the admin"),
                ("original[friendly_name]", "Demo compositions"),
                ("original[encryption_enabled]", "false"),
                ("original[aws_storage_enabled]", "false"),
                ("input[encryption_enabled]", "false"),
                ("input[aws_storage_enabled]", "false"),
            ],
        )
        .await;
        assert_eq!(saved.status(), 200);
        // An editor of the project reads its entries, and no others (the
        // sign-ins name no project).
        let eve = sign_in(console.addr, "eve", "editor password 1")
            .await
            .unwrap();
        let (status, page) = audit(&console, &eve, &[]).await;
        assert_eq!(status, 200);
        let page = page.unwrap();
        assert!(!page.entries.is_empty());
        assert!(
            page.entries
                .iter()
                .all(|e| e.project.as_deref() == Some(PROJECT)),
            "{:?}",
            page.entries
        );
        let vic = sign_in(console.addr, "vic", "editor password 1")
            .await
            .unwrap();
        let (status, _) = audit(&console, &vic, &[]).await;
        assert_eq!(status, 403);
        let export = browser_without_js()
            .get(console.url("/audit/export?format=csv"))
            .header(COOKIE, vic)
            .send()
            .await
            .unwrap();
        assert_eq!(export.status(), 403);
        // Anonymous: to sign-in.
        let anonymous = browser_without_js()
            .get(console.url("/audit/export"))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 303);
    })
}

#[test]
fn an_export_holds_every_matching_entry_however_many() {
    on_runtime(async {
        let console = start_console().await;
        let db = console.sqlite_url();
        raw_sql(
            &db,
            "INSERT INTO audit (id, at, seq, staff_name, project_id, action, summary) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
             SELECT 'bulk' || i, 1700000000 + i, i, 'bulk', 'acme', 'settings-saved', 'entry ' || i FROM n",
        )
        .await;
        let filter = "staff=bulk";
        // A debug build takes seconds for 100,000 entries.
        let export = |format: &str| {
            console
                .browser()
                .get(console.url(&format!("/audit/export?format={format}&{filter}")))
                .timeout(std::time::Duration::from_secs(120))
                .send()
        };
        let csv = export("csv").await.unwrap();
        assert_eq!(csv.status(), 200);
        assert!(
            csv.headers().get(reqwest::header::CONTENT_LENGTH).is_none(),
            "streamed"
        );
        let csv = csv.text().await.unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines.len(),
            20_001,
            "a header and every entry, past the old cap of 10,000"
        );
        assert!(
            lines[1].contains("entry 20000"),
            "newest first: {}",
            lines[1]
        );
        assert!(
            lines.last().unwrap().contains("\"entry 1\""),
            "{}",
            lines.last().unwrap()
        );
        let json = export("json").await.unwrap();
        let entries: Vec<AuditEntry> = json.json().await.unwrap();
        assert_eq!(entries.len(), 20_000);
        // A date that cannot be read is refused before the file starts.
        let bad = console.get("/audit/export?format=csv&from=yesterday").await;
        assert_eq!(bad.status(), 400);
        assert!(bad.text().await.unwrap().contains("From"));
    })
}
