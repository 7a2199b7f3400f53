//! Importing projects from a file: a preview that stores nothing, names
//! each row's problem as the add form would, and tests each login; then a
//! confirmation storing only the valid rows, all in one transaction.

use crate::common::*;
use composition_admin::domain::project_file::RowCheck;
use composition_admin::domain::Role;
use composition_admin::fake::generated::subaccount_sid;
use composition_admin::fake::seed::DEMO_PARENT as P;
use composition_admin::services::{project_file, Caller, Projects};
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

/// Subaccount `i` of the demo parent, and its own auth token.
fn sub(i: u32) -> (String, String) {
    (
        subaccount_sid(&P, i),
        format!("{:032x}", P.first_sub * 3 + u64::from(i)),
    )
}

async fn count(projects: &Projects) -> usize {
    projects.store().list_projects().await.unwrap().len()
}

#[tokio::test]
async fn a_preview_names_each_problem_and_a_confirmation_stores_the_rest() {
    let fake = start_fake().await;
    let (projects, dir) = projects_for(&fake.base_url(), Duration::from_secs(5)).await;
    let ((s1, t1), (s2, _), (s3, t3), (s4, t4)) = (sub(1), sub(2), sub(3), sub(4));
    let file = format!(
        "\u{feff}name,account_sid,login,api_key_sid,secret\r\n\
         Globex One,{s1},auth_token,,{t1}\r\n\
         Bad,AB123,auth_token,,x\r\n\
         Acme again,{ACCOUNT},auth_token,,{TOKEN}\r\n\
         Globex One twice,{s1},auth_token,,{t1}\r\n\
         Wrong token,{s2},auth_token,,not-the-token\r\n\
         \"Müller, Köln\",{s3},auth_token,,{t3}\r\n\
         \"'=SUM(1)\",{s4},Auth token,,{t4}\r\n\
         No login,{s4},password,,x\r\n"
    );
    let id = projects.preview_file(&admin(), &file).await.unwrap();
    let preview = projects.file_preview(&admin(), &id).await.unwrap();
    let checks: Vec<_> = preview.rows.iter().map(|r| r.check.clone()).collect();
    assert_eq!(checks[0], RowCheck::Valid);
    match &checks[1] {
        RowCheck::Malformed { field, message } => {
            assert_eq!(field, "Account SID");
            assert!(message.contains("AC"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        checks[2],
        RowCheck::Duplicate {
            project: "Acme Video".into()
        }
    );
    assert_eq!(checks[3], RowCheck::DuplicateInFile { line: 1 });
    assert!(
        matches!(&checks[4], RowCheck::LoginFails { message } if message.contains("20003")),
        "{:?}",
        checks[4]
    );
    assert_eq!(checks[5], RowCheck::Valid);
    assert_eq!(preview.rows[5].name, "Müller, Köln");
    assert_eq!(checks[6], RowCheck::Valid);
    assert_eq!(preview.rows[6].name, "=SUM(1)");
    assert!(matches!(&checks[7], RowCheck::Malformed { field, .. } if field == "Login"));
    assert_eq!(preview.valid(), 3);
    assert!(preview.can_confirm);
    // Nothing is stored by the preview, and no secret in clear.
    assert_eq!(count(&projects).await, 1);
    let db = format!("sqlite://{}?mode=rwc", dir.join("console.db").display());
    let text = std::fs::read(dir.join("console.db")).unwrap();
    assert!(
        !String::from_utf8_lossy(&text).contains(&t3),
        "a secret in clear in the database"
    );
    // Another admin neither sees nor confirms it.
    let other = Caller {
        id: "staff-other".parse().unwrap(),
        ..admin()
    };
    assert!(projects.file_preview(&other, &id).await.is_err());
    assert!(projects.confirm_file(&other, &id).await.is_err());
    assert_eq!(projects.confirm_file(&admin(), &id).await.unwrap(), 3);
    assert_eq!(count(&projects).await, 4);
    let rows = projects.store().list_projects().await.unwrap();
    let koeln = rows.iter().find(|r| r.account_sid.as_str() == s3).unwrap();
    assert_eq!(koeln.name, "Müller, Köln");
    assert!(
        koeln.check.as_ref().is_some_and(|c| c.worked),
        "the preview's test is on record"
    );
    projects.check(&koeln.id).await.unwrap();
    // Once: a second confirmation stores nothing more.
    assert!(projects.confirm_file(&admin(), &id).await.is_err());
    assert_eq!(count(&projects).await, 4);
    let after = projects.file_preview(&admin(), &id).await.unwrap();
    assert_eq!(after.stored, Some(3));
    assert!(!after.can_confirm);
    drop(db);
}

#[tokio::test]
async fn a_secret_in_the_wrong_column_is_not_kept_in_the_preview() {
    let fake = start_fake().await;
    let (projects, _dir) = projects_for(&fake.base_url(), Duration::from_secs(5)).await;
    let (s7, t7) = sub(7);
    // The empty key cell forgotten: the token lands in api_key_sid.
    let file = format!("name,account_sid,login,api_key_sid,secret\nShifted,{s7},api_key,{t7}\n");
    let id = projects.preview_file(&admin(), &file).await.unwrap();
    let preview = projects.file_preview(&admin(), &id).await.unwrap();
    assert!(
        matches!(&preview.rows[0].check, RowCheck::Malformed { field, .. } if field == "API key SID"),
        "{:?}",
        preview.rows[0]
    );
    assert_eq!(preview.rows[0].api_key_sid, "");
    let shown = format!("{preview:?}");
    assert!(!shown.contains(&t7), "the token is in the preview: {shown}");
}

#[tokio::test]
async fn a_failure_at_the_confirmation_stores_nothing() {
    let fake = start_fake().await;
    let (projects, dir) = projects_for(&fake.base_url(), Duration::from_secs(5)).await;
    let ((s5, t5), (s6, t6)) = (sub(5), sub(6));
    let file = format!(
        "name,account_sid,login,secret\nFirst,{s5},auth_token,{t5}\nSecond,{s6},auth_token,{t6}\n"
    );
    let id = projects.preview_file(&admin(), &file).await.unwrap();
    // The database refuses the second row, as a full disk would.
    let url = format!("sqlite://{}?mode=rwc", dir.join("console.db").display());
    raw_sql(
        &url,
        "CREATE TRIGGER refuse_second BEFORE INSERT ON projects WHEN NEW.name = 'Second' \
         BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END;",
    )
    .await;
    assert!(projects.confirm_file(&admin(), &id).await.is_err());
    assert_eq!(count(&projects).await, 1, "the first row stayed");
    // The preview can be confirmed again once the database takes it.
    raw_sql(&url, "DROP TRIGGER refuse_second;").await;
    assert_eq!(projects.confirm_file(&admin(), &id).await.unwrap(), 2);
}

#[tokio::test]
async fn an_export_with_its_secrets_filled_in_restores_the_projects() {
    let fake = start_fake().await;
    let (projects, _dir) = projects_for(&fake.base_url(), Duration::from_secs(5)).await;
    let csv = project_file::export(projects.store(), &admin(), false)
        .await
        .unwrap();
    let filled = csv.replacen(
        "\"auth_token\",\"\",\"\"",
        &format!("\"auth_token\",\"\",\"{TOKEN}\""),
        1,
    );
    assert_ne!(filled, csv);
    let (store, _other_dir) = temp_store().await;
    let vault =
        composition_admin::vault::Vault::new(&composition_admin::vault::MasterKey::generate());
    store.set_key_check(&vault.key_check()).await.unwrap();
    let fresh = Projects::new(
        store,
        vault,
        pool_with(&fake.base_url(), Duration::from_secs(5), 2),
    );
    let id = fresh.preview_file(&admin(), &filled).await.unwrap();
    assert_eq!(fresh.confirm_file(&admin(), &id).await.unwrap(), 1);
    let restored = fresh.store().list_projects().await.unwrap();
    assert_eq!(restored[0].name, "Acme Video");
    assert_eq!(restored[0].account_sid.as_str(), ACCOUNT);
    fresh.check(&restored[0].id).await.unwrap();
}

#[tokio::test]
async fn files_that_are_not_projects_are_refused_with_why() {
    let fake = start_fake().await;
    let (projects, _dir) = projects_for(&fake.base_url(), Duration::from_secs(5)).await;
    for (file, says) in [
        ("just some words\n", "neither CSV"),
        ("{\"projects\": \"no\"}", "\"projects\" list"),
        ("", "empty"),
    ] {
        let refused = projects
            .preview_file(&admin(), file)
            .await
            .unwrap_err()
            .to_string();
        assert!(refused.contains(says), "{refused}");
    }
    let big = format!("name,account_sid,login,secret\n{}", "x".repeat(300 * 1024));
    let refused = projects
        .preview_file(&admin(), &big)
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("at most 32 KiB"), "{refused}");
    let editor = Caller {
        role: Role::Editor,
        ..admin()
    };
    assert!(projects
        .preview_file(&editor, "name,account_sid,login,secret\n")
        .await
        .is_err());
    assert_eq!(count(&projects).await, 1);
}
