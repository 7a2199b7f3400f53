//! Discovery and import of a parent's subaccounts through the console's
//! service, against the fake: each subaccount gets its own key, sealed;
//! failures keep nothing half-done; a second run changes nothing.

use crate::common::*;
use composition_admin::domain::audit::AuditFilter;
use composition_admin::domain::subaccount::{ImportOutcome, ImportState, ParentInput};
use composition_admin::domain::{AccountSid, LoginKind, Role};
use composition_admin::fake::generated::subaccount_sid;
use composition_admin::fake::seed::{DEMO_PARENT as P, DEMO_SUBACCOUNTS};
use composition_admin::fake::{Fault, FaultRule};
use composition_admin::services::import::ParentLogin;
use composition_admin::services::{Caller, Projects};
use composition_admin::store::AuditScope;
use std::time::Duration;

fn admin() -> Caller {
    Caller {
        id: "staff-admin".parse().unwrap(),
        name: "Ada Admin".into(),
        role: Role::Admin,
        projects: Vec::new(),
        password_stamp: String::new(),
    }
}

fn token_login() -> ParentLogin {
    ParentLogin::new(&ParentInput {
        account_sid: P.sid.into(),
        login: "auth_token".into(),
        api_key_sid: String::new(),
        secret: P.auth_token.into(),
        keep: None,
    })
    .unwrap()
}

fn key_login(key: (&str, &str)) -> ParentLogin {
    ParentLogin::new(&ParentInput {
        account_sid: P.sid.into(),
        login: "api_key".into(),
        api_key_sid: key.0.into(),
        secret: key.1.into(),
        keep: None,
    })
    .unwrap()
}

fn sub(i: u32) -> AccountSid {
    subaccount_sid(&P, i).parse().unwrap()
}

async fn actions(projects: &Projects, action: &str) -> Vec<String> {
    let filter = AuditFilter {
        action: Some(action.into()),
        ..AuditFilter::default()
    };
    let (entries, _) = projects
        .store()
        .audit(&filter, AuditScope::Everything, 0, 1000)
        .await
        .unwrap()
        .unwrap();
    entries.into_iter().map(|e| e.summary).collect()
}

#[tokio::test]
async fn discovery_lists_every_subaccount_and_marks_projects() {
    let fake = start_fake().await;
    let (projects, _dir) = projects_for(&fake.base_url(), Duration::from_secs(5)).await;
    let found = projects
        .discover(&admin(), &token_login(), false)
        .await
        .unwrap();
    assert_eq!(found.parent.as_str(), P.sid);
    assert_eq!(
        found.accounts.len(),
        DEMO_SUBACCOUNTS as usize,
        "the parent is left out"
    );
    assert!(found.accounts.iter().all(|a| a.project.is_none()));
    let importable = found.accounts.iter().filter(|a| a.importable()).count();
    assert_eq!(
        importable,
        DEMO_SUBACCOUNTS as usize - 3,
        "two suspended, one closed"
    );
    // Stored as an import to choose from, which only its admin sees.
    let view = projects.import_view(&admin(), &found.id).await.unwrap();
    assert_eq!(view.items.len(), found.accounts.len());
    assert_eq!(view.state, ImportState::Found);
    assert!(view.can_import);
    let other = Caller {
        id: "staff-other".parse().unwrap(),
        ..admin()
    };
    assert!(projects.import_view(&other, &found.id).await.is_err());
    assert!(projects
        .start_import(&other, &found.id, &[sub(1)], "test")
        .await
        .is_err());
    // A Main key discovers as the token does.
    let by_key = projects
        .discover(&admin(), &key_login(P.main_key), false)
        .await
        .unwrap();
    assert_eq!(by_key.accounts.len(), found.accounts.len());
}

#[tokio::test]
async fn wrong_logins_are_explained() {
    let fake = start_fake().await;
    let (projects, _dir) = projects_for(&fake.base_url(), Duration::from_secs(5)).await;
    let standard = projects
        .discover(&admin(), &key_login(P.standard_key), false)
        .await
        .unwrap_err();
    let text = standard.to_string();
    assert!(
        text.contains("Standard API key") && text.contains("Main API key or the auth token"),
        "{text}"
    );
    let wrong = ParentLogin::new(&ParentInput {
        account_sid: P.sid.into(),
        login: "auth_token".into(),
        api_key_sid: String::new(),
        secret: "not-the-token".into(),
        keep: None,
    })
    .unwrap();
    let text = projects
        .discover(&admin(), &wrong, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("20003") && text.contains("check the parent"),
        "{text}"
    );
    // A subaccount's own login is not a parent's.
    let own = ParentLogin::new(&ParentInput {
        account_sid: subaccount_sid(&P, 1),
        login: "auth_token".into(),
        api_key_sid: String::new(),
        secret: format!("{:032x}", P.first_sub * 3 + 1),
        keep: None,
    })
    .unwrap();
    let text = projects
        .discover(&admin(), &own, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(text.contains("is a subaccount"), "{text}");
    // A form with nothing right names each field.
    let bad = ParentLogin::new(&ParentInput {
        account_sid: "AB12".into(),
        login: "api_key".into(),
        api_key_sid: "nope".into(),
        secret: " ".into(),
        keep: None,
    })
    .err()
    .unwrap()
    .to_string();
    assert!(bad.contains("account SID") || bad.contains("AC"), "{bad}");
    // Only admins discover.
    let editor = Caller {
        role: Role::Editor,
        ..admin()
    };
    let before = fake.state.requests().len();
    assert!(projects
        .discover(&editor, &token_login(), false)
        .await
        .is_err());
    assert!(projects
        .import(&editor, &token_login(), &[sub(1)], "test")
        .await
        .is_err());
    assert_eq!(
        fake.state.requests().len(),
        before,
        "a refused caller reached Twilio"
    );
}

#[tokio::test]
async fn import_makes_a_key_per_subaccount_and_a_second_run_changes_nothing() {
    let fake = start_fake().await;
    let (projects, _dir) = projects_for(&fake.base_url(), Duration::from_secs(5)).await;
    let chosen: Vec<_> = (1..=6).map(sub).chain([sub(15)]).collect();
    // One subaccount's key creation fails at Twilio.
    fake.inject(FaultRule {
        account: Some(P.sid.into()),
        route: Some(format!("/2010-04-01/Accounts/{}/Keys.json", sub(2))),
        method: Some("POST".into()),
        fault: Fault::Status {
            status: 500,
            retry_after: None,
        },
        times: None,
    });
    let done = projects
        .import(&admin(), &token_login(), &chosen, "test")
        .await
        .unwrap();
    assert_eq!(done.len(), 7);
    assert_eq!(
        done.iter().map(|d| d.sid.clone()).collect::<Vec<_>>(),
        chosen,
        "the order chosen"
    );
    let created = done
        .iter()
        .filter(|d| {
            matches!(
                d.outcome,
                ImportOutcome::Created {
                    login_works: true,
                    ..
                }
            )
        })
        .count();
    assert_eq!(created, 5, "{done:?}");
    match &done[1].outcome {
        ImportOutcome::Failed { message } => assert!(message.contains("20500"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(done[6].outcome, ImportOutcome::NotImportable { .. }),
        "suspended"
    );
    // Each project logs in with its own key, named for the console.
    let rows = projects.store().list_projects().await.unwrap();
    let imported: Vec<_> = rows
        .iter()
        .filter(|r| r.account_sid != ACCOUNT.parse::<AccountSid>().unwrap())
        .collect();
    assert_eq!(imported.len(), 5);
    for row in &imported {
        assert_eq!(row.login, LoginKind::ApiKey);
        assert!(row.name.starts_with("Globex "), "{}", row.name);
        assert!(!row.sealed_secret.contains(P.auth_token));
        projects.check(&row.id).await.unwrap();
    }
    let parent = client_for(&fake.base_url(), P.sid, P.auth_token);
    let keys = parent.list_keys(&sub(1)).await.unwrap();
    assert_eq!(keys.len(), 1);
    assert!(
        keys[0]
            .friendly_name
            .starts_with("composition-admin test 20"),
        "{}",
        keys[0].friendly_name
    );
    assert!(parent.list_keys(&sub(2)).await.unwrap().is_empty());
    // Audit: a project entry each, the key attempts, and one for the import.
    assert_eq!(actions(&projects, "project-added").await.len(), 5);
    let whole = actions(&projects, "projects-imported").await;
    assert_eq!(
        whole,
        [format!("5 of 7 subaccounts imported from parent {}", P.sid)]
    );
    // Again, with Twilio well: the five are already projects, the failed one is made.
    fake.clear_faults();
    let again = projects
        .import(&admin(), &token_login(), &chosen, "test")
        .await
        .unwrap();
    let already = again
        .iter()
        .filter(|d| matches!(d.outcome, ImportOutcome::AlreadyProject { .. }))
        .count();
    assert_eq!(already, 5);
    assert!(
        matches!(again[1].outcome, ImportOutcome::Created { .. }),
        "{:?}",
        again[1]
    );
    assert_eq!(
        parent.list_keys(&sub(1)).await.unwrap().len(),
        1,
        "no second key"
    );
}

#[tokio::test]
async fn a_key_that_cannot_be_stored_is_deleted_again() {
    let fake = start_fake().await;
    let (projects, dir) = projects_for(&fake.base_url(), Duration::from_secs(5)).await;
    // The database refuses the project's row, as a full disk would.
    let url = format!("sqlite://{}?mode=rwc", dir.join("console.db").display());
    raw_sql(
        &url,
        "CREATE TRIGGER refuse_projects BEFORE INSERT ON projects \
         BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END;",
    )
    .await;
    let done = projects
        .import(&admin(), &token_login(), &[sub(7)], "test")
        .await
        .unwrap();
    match &done[0].outcome {
        ImportOutcome::Failed { message } => {
            assert!(message.contains("deleted again"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    let parent = client_for(&fake.base_url(), P.sid, P.auth_token);
    assert!(
        parent.list_keys(&sub(7)).await.unwrap().is_empty(),
        "the key was left at Twilio"
    );
    assert_eq!(projects.store().list_projects().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_lost_answer_leaves_no_key_behind() {
    let fake = start_fake().await;
    let (projects, _dir) = projects_for(&fake.base_url(), Duration::from_secs(5)).await;
    fake.inject(FaultRule {
        account: Some(P.sid.into()),
        route: Some(format!("/2010-04-01/Accounts/{}/Keys.json", sub(8))),
        method: Some("POST".into()),
        fault: Fault::StoreThenDrop,
        times: Some(1),
    });
    let done = projects
        .import(&admin(), &token_login(), &[sub(8)], "test")
        .await
        .unwrap();
    match &done[0].outcome {
        ImportOutcome::Failed { message } => {
            assert!(message.contains("importing again is safe"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    let parent = client_for(&fake.base_url(), P.sid, P.auth_token);
    assert!(parent.list_keys(&sub(8)).await.unwrap().is_empty());
    // What the form claims is checked against Twilio's list.
    let stranger: AccountSid = ACCOUNT.parse().unwrap();
    let done = projects
        .import(&admin(), &token_login(), &[stranger], "test")
        .await
        .unwrap();
    assert!(
        matches!(&done[0].outcome, ImportOutcome::Failed { message } if message.contains("not a subaccount"))
    );
}

#[tokio::test]
async fn a_stored_import_runs_in_the_background_and_keeps_each_outcome() {
    let fake = start_fake().await;
    let (projects, _dir) = projects_for(&fake.base_url(), Duration::from_secs(5)).await;
    let found = projects
        .discover(&admin(), &token_login(), false)
        .await
        .unwrap();
    projects
        .start_import(&admin(), &found.id, &[sub(9), sub(10), sub(11)], "test")
        .await
        .unwrap();
    let mut view = projects.import_view(&admin(), &found.id).await.unwrap();
    for _ in 0..100 {
        if view.state == ImportState::Done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        view = projects.import_view(&admin(), &found.id).await.unwrap();
    }
    assert_eq!(view.state, ImportState::Done);
    assert_eq!(view.counts(), (3, 0, 0));
    assert_eq!(view.items.iter().filter(|i| i.chosen).count(), 3);
    // Every chosen one is in: the parent's login is dropped at once.
    assert!(!view.can_import);
    let again = projects
        .start_import(&admin(), &found.id, &[sub(12)], "test")
        .await;
    assert!(again.unwrap_err().to_string().contains("no longer held"));
    assert_eq!(projects.store().list_projects().await.unwrap().len(), 4);
}

async fn wait_done(
    projects: &Projects,
    id: &str,
) -> composition_admin::domain::subaccount::ImportView {
    for _ in 0..200 {
        let view = projects.import_view(&admin(), id).await.unwrap();
        if view.state == ImportState::Done {
            return view;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the import did not end");
}

#[tokio::test]
async fn twilio_failing_half_way_keeps_the_outcomes_and_a_second_run_picks_up_the_rest() {
    let fake = start_fake().await;
    let (projects, _dir) = projects_for(&fake.base_url(), Duration::from_secs(5)).await;
    let found = projects
        .discover(&admin(), &token_login(), false)
        .await
        .unwrap();
    for i in 5..=8 {
        fake.inject(FaultRule {
            account: None,
            route: Some(format!("/2010-04-01/Accounts/{}/Keys.json", sub(i))),
            method: Some("POST".into()),
            fault: Fault::Status {
                status: 500,
                retry_after: None,
            },
            times: None,
        });
    }
    let chosen: Vec<AccountSid> = (1..=8).map(sub).collect();
    projects
        .start_import(&admin(), &found.id, &chosen, "test")
        .await
        .unwrap();
    let first = wait_done(&projects, &found.id).await;
    assert_eq!(first.counts(), (4, 4, 0), "the outcomes so far are kept");
    assert!(first.can_import, "the login is kept for the rest");
    let failed = first.items.iter().find(|i| i.found.sid == sub(5)).unwrap();
    assert!(
        matches!(&failed.outcome, Some(ImportOutcome::Failed { message }) if message.contains("20500")),
        "{:?}",
        failed.outcome
    );
    assert_eq!(projects.store().list_projects().await.unwrap().len(), 5);

    // Twilio is back: the same choice imports the failed ones, only them.
    fake.clear_faults();
    projects
        .start_import(&admin(), &found.id, &chosen, "test")
        .await
        .unwrap();
    let second = wait_done(&projects, &found.id).await;
    assert_eq!(second.counts(), (8, 0, 0));
    assert_eq!(projects.store().list_projects().await.unwrap().len(), 9);
    assert_eq!(
        actions(&projects, "project-added").await.len(),
        8,
        "each once"
    );
}

#[tokio::test]
async fn a_parent_without_subaccounts_lists_none() {
    use composition_admin::fake::generated::{parent_seed, Parent};
    let lonely = Parent {
        sid: "AC0000000000000000000000000000c001",
        auth_token: "lonely-parent-token",
        name: "Lonely Corp",
        main_key: ("SK0000000000000000000000000000c001", "main-secret"),
        standard_key: ("SK0000000000000000000000000000c002", "standard-secret"),
        first_sub: 0xc000_0000,
    };
    let seed = composition_admin::fake::Seed {
        accounts: parent_seed(&lonely, 0),
    };
    let fake = composition_admin::fake::spawn(([127, 0, 0, 1], 0).into(), &seed)
        .await
        .unwrap();
    let (projects, _dir) = projects_for(&fake.base_url(), Duration::from_secs(5)).await;
    let login = ParentLogin::new(&ParentInput {
        account_sid: lonely.sid.into(),
        login: "auth_token".into(),
        api_key_sid: String::new(),
        secret: lonely.auth_token.into(),
        keep: None,
    })
    .unwrap();
    let found = projects.discover(&admin(), &login, false).await.unwrap();
    assert!(found.accounts.is_empty());
    let view = projects.import_view(&admin(), &found.id).await.unwrap();
    assert_eq!(view.state, ImportState::Found);
    assert!(view.items.is_empty());
    let refused = projects
        .start_import(&admin(), &found.id, &[], "test")
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("none chosen"), "{refused}");
}
