//! The projects store, the same tests on SQLite and on PostgreSQL.

use crate::common::*;
use composition_admin::domain::{LoginCheck, LoginKind, ProjectId};
use composition_admin::store::{NewProject, Store, StoreError};
use std::time::Duration;

fn id(raw: &str) -> ProjectId {
    raw.parse().unwrap()
}

const AC_A: &str = "AC0000000000000000000000000000000a";
const AC_B: &str = "AC0000000000000000000000000000000b";
const SK_A: &str = "SK0000000000000000000000000000000a";

async fn add(store: &Store, project: &str, name: &str, account: &str) -> Result<(), StoreError> {
    let key = SK_A.parse().unwrap();
    store
        .insert_project(&NewProject {
            id: &id(project),
            name,
            account_sid: &account.parse().unwrap(),
            login: LoginKind::ApiKey,
            api_key_sid: Some(&key),
            sealed_secret: "v1.sealed-a",
            key_check: None,
            audit: None,
        })
        .await
}

#[test]
fn projects_are_stored_listed_changed_and_removed() {
    on_runtime(async {
        for url in test_databases().await {
            let store = Store::open(&url).await.unwrap();
            add(&store, "b", "beta", AC_B).await.unwrap();
            add(&store, "a", "Alpha", AC_A).await.unwrap();
            let names: Vec<_> = store
                .list_projects()
                .await
                .unwrap()
                .into_iter()
                .map(|p| p.name)
                .collect();
            assert_eq!(names, ["Alpha", "beta"], "{url}: by name, any case");

            let a = store.project(&id("a")).await.unwrap().unwrap();
            assert_eq!(a.account_sid.as_str(), AC_A);
            assert_eq!(a.api_key_sid.as_ref().unwrap().as_str(), SK_A);
            assert_eq!(a.check, None);
            let by_account = store
                .project_by_account(&AC_B.parse().unwrap())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(by_account.id, id("b"));

            // A rename keeps the secret; a new login replaces it.
            assert!(store
                .update_project(
                    &id("a"),
                    "Alpha 2",
                    LoginKind::ApiKey,
                    a.api_key_sid.as_ref(),
                    None,
                    None
                )
                .await
                .unwrap());
            let renamed = store.project(&id("a")).await.unwrap().unwrap();
            assert_eq!(renamed.name, "Alpha 2");
            assert_eq!(renamed.sealed_secret, "v1.sealed-a");
            // A new secret is stored only under the key check it was sealed for.
            store.set_key_check("check-1").await.unwrap();
            let refused = store
                .update_project(
                    &id("a"),
                    "Alpha 2",
                    LoginKind::AuthToken,
                    None,
                    Some(("v1.other", "check-0")),
                    None,
                )
                .await;
            assert!(
                matches!(refused, Err(StoreError::KeyRotated)),
                "{refused:?}"
            );
            assert!(store
                .update_project(
                    &id("a"),
                    "Alpha 2",
                    LoginKind::AuthToken,
                    None,
                    Some(("v1.other", "check-1")),
                    None
                )
                .await
                .unwrap());
            let token = store.project(&id("a")).await.unwrap().unwrap();
            assert_eq!(token.login, LoginKind::AuthToken);
            assert_eq!(token.api_key_sid, None);
            assert_eq!(token.sealed_secret, "v1.other");

            let check = LoginCheck {
                at: 1_795_955_640,
                worked: false,
                message: Some("Twilio error 20003: Authenticate".into()),
            };
            store.record_check(&id("a"), &check).await.unwrap();
            assert_eq!(
                store.project(&id("a")).await.unwrap().unwrap().check,
                Some(check)
            );

            assert!(store.delete_project(&id("a"), None).await.unwrap());
            assert!(!store.delete_project(&id("a"), None).await.unwrap());
            assert!(store.project(&id("a")).await.unwrap().is_none());
            assert!(!store
                .update_project(&id("a"), "x", LoginKind::AuthToken, None, None, None)
                .await
                .unwrap());
        }
    })
}

#[test]
fn an_account_is_registered_once() {
    on_runtime(async {
        for url in test_databases().await {
            let store = Store::open(&url).await.unwrap();
            add(&store, "a", "Alpha", AC_A).await.unwrap();
            let again = add(&store, "c", "Copy", AC_A).await;
            assert!(
                matches!(again, Err(StoreError::DuplicateAccount(ref sid)) if sid == AC_A),
                "{url}: {again:?}"
            );
            assert_eq!(store.list_projects().await.unwrap().len(), 1);
        }
    })
}

#[test]
fn a_staff_member_is_read_with_exactly_their_projects() {
    use composition_admin::domain::Role;
    use composition_admin::server::ensure_staff;
    on_runtime(async {
        for url in test_databases().await {
            let store = Store::open(&url).await.unwrap();
            add(&store, "a", "Alpha", AC_A).await.unwrap();
            add(&store, "b", "beta", AC_B).await.unwrap();
            let both = ensure_staff(&store, "both", Role::Editor, "hash-1")
                .await
                .unwrap();
            let none = ensure_staff(&store, "none", Role::Viewer, "hash-2")
                .await
                .unwrap();
            store.assign(&both, &id("b")).await.unwrap();
            store.assign(&both, &id("a")).await.unwrap();

            let (row, mut projects) = store.staff_with_projects(&both).await.unwrap().unwrap();
            projects.sort();
            assert_eq!(
                (row.name.as_str(), row.role),
                ("both", Role::Editor),
                "{url}"
            );
            assert_eq!(row.password_hash, "hash-1", "{url}");
            assert_eq!(
                projects,
                [id("a"), id("b")],
                "{url}: one row each, no repeat"
            );

            let (row, projects) = store.staff_with_projects(&none).await.unwrap().unwrap();
            assert_eq!(
                row.name, "none",
                "{url}: a member without projects is found"
            );
            assert!(projects.is_empty(), "{url}: {projects:?}");

            // A removed project leaves their list.
            assert!(store.delete_project(&id("a"), None).await.unwrap());
            let (_, projects) = store.staff_with_projects(&both).await.unwrap().unwrap();
            assert_eq!(projects, [id("b")], "{url}");

            let gone: composition_admin::domain::StaffId = "st-gone".parse().unwrap();
            assert!(
                store.staff_with_projects(&gone).await.unwrap().is_none(),
                "{url}"
            );
        }
    })
}

#[test]
fn reopening_keeps_the_projects_and_migrates_nothing_twice() {
    on_runtime(async {
        for url in test_databases().await {
            let store = Store::open(&url).await.unwrap();
            add(&store, "a", "Alpha", AC_A).await.unwrap();
            drop(store);
            let again = Store::open(&url).await.unwrap();
            assert_eq!(again.list_projects().await.unwrap().len(), 1, "{url}");
        }
    })
}

#[test]
fn a_database_from_a_newer_console_stops_start_up_untouched() {
    on_runtime(async {
        for url in test_databases().await {
            let store = Store::open(&url).await.unwrap();
            add(&store, "a", "Alpha", AC_A).await.unwrap();
            drop(store);
            let checksum = if url.starts_with("sqlite") {
                "X'00'"
            } else {
                "'\\x00'::bytea"
            };
            raw_sql(&url, &format!(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9999, 'from the future', TRUE, {checksum}, 0)"
            ))
            .await;
            let refused = Store::open(&url).await.unwrap_err();
            assert!(refused.contains("schema version 9999"), "{refused}");
            assert!(refused.contains("newer than this console"), "{refused}");
            assert!(refused.contains("Nothing was changed"), "{refused}");
            assert!(!refused.contains('\n'), "one line: {refused}");
        }
    })
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    on_runtime(async {
        let dir =
            std::env::temp_dir().join(format!("store-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("console.db");
        let junk = b"these are someone's notes, not a database".repeat(200);
        std::fs::write(&file, &junk).unwrap();
        let refused = Store::open(&format!("sqlite://{}?mode=rwc", file.display()))
            .await
            .unwrap_err();
        assert!(refused.contains("console.db"), "{refused}");
        assert!(!refused.contains('\n'), "one line: {refused}");
        assert_eq!(std::fs::read(&file).unwrap(), junk, "the file is unchanged");
        std::fs::remove_dir_all(dir).unwrap();
    })
}

#[test]
fn a_password_in_the_database_url_is_not_repeated() {
    on_runtime(async {
        // Nothing listens there: refused until the wait is over.
        let refused = Store::open_waiting(
            "postgres://admin:hunter2hunter2@127.0.0.1:1/db",
            Duration::from_millis(500),
        )
        .await
        .unwrap_err();
        assert!(!refused.contains("hunter2"), "{refused}");
        assert!(refused.contains("127.0.0.1"), "{refused}");
        let refused = Store::open("mysql://x@y/z").await.unwrap_err();
        assert!(refused.contains("expected postgres://"), "{refused}");
    })
}

#[test]
fn the_audit_table_refuses_changes_and_deletions_in_the_database_itself() {
    use composition_admin::domain::audit::AuditEntry;
    use sqlx::Connection;
    on_runtime(async {
        for url in test_databases().await {
            let store = Store::open(&url).await.unwrap();
            let entry = AuditEntry {
                at: 1_700_000_000,
                staff: "ana".into(),
                project: None,
                action: "staff-added".into(),
                summary: "staff member bob".into(),
                before: None,
                after: None,
                outcome: None,
            };
            store.add_audit(&entry, Some("staff-ana-id")).await.unwrap();
            let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
            let mut tries = vec![
                "UPDATE audit SET summary = 'nothing happened'",
                "UPDATE audit SET staff_name = 'someone else' WHERE staff_name = 'ana'",
                "DELETE FROM audit",
                "DELETE FROM audit WHERE staff_name = 'ana'",
            ];
            if url.starts_with("postgres") {
                tries.push("TRUNCATE audit");
            }
            for sql in tries {
                let refused = sqlx::raw_sql(sql).execute(&mut conn).await;
                let message = refused.expect_err(sql).to_string();
                assert!(message.contains("append-only"), "{url}: {sql}: {message}");
            }
            let kept: Vec<(String, String, Option<String>)> =
                sqlx::query_as("SELECT staff_name, summary, staff_id FROM audit")
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
            assert_eq!(
                kept,
                vec![(
                    "ana".into(),
                    "staff member bob".into(),
                    Some("staff-ana-id".into())
                )],
                "{url}"
            );
        }
    })
}

fn entry(action: &str) -> composition_admin::domain::audit::AuditEntry {
    composition_admin::domain::audit::AuditEntry {
        at: composition_admin::store::now(),
        staff: "admin".into(),
        project: None,
        action: action.into(),
        summary: format!("{action} by the test"),
        before: None,
        after: None,
        outcome: None,
    }
}

async fn audit_rows(url: &str) -> i64 {
    use sqlx::Connection;
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM audit")
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

#[test]
fn a_staff_change_whose_assignment_fails_changes_nothing_and_records_nothing() {
    use composition_admin::domain::Role;
    use composition_admin::store::{new_staff_id, Audited, StaffRow};
    on_runtime(async {
        for url in test_databases().await {
            let store = Store::open(&url).await.unwrap();
            add(&store, "a", "Alpha", AC_A).await.unwrap();
            let ana = StaffRow {
                id: new_staff_id(),
                name: "ana".into(),
                password_hash: "hash-1".into(),
                role: Role::Editor,
            };
            store.insert_staff(&ana).await.unwrap();
            store.assign(&ana.id, &id("a")).await.unwrap();
            let changed = entry("staff-changed");
            let audit = Audited {
                entry: &changed,
                staff_id: None,
            };
            let promoted = StaffRow {
                role: Role::Admin,
                password_hash: "hash-2".into(),
                ..ana.clone()
            };
            // The second project does not exist: the assignment fails.
            let failed = store
                .save_staff(Some(&ana.id), &promoted, &[id("a"), id("nosuch")], audit)
                .await;
            assert!(failed.is_err(), "{url}");
            let kept = store.staff_by_name("ana").await.unwrap().unwrap();
            assert_eq!(
                (kept.role, kept.password_hash.as_str()),
                (Role::Editor, "hash-1"),
                "{url}"
            );
            assert_eq!(
                store.assigned(&ana.id).await.unwrap(),
                vec![id("a")],
                "{url}"
            );
            let bob = StaffRow {
                id: new_staff_id(),
                name: "bob".into(),
                password_hash: "hash-b".into(),
                role: Role::Viewer,
            };
            let added = entry("staff-added");
            let audit = Audited {
                entry: &added,
                staff_id: None,
            };
            assert!(store
                .save_staff(None, &bob, &[id("nosuch")], audit)
                .await
                .is_err());
            assert!(store.staff_by_name("bob").await.unwrap().is_none(), "{url}");
            assert_eq!(audit_rows(&url).await, 0, "{url}: nothing recorded");
            // The same change without the bad project lands whole.
            store
                .save_staff(Some(&ana.id), &promoted, &[], audit)
                .await
                .unwrap();
            let now = store.staff_by_name("ana").await.unwrap().unwrap();
            assert_eq!(
                (now.role, now.password_hash.as_str()),
                (Role::Admin, "hash-2")
            );
            assert!(store.assigned(&ana.id).await.unwrap().is_empty());
            assert_eq!(audit_rows(&url).await, 1, "{url}");
        }
    })
}

#[test]
fn a_project_change_whose_audit_entry_fails_is_not_made() {
    use composition_admin::store::Audited;
    on_runtime(async {
        let databases = test_databases().await;
        let url = databases.sqlite().to_owned();
        let store = Store::open(&url).await.unwrap();
        add(&store, "a", "Alpha", AC_A).await.unwrap();
        raw_sql(
            &url,
            "CREATE TRIGGER audit_down BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'the audit table is full'); END;",
        )
        .await;
        let edited = entry("project-edited");
        let audit = Some(Audited {
            entry: &edited,
            staff_id: None,
        });
        let renamed = store
            .update_project(&id("a"), "Renamed", LoginKind::ApiKey, None, None, audit)
            .await;
        assert!(renamed.is_err());
        assert_eq!(
            store.project(&id("a")).await.unwrap().unwrap().name,
            "Alpha"
        );
        let removed = store.delete_project(&id("a"), audit).await;
        assert!(removed.is_err());
        assert!(
            store.project(&id("a")).await.unwrap().is_some(),
            "not removed"
        );
    })
}
