//! Snapshots of each project's settings and the history of their changes,
//! on SQLite and PostgreSQL: a read like the last adds no history, a change
//! is credited to who the audit trail says or to "outside the console", and
//! a failed read keeps the last state beside its error.

use crate::common::*;
use composition_admin::domain::{ProjectId, SettingsKind};
use composition_admin::store::{SettingsState, Store};

fn encrypted(key: &str) -> SettingsState {
    SettingsState {
        friendly_name: Some("Demo compositions".into()),
        encryption_enabled: true,
        encryption_key_sid: Some(key.into()),
        encryption_key_name: Some("prod-2026".into()),
        ..SettingsState::default()
    }
}

#[test]
fn reads_make_history_only_when_the_state_changes() {
    on_runtime(async {
        for url in test_databases().await {
            let store = Store::open(&url).await.unwrap();
            let project: ProjectId = "acme".parse().unwrap();
            let kind = SettingsKind::Composition;
            let plain = SettingsState {
                friendly_name: Some("Demo compositions".into()),
                ..SettingsState::default()
            };
            assert!(
                store
                    .record_read(&project, kind, 100, Ok(&plain), None)
                    .await
                    .unwrap(),
                "{url}: the first read is a change"
            );
            assert!(
                !store
                    .record_read(&project, kind, 200, Ok(&plain), None)
                    .await
                    .unwrap(),
                "{url}: the same again is not"
            );
            let key = encrypted("CR00000000000000000000000000de0a01");
            assert!(store
                .record_read(&project, kind, 300, Ok(&key), Some("ana"))
                .await
                .unwrap());
            // Switched off again by someone at Twilio's console.
            assert!(store
                .record_read(&project, kind, 400, Ok(&plain), None)
                .await
                .unwrap());
            let history = store.state_history(&project, kind).await.unwrap();
            let seen: Vec<_> = history
                .iter()
                .map(|c| (c.seen_at, c.state.encryption_enabled, c.changed_by.clone()))
                .collect();
            assert_eq!(
                seen,
                [
                    (100, false, None),
                    (300, true, Some("ana".to_owned())),
                    (400, false, None)
                ],
                "{url}"
            );
            assert_eq!(history[1].state, key, "{url}: the key's name is kept");
            // Recording settings are their own history.
            assert!(store
                .state_history(&project, SettingsKind::Recording)
                .await
                .unwrap()
                .is_empty());
            let last = store.snapshot(&project, kind).await.unwrap().unwrap();
            assert_eq!(
                (last.read_at, last.state, last.error),
                (400, Some(plain), None),
                "{url}"
            );
        }
    })
}

#[test]
fn a_failed_read_keeps_the_last_state_beside_its_error() {
    on_runtime(async {
        for url in test_databases().await {
            let store = Store::open(&url).await.unwrap();
            let project: ProjectId = "acme".parse().unwrap();
            let kind = SettingsKind::Recording;
            // A project never read successfully: the error alone.
            store
                .record_read(
                    &project,
                    kind,
                    50,
                    Err("Twilio error 20003: Authenticate"),
                    None,
                )
                .await
                .unwrap();
            let first = store.snapshot(&project, kind).await.unwrap().unwrap();
            assert_eq!(first.state, None, "{url}");
            assert_eq!(
                first.error.as_deref(),
                Some("Twilio error 20003: Authenticate")
            );

            let key = encrypted("CR00000000000000000000000000de0a01");
            store
                .record_read(&project, kind, 100, Ok(&key), None)
                .await
                .unwrap();
            let changed = store
                .record_read(
                    &project,
                    kind,
                    200,
                    Err("Twilio did not answer within 10 seconds"),
                    None,
                )
                .await
                .unwrap();
            assert!(!changed, "{url}: a failed read is no change");
            let last = store.snapshot(&project, kind).await.unwrap().unwrap();
            assert_eq!(last.read_at, 200, "{url}");
            assert_eq!(
                last.state,
                Some(key.clone()),
                "{url}: the last good state stays"
            );
            assert_eq!(
                last.error.as_deref(),
                Some("Twilio did not answer within 10 seconds")
            );
            // The next good read clears the error.
            store
                .record_read(&project, kind, 300, Ok(&key), None)
                .await
                .unwrap();
            let again = store.snapshot(&project, kind).await.unwrap().unwrap();
            assert_eq!((again.read_at, again.error), (300, None), "{url}");
            assert_eq!(
                store.state_history(&project, kind).await.unwrap().len(),
                1,
                "{url}"
            );
        }
    })
}

#[test]
fn page_views_and_saves_leave_snapshots_crediting_who_changed_what() {
    use composition_admin::domain::SettingsInput;
    on_runtime(async {
        let console = start_console().await;
        let store = console.projects.store();
        let project = console.project();
        let kind = SettingsKind::Composition;
        let page = console.html(&console.page("")).await;
        assert!(page.contains("Demo compositions"));
        let first = store.snapshot(&project, kind).await.unwrap().unwrap();
        assert_eq!(
            first.state.unwrap().friendly_name.as_deref(),
            Some("Demo compositions")
        );

        let fields = [
            ("project", PROJECT),
            ("kind", "Composition"),
            ("input[friendly_name]", "Saved by the tester"),
            ("input[encryption_enabled]", "false"),
            ("input[aws_storage_enabled]", "false"),
            ("original[friendly_name]", "Demo compositions"),
            ("original[encryption_enabled]", "false"),
            ("original[aws_storage_enabled]", "false"),
        ];
        let saved = call_as(&console, &console.cookie, "/api/settings/save", &fields).await;
        assert_eq!(saved.status(), 200);

        // Someone renames them at Twilio's own console.
        let update = SettingsInput {
            friendly_name: "Renamed at Twilio".into(),
            ..SettingsInput::default()
        }
        .validate()
        .unwrap();
        let client = console.projects.client(&project).await.unwrap();
        client.update_settings(kind, &update).await.unwrap();
        console.html(&console.page("")).await;
        // Seen again unchanged: no new line.
        console.html(&console.page("")).await;

        let history = store.state_history(&project, kind).await.unwrap();
        let seen: Vec<_> = history
            .iter()
            .map(|c| (c.state.friendly_name.clone().unwrap(), c.changed_by.clone()))
            .collect();
        assert_eq!(
            seen,
            [
                ("Demo compositions".to_owned(), None),
                ("Saved by the tester".to_owned(), Some(ADMIN.to_owned())),
                ("Renamed at Twilio".to_owned(), None),
            ]
        );
        // A project the caller may not see records nothing.
        let refused = call_as(
            &console,
            &console.cookie,
            "/api/settings/fetch",
            &[("project", "no-such-project"), ("kind", "Composition")],
        )
        .await;
        assert_eq!(refused.status(), 404);
        let nobody: ProjectId = "no-such-project".parse().unwrap();
        assert!(store.snapshot(&nobody, kind).await.unwrap().is_none());
    })
}

#[test]
fn removing_a_project_removes_its_snapshots_and_history_only() {
    use composition_admin::domain::LoginKind;
    use composition_admin::store::NewProject;
    on_runtime(async {
        for url in test_databases().await {
            let store = Store::open(&url).await.unwrap();
            let (gone, kept): (ProjectId, ProjectId) =
                ("gone".parse().unwrap(), "kept".parse().unwrap());
            for (project, account) in [
                (&gone, "AC00000000000000000000000000000a01"),
                (&kept, "AC00000000000000000000000000000a02"),
            ] {
                store
                    .insert_project(&NewProject {
                        id: project,
                        name: project.as_str(),
                        account_sid: &account.parse().unwrap(),
                        login: LoginKind::AuthToken,
                        api_key_sid: None,
                        sealed_secret: "v1.unused",
                        key_check: None,
                        audit: None,
                    })
                    .await
                    .unwrap();
                let state = encrypted("CR00000000000000000000000000de0a01");
                store
                    .record_read(project, SettingsKind::Composition, 10, Ok(&state), None)
                    .await
                    .unwrap();
            }
            assert!(store.delete_project(&gone, None).await.unwrap());
            let kind = SettingsKind::Composition;
            assert!(
                store.snapshot(&gone, kind).await.unwrap().is_none(),
                "{url}"
            );
            assert!(
                store.state_history(&gone, kind).await.unwrap().is_empty(),
                "{url}"
            );
            assert!(
                store.snapshot(&kept, kind).await.unwrap().is_some(),
                "{url}"
            );
            assert_eq!(
                store.state_history(&kept, kind).await.unwrap().len(),
                1,
                "{url}"
            );
        }
    })
}
