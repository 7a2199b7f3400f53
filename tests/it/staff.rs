//! Staff management by admins: add, change role, projects and password,
//! remove; each refused for non-admins, checked, and audited.

use crate::common::*;

fn staff<'a>(
    name: &'a str,
    role: &'a str,
    projects: &'a str,
    password: &'a str,
) -> [(&'static str, &'a str); 4] {
    [
        ("input[name]", name),
        ("input[role]", role),
        ("input[projects]", projects),
        ("input[password]", password),
    ]
}

#[test]
fn an_admin_adds_changes_and_removes_staff() {
    on_runtime(async {
        let console = start_console().await;
        let admin = console.cookie.clone();
        let added = call_as(
            &console,
            &admin,
            "/api/staff/save",
            &staff("ana", "editor", "acme", "ana's first password"),
        )
        .await;
        assert_eq!(added.status(), 200);
        assert_eq!(added.text().await.unwrap(), "true");
        let ana = sign_in(console.addr, "ana", "ana's first password")
            .await
            .unwrap();
        let saved = call_as(
            &console,
            &ana,
            "/api/settings/fetch",
            &[("project", PROJECT), ("kind", "Composition")],
        )
        .await;
        assert_eq!(saved.status(), 200, "an editor of acme reads it");

        // Now a viewer with a new password: the old one no longer works.
        let changed = call_as(
            &console,
            &admin,
            "/api/staff/save",
            &staff("ana", "viewer", "acme", "ana's second password"),
        )
        .await;
        assert_eq!(changed.text().await.unwrap(), "false");
        assert!(sign_in(console.addr, "ana", "ana's first password")
            .await
            .is_err());
        // The session started with the old password has ended.
        let ended = call_as(&console, &ana, "/api/projects/list", &[]).await;
        assert_eq!(ended.status(), 401, "a new password ends the old sessions");
        let ana = sign_in(console.addr, "ana", "ana's second password")
            .await
            .unwrap();
        let refused = call_as(
            &console,
            &ana,
            "/api/settings/save",
            &[
                ("project", PROJECT),
                ("kind", "Composition"),
                ("input[friendly_name]", "x"),
                ("original[friendly_name]", "x"),
            ],
        )
        .await;
        assert_eq!(refused.status(), 403, "a viewer now");

        // Staff management is for admins only.
        let listed = call_as(&console, &ana, "/api/staff/list", &[]).await;
        assert_eq!(listed.status(), 403);

        let unconfirmed = call_as(&console, &admin, "/api/staff/remove", &[("name", "ana")]).await;
        assert_eq!(unconfirmed.status(), 428);
        let removed = call_as(
            &console,
            &admin,
            "/api/staff/remove",
            &[("name", "ana"), ("confirm", "true")],
        )
        .await;
        assert_eq!(removed.status(), 200);
        let gone = call_as(&console, &ana, "/api/projects/list", &[]).await;
        assert_eq!(gone.status(), 401, "her session ended with her account");

        // All of it is in the audit trail, without a password.
        let trail = console
            .browser()
            .get(console.url("/audit/export?format=json"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for action in ["staff-added", "staff-changed", "staff-removed"] {
            assert!(trail.contains(action), "{action}: {trail}");
        }
        assert!(trail.contains("password replaced"));
        assert!(!trail.contains("first password") && !trail.contains("second password"));
    })
}

#[test]
fn bad_staff_input_is_refused_field_by_field() {
    on_runtime(async {
        let console = start_console().await;
        let admin = console.cookie.clone();
        for (fields, field, words) in [
            (
                staff("bo", "editor", "", "short"),
                "Password",
                "at least 12",
            ),
            (
                staff("", "editor", "", "long enough password"),
                "StaffName",
                "is required",
            ),
            (
                staff("bo", "root", "", "long enough password"),
                "StaffRole",
                "admin, editor or viewer",
            ),
            (
                staff("bo", "editor", "acme, ../etc", "long enough password"),
                "StaffProjects",
                "not a project id",
            ),
            (
                staff("bo", "editor", "nosuchproject", "long enough password"),
                "StaffProjects",
                "not a project id",
            ),
        ] {
            let response = call_as(&console, &admin, "/api/staff/save", &fields).await;
            assert_eq!(response.status(), 400, "{field}");
            let body = response.text().await.unwrap();
            assert!(
                body.contains(field) && body.contains(words),
                "{field}: {body}"
            );
            assert!(
                !body.contains("long enough password"),
                "the password is not echoed"
            );
        }
        // An admin cannot lock themselves out.
        let demoted = call_as(
            &console,
            &admin,
            "/api/staff/save",
            &staff(ADMIN, "viewer", "", ""),
        )
        .await;
        assert_eq!(demoted.status(), 403);
        let removed = call_as(
            &console,
            &admin,
            "/api/staff/remove",
            &[("name", ADMIN), ("confirm", "true")],
        )
        .await;
        assert_eq!(removed.status(), 403);
        let page = console.html("/staff").await;
        assert!(page.contains(ADMIN) && page.contains("Admin"), "{page}");
        assert!(!page.contains("\"bo\""), "nobody was added");
    })
}
