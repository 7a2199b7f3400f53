//! Bulk changes through the console (issue 24): a dry run from snapshots
//! alone that says per project what changes and what cannot; applying it
//! with one confirmation, each project through the editor's save (a
//! project changed since the dry run is skipped with its new value), one
//! audit entry per project naming the job; the same change again changes
//! nothing; editors are held to their projects; a job whose console
//! stopped is shown as interrupted and resumed with a fresh dry run.

use crate::common::*;
use composition_admin::domain::bulk::{BulkJob, ItemState, JobStage};
use composition_admin::domain::{Role, SettingsInput, SettingsKind};
use composition_admin::fake::generated;
use std::time::Duration;

async fn console_with(n: u32) -> Console {
    console_over_seed(&generated::demo_seed(n), n).await
}

/// A template wanting encryption with the newest key whose name starts
/// with `key-` (each generated account has one; the demo account none).
async fn key_template(console: &Console) -> String {
    let saved = call_as(
        console,
        &console.cookie,
        "/api/templates/save",
        &[
            ("input[name]", "Encrypted with key-"),
            ("input[kind]", "composition"),
            ("input[encryption]", "on"),
            ("input[key_match]", "prefix"),
            ("input[key_name]", "key-"),
            ("input[storage]", "unmanaged"),
        ],
    )
    .await;
    assert_eq!(saved.status(), 200);
    let list: composition_admin::domain::template_view::TemplatesView =
        call_as(console, &console.cookie, "/api/templates/list", &[])
            .await
            .json()
            .await
            .unwrap();
    list.templates[0].id.clone()
}

async fn plan(console: &Console, cookie: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    call_as(console, cookie, "/api/bulk/plan", fields).await
}

async fn job(console: &Console, cookie: &str, id: &str) -> BulkJob {
    let answer = call_as(console, cookie, "/api/bulk/job", &[("id", id)]).await;
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

fn state_of(job: &BulkJob, project: &str) -> ItemState {
    job.items
        .iter()
        .find(|i| i.project_id == project)
        .unwrap_or_else(|| panic!("{project} is in the job"))
        .state
}

async fn until_done(console: &Console, id: &str) -> BulkJob {
    for _ in 0..200 {
        let found = job(console, &console.cookie, id).await;
        if found.stage == JobStage::Done {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the bulk change did not end");
}

#[test]
fn a_dry_run_plans_from_snapshots_and_applying_it_changes_each_project_once() {
    on_runtime(async {
        // One account lacks Enterprise and Security Edition: no encryption.
        let mut seed = generated::demo_seed(16);
        for account in &mut seed.accounts {
            if account.sid.as_str() == "AC000000000000000000000000f0000008" {
                account.encryption_available = false;
            }
        }
        let console = console_over_seed(&seed, 16).await;
        refresh_everything(&console).await;
        let template = key_template(&console).await;
        let before = console.fake.state.requests().len();
        let planned = plan(
            &console,
            &console.cookie,
            &[
                ("plan[template]", &template),
                ("plan[every]", "true"),
                ("plan[view]", ""),
                ("plan[follow]", "true"),
            ],
        )
        .await;
        assert_eq!(planned.status(), 200);
        let id: String = planned.json().await.unwrap();
        assert_eq!(
            console.fake.state.requests().len(),
            before,
            "a dry run calls no Twilio"
        );
        let dry = job(&console, &console.cookie, &id).await;
        assert_eq!(dry.stage, JobStage::DryRun);
        assert_eq!(dry.items.len(), 17);
        // Plain generated accounts change; encrypted ones are as wanted;
        // the demo account has no key-… and a wrong token cannot be read.
        for plain in [
            "gen-0003", "gen-0007", "gen-0008", "gen-0011", "gen-0015", "gen-0016",
        ] {
            assert_eq!(state_of(&dry, plain), ItemState::Planned, "{plain}");
        }
        assert_eq!(state_of(&dry, "gen-0001"), ItemState::AsWanted);
        let acme = dry.items.iter().find(|i| i.project_id == PROJECT).unwrap();
        assert_eq!(acme.state, ItemState::Cannot);
        assert!(format!("{:?}", acme.plan).contains("no public key whose name starts with key-"));
        let wrong = dry
            .items
            .iter()
            .find(|i| i.project_id == "gen-0005")
            .unwrap();
        assert!(
            format!("{:?}", wrong.plan).contains("20003"),
            "{:?}",
            wrong.plan
        );
        assert!(
            dry.risks[0].starts_with("For 6 projects: Encryption"),
            "{:?}",
            dry.risks
        );

        // Following the template starts with the confirmed change.
        let store = console.projects.store();
        let gen7: composition_admin::domain::ProjectId = "gen-0007".parse().unwrap();
        let follows = || store.assigned_template(&gen7, SettingsKind::Composition);
        assert!(
            follows().await.unwrap().is_none(),
            "a dry run writes nothing"
        );

        // Someone changes one of them at Twilio after the dry run.
        let outside = client_for(
            &console.fake.base_url(),
            "AC000000000000000000000000f0000003",
            &format!("{:032x}", 0xc000_0003u64),
        );
        let held = outside
            .fetch_settings(SettingsKind::Composition)
            .await
            .unwrap();
        let mut changed = SettingsInput::from(&held);
        changed.friendly_name = "Renamed outside".into();
        outside
            .update_settings(SettingsKind::Composition, &changed.validate().unwrap())
            .await
            .unwrap();

        // One ticked confirmation for the batch.
        let unconfirmed =
            call_as(&console, &console.cookie, "/api/bulk/apply", &[("id", &id)]).await;
        assert_eq!(unconfirmed.status(), 428);
        assert!(unconfirmed.text().await.unwrap().contains("For 6 projects"));
        let applied = call_as(
            &console,
            &console.cookie,
            "/api/bulk/apply",
            &[("id", &id), ("confirm", "true")],
        )
        .await;
        assert_eq!(applied.status(), 200, "{}", applied.text().await.unwrap());
        let again = call_as(
            &console,
            &console.cookie,
            "/api/bulk/apply",
            &[("id", &id), ("confirm", "true")],
        )
        .await;
        assert_eq!(again.status(), 400, "a second press applies nothing");
        let done = until_done(&console, &id).await;
        assert_eq!(done.count(ItemState::Changed), 4, "{}", done.summary());
        assert_eq!(follows().await.unwrap().unwrap().id, template);
        let lacking = done
            .items
            .iter()
            .find(|i| i.project_id == "gen-0008")
            .unwrap();
        assert_eq!(lacking.state, ItemState::Failed);
        let why = lacking.message.as_deref().unwrap();
        assert!(
            why.contains("20403") && why.contains("Enterprise Edition"),
            "{why}"
        );
        let skipped = done
            .items
            .iter()
            .find(|i| i.project_id == "gen-0003")
            .unwrap();
        assert_eq!(skipped.state, ItemState::Skipped);
        assert!(skipped
            .message
            .as_deref()
            .unwrap()
            .contains("Twilio now holds"));

        // What Twilio holds, and one audit entry per project changed.
        for project in ["gen-0007", "gen-0011", "gen-0015", "gen-0016"] {
            let snapshot = store
                .snapshot(&project.parse().unwrap(), SettingsKind::Composition)
                .await
                .unwrap()
                .unwrap();
            assert!(snapshot.state.unwrap().encryption_enabled, "{project}");
        }
        let filter = composition_admin::domain::audit::AuditFilter {
            action: Some("settings-saved".into()),
            ..Default::default()
        };
        let (entries, _) = store
            .audit(
                &filter,
                composition_admin::store::AuditScope::Everything,
                0,
                50,
            )
            .await
            .unwrap()
            .unwrap();
        let of_job: Vec<_> = entries
            .iter()
            .filter(|e| e.summary.contains(&format!("bulk change {id}")))
            .collect();
        // Four changed with before and after; the refused one says so.
        assert_eq!(of_job.len(), 5);
        let changed = of_job
            .iter()
            .filter(|e| e.before.is_some() && e.after.is_some());
        assert_eq!(changed.count(), 4);
        assert!(of_job.iter().any(|e| e.summary.contains("20403")));

        // The same change again changes nothing.
        let second: String = plan(
            &console,
            &console.cookie,
            &[
                ("plan[template]", &template),
                ("plan[every]", "true"),
                ("plan[view]", ""),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
        let second = job(&console, &console.cookie, &second).await;
        for project in ["gen-0007", "gen-0011", "gen-0015", "gen-0016"] {
            assert_eq!(state_of(&second, project), ItemState::AsWanted, "{project}");
        }
        assert_eq!(
            state_of(&second, "gen-0008"),
            ItemState::Planned,
            "still to do"
        );
    })
}

#[test]
fn editors_change_only_their_projects_and_viewers_none() {
    on_runtime(async {
        let console = console_with(2).await;
        refresh_everything(&console).await;
        let editor = staff(&console, "eddie", Role::Editor, &[PROJECT]).await;
        let viewer = staff(&console, "vera", Role::Viewer, &[PROJECT, "gen-0001"]).await;
        let off = [
            ("plan[kind]", "composition"),
            ("plan[change]", "encryption-off"),
        ];
        let both = [
            off[0],
            off[1],
            ("plan[ids][0]", PROJECT),
            ("plan[ids][1]", "gen-0001"),
        ];
        let refused = plan(&console, &editor, &both).await;
        assert_eq!(refused.status(), 403);
        assert!(refused.text().await.unwrap().contains("gen-0001"));
        assert_eq!(plan(&console, &viewer, &both).await.status(), 403);
        assert!(console
            .projects
            .store()
            .recent_bulk_jobs(10)
            .await
            .unwrap()
            .is_empty());
        // Following a template is for admins, refused before anything.
        let follow = [
            off[0],
            off[1],
            ("plan[ids][0]", PROJECT),
            ("plan[follow]", "true"),
        ];
        assert_eq!(plan(&console, &editor, &follow).await.status(), 403);

        let own = plan(
            &console,
            &editor,
            &[off[0], off[1], ("plan[ids][0]", PROJECT)],
        )
        .await;
        assert_eq!(own.status(), 200);
        let id: String = own.json().await.unwrap();
        let seen = job(&console, &viewer, &id).await;
        assert!(!seen.can_apply);
        let applied = call_as(
            &console,
            &viewer,
            "/api/bulk/apply",
            &[("id", &id), ("confirm", "true")],
        )
        .await;
        assert_eq!(applied.status(), 403);
        // A bad change is a plain message.
        let bad = plan(
            &console,
            &editor,
            &[
                ("plan[kind]", "composition"),
                ("plan[change]", "x"),
                ("plan[ids][0]", PROJECT),
            ],
        )
        .await;
        assert_eq!(bad.status(), 400);
        let none = plan(&console, &editor, &[off[0], off[1]]).await;
        assert_eq!(none.status(), 400);
        assert!(none.text().await.unwrap().contains("at least one project"));
    })
}

#[test]
fn a_job_whose_console_stopped_is_interrupted_and_resumed_with_a_fresh_dry_run() {
    on_runtime(async {
        let console = console_with(8).await;
        refresh_everything(&console).await;
        let store = console.projects.store();
        let template = key_template(&console).await;
        let id: String = plan(
            &console,
            &console.cookie,
            &[
                ("plan[template]", &template),
                ("plan[every]", "true"),
                ("plan[view]", ""),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
        // An instance takes the job and is killed after sending one
        // project's write: its lease is in the past.
        let now = composition_admin::store::now();
        assert!(store
            .start_bulk_apply(&id, ("tester", None), "killed", now - 60, now - 30)
            .await
            .unwrap());
        assert!(store
            .move_bulk_item(
                &id,
                "gen-0003",
                ItemState::Queued,
                ItemState::Running,
                None,
                now
            )
            .await
            .unwrap());
        let interrupted = job(&console, &console.cookie, &id).await;
        assert_eq!(interrupted.stage, JobStage::Interrupted);
        assert_eq!(state_of(&interrupted, "gen-0003"), ItemState::InFlight);
        assert_eq!(state_of(&interrupted, "gen-0007"), ItemState::NotApplied);
        assert_eq!(state_of(&interrupted, "gen-0001"), ItemState::AsWanted);

        let resumed = call_as(
            &console,
            &console.cookie,
            "/api/bulk/resume",
            &[("id", &id)],
        )
        .await;
        assert_eq!(resumed.status(), 200);
        let fresh: String = resumed.json().await.unwrap();
        let fresh = job(&console, &console.cookie, &fresh).await;
        let mut named: Vec<&str> = fresh.items.iter().map(|i| i.project_id.as_str()).collect();
        named.sort();
        assert_eq!(
            named,
            ["gen-0003", "gen-0007", "gen-0008"],
            "only what was left"
        );
        assert_eq!(fresh.stage, JobStage::DryRun);
    })
}
