//! Desired state through the console (issue 24): templates made, checked,
//! audited, exported and imported; a project following one shows its
//! drift field by field, on its Template tab and in the fleet, computed
//! again after a template edit without a Twilio call.

use crate::common::*;
use composition_admin::domain::audit::{AuditEntry, AuditFilter};
use composition_admin::domain::template::DriftField;
use composition_admin::domain::template_view::{ProjectDrift, TemplatesView};
use composition_admin::domain::Role;
use composition_admin::store::AuditScope;
use std::time::Duration;

/// The template form's fields, with `changes` over a template that wants
/// encryption on with the key named `prod-2026` (the demo account has it).
fn template_form<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("input[id]", ""),
        ("input[name]", "Encrypted"),
        ("input[kind]", "composition"),
        ("input[encryption]", "on"),
        ("input[key_match]", "named"),
        ("input[key_name]", "prod-2026"),
        ("input[storage]", "unmanaged"),
    ];
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    fields
}

async fn templates(console: &Console, cookie: &str) -> TemplatesView {
    let answer = call_as(console, cookie, "/api/templates/list", &[]).await;
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

async fn drift(console: &Console) -> ProjectDrift {
    let answer = call_as(
        console,
        &console.cookie,
        "/api/templates/drift",
        &[("project", PROJECT)],
    )
    .await;
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

/// The project's Composition drift once it is known (the refresh after the
/// assignment is under way).
async fn composition_drift(
    console: &Console,
) -> Vec<composition_admin::domain::template::FieldDrift> {
    for _ in 0..100 {
        if let Some(fields) = drift(console).await.kinds[0].fields.clone() {
            return fields;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the drift was never computed");
}

async fn entries(console: &Console, action: &str) -> Vec<AuditEntry> {
    let filter = AuditFilter {
        action: Some(action.into()),
        ..AuditFilter::default()
    };
    let (entries, _) = console
        .projects
        .store()
        .audit(&filter, AuditScope::Everything, 0, 50)
        .await
        .unwrap()
        .unwrap();
    entries
}

#[test]
fn a_followed_template_shows_drift_per_field_and_an_edit_recomputes_it_without_twilio() {
    on_runtime(async {
        let console = start_console().await;
        let saved = call_as(
            &console,
            &console.cookie,
            "/api/templates/save",
            &template_form(&[]),
        )
        .await;
        assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
        let id = templates(&console, &console.cookie).await.templates[0]
            .id
            .clone();
        let assigned = call_as(
            &console,
            &console.cookie,
            "/api/templates/assign",
            &[
                ("project", PROJECT),
                ("kind", "Composition"),
                ("template", &id),
            ],
        )
        .await;
        assert_eq!(assigned.status(), 200);

        // The demo project's compositions are not encrypted.
        let fields = composition_drift(&console).await;
        let named: Vec<DriftField> = fields.iter().map(|f| f.field).collect();
        assert_eq!(named, [DriftField::Encryption, DriftField::EncryptionKey]);
        assert_eq!(
            fields[1].wanted,
            Ok(format!("prod-2026 ({PUBLIC_KEY})")),
            "the rule resolved to the account's key"
        );
        assert_eq!(fields[1].held, "none");
        let page = console.html(&format!("/projects/{PROJECT}/template")).await;
        assert!(page.contains("2 fields differ"), "{page}");
        assert!(page.contains("Template says"), "{page}");
        let fleet = console.html("/fleet?only=drifted").await;
        assert!(fleet.contains("2 fields differ"), "{fleet}");
        assert!(fleet.contains(&format!("data-project=\"{PROJECT}\"")));

        // A rule naming a key the account lacks: said per field, and the
        // edit is computed from what the store holds, no Twilio call.
        let before = console.fake.state.requests().len();
        let id_field = id.clone();
        let changed = call_as(
            &console,
            &console.cookie,
            "/api/templates/save",
            &template_form(&[("input[id]", &id_field), ("input[key_name]", "missing")]),
        )
        .await;
        assert_eq!(changed.status(), 200);
        let fields = composition_drift(&console).await;
        assert_eq!(
            fields[1].wanted,
            Err("the account has no public key named missing".into())
        );
        let off = call_as(
            &console,
            &console.cookie,
            "/api/templates/save",
            &template_form(&[("input[id]", &id_field), ("input[encryption]", "off")]),
        )
        .await;
        assert_eq!(off.status(), 200);
        assert_eq!(composition_drift(&console).await, []);
        assert_eq!(
            console.fake.state.requests().len(),
            before,
            "no Twilio call"
        );
        let fleet = console.html("/fleet?only=drifted").await;
        assert!(!fleet.contains(&format!("data-project=\"{PROJECT}\"")));
        let fleet = console.html("/fleet").await;
        assert!(fleet.contains("As the template says"), "{fleet}");

        // Each change is in the audit trail, with before and after.
        let changes = entries(&console, "template-changed").await;
        assert_eq!(changes.len(), 2);
        assert!(changes[0].before.as_deref().unwrap().contains("missing"));
        assert!(changes[0].after.as_deref().unwrap().contains("\"off\""));
        let assignment = &entries(&console, "template-assigned").await[0];
        assert_eq!(assignment.project.as_deref(), Some(PROJECT));
        assert_eq!(assignment.after.as_deref(), Some("Encrypted"));
    })
}

#[test]
fn bad_templates_are_refused_field_by_field_and_only_admins_change_them() {
    on_runtime(async {
        let console = start_console().await;
        let bad = call_as(
            &console,
            &console.cookie,
            "/api/templates/save",
            &template_form(&[
                ("input[name]", ""),
                ("input[storage]", "s3"),
                ("input[url_pattern]", "https://a.s3.amazonaws.com/{region}"),
                ("input[aws_name]", "writer"),
            ]),
        )
        .await;
        assert_eq!(bad.status(), 400);
        let body = bad.text().await.unwrap();
        assert!(body.contains("TemplateName"), "{body}");
        assert!(body.contains("{region}"), "{body}");
        let long = "k".repeat(65);
        let too_long = call_as(
            &console,
            &console.cookie,
            "/api/templates/save",
            &template_form(&[("input[key_name]", &long)]),
        )
        .await;
        assert_eq!(too_long.status(), 400);
        assert!(too_long.text().await.unwrap().contains("at most 64"));
        assert!(templates(&console, &console.cookie)
            .await
            .templates
            .is_empty());

        let editor = staff(&console, "eddie", Role::Editor, &[PROJECT]).await;
        let viewer = staff(&console, "vera", Role::Viewer, &[PROJECT]).await;
        for cookie in [&editor, &viewer] {
            let refused =
                call_as(&console, cookie, "/api/templates/save", &template_form(&[])).await;
            assert_eq!(refused.status(), 403);
            let view = templates(&console, cookie).await;
            assert!(!view.can_edit);
        }
        let page = reqwest::Client::new()
            .get(console.url("/templates"))
            .header(reqwest::header::COOKIE, &viewer)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("<h1>Templates</h1>"), "{page}");
        assert!(!page.contains("Save template"), "a viewer gets no form");

        // A name is unique.
        for expected in [200, 400] {
            let answer = call_as(
                &console,
                &console.cookie,
                "/api/templates/save",
                &template_form(&[]),
            )
            .await;
            assert_eq!(answer.status(), expected);
        }
        assert_eq!(entries(&console, "template-created").await.len(), 1);
    })
}

#[test]
fn templates_export_and_import_round_trip_and_a_bad_file_imports_nothing() {
    on_runtime(async {
        let console = start_console().await;
        let saved = call_as(
            &console,
            &console.cookie,
            "/api/templates/save",
            &template_form(&[
                ("input[storage]", "s3"),
                (
                    "input[url_pattern]",
                    "https://media-archive.s3.amazonaws.com/{account_sid}/compositions",
                ),
                ("input[aws_match]", "prefix"),
                ("input[aws_name]", "media"),
            ]),
        )
        .await;
        assert_eq!(saved.status(), 200);
        let file = console.get("/templates/export.json").await;
        assert_eq!(file.status(), 200);
        assert!(file.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("templates.json"));
        let text = file.text().await.unwrap();
        assert!(
            text.contains("\"format\": \"composition-admin templates\""),
            "{text}"
        );
        assert!(text.contains("newest_starting_with"), "{text}");

        // The same file again changes nothing; a renamed copy adds one.
        let again = call_as(
            &console,
            &console.cookie,
            "/api/templates/import",
            &[("file", &text)],
        )
        .await;
        assert_eq!(again.status(), 200);
        assert!(again.text().await.unwrap().contains("\"unchanged\":1"));
        // Without JavaScript: a form post, and the page after its redirect.
        let posted = console
            .browser()
            .post(console.url("/api/templates/import"))
            .header("origin", console.origin())
            .header("referer", console.url("/templates"))
            .header(reqwest::header::ACCEPT, "text/html")
            .form(&[("file", &text)])
            .send()
            .await
            .unwrap();
        assert!(posted.status().is_redirection(), "{}", posted.status());
        let location = posted.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.contains("done=imported.0.0.1"), "{location}");
        let page = console.html(&location).await;
        assert!(
            page.contains("Imported: 0 added, 0 replaced, 1 already as in the file."),
            "{page}"
        );
        let renamed = text.replace("\"Encrypted\"", "\"Encrypted copy\"");
        let added = call_as(
            &console,
            &console.cookie,
            "/api/templates/import",
            &[("file", &renamed)],
        )
        .await;
        assert!(added.text().await.unwrap().contains("\"added\":1"));
        assert_eq!(
            templates(&console, &console.cookie).await.templates.len(),
            2
        );

        // A file with one bad template stores none of it.
        let bad = renamed
            .replace("\"Encrypted copy\"", "\"Third\"")
            .replace("{account_sid}", "{region}");
        let refused = call_as(
            &console,
            &console.cookie,
            "/api/templates/import",
            &[("file", &bad)],
        )
        .await;
        assert_eq!(refused.status(), 400);
        assert!(refused.text().await.unwrap().contains("Template 1"));
        let not_json = call_as(
            &console,
            &console.cookie,
            "/api/templates/import",
            &[("file", "name,kind\n")],
        )
        .await;
        assert_eq!(not_json.status(), 400);
        assert_eq!(
            templates(&console, &console.cookie).await.templates.len(),
            2
        );

        // Only admins import; anyone signed in exports, nobody else.
        let viewer = staff(&console, "vera", Role::Viewer, &[PROJECT]).await;
        let refused = call_as(
            &console,
            &viewer,
            "/api/templates/import",
            &[("file", &text)],
        )
        .await;
        assert_eq!(refused.status(), 403);
        let anonymous = browser_without_js()
            .get(console.url("/templates/export.json"))
            .send()
            .await
            .unwrap();
        assert_ne!(anonymous.status(), 200);
    })
}
