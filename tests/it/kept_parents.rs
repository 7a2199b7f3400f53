//! A kept parent login, on SQLite and PostgreSQL: kept sealed when the
//! admin ticks it, "Find new subaccounts" lists only those not yet
//! projects, the scheduled check counts them for the fleet page, a master
//! key rotation re-seals it, and forgetting it ends all that. Admins only.

use crate::common::*;
use composition_admin::domain::audit::AuditFilter;
use composition_admin::domain::subaccount::ParentInput;
use composition_admin::domain::{AccountSid, Role};
use composition_admin::fake::generated::subaccount_sid;
use composition_admin::fake::seed::{DEMO_PARENT as P, DEMO_SUBACCOUNTS};
use composition_admin::services::import::ParentLogin;
use composition_admin::services::master_key::{rotate, unlock};
use composition_admin::services::{Caller, Projects};
use composition_admin::store::{AuditScope, Store};
use composition_admin::vault::KeySource;
use std::time::Duration;

fn caller(role: Role) -> Caller {
    Caller {
        id: "staff-admin".parse().unwrap(),
        name: "Ada Admin".into(),
        role,
        projects: Vec::new(),
        password_stamp: String::new(),
    }
}

fn login() -> ParentLogin {
    ParentLogin::new(&ParentInput {
        account_sid: P.sid.into(),
        login: "auth_token".into(),
        api_key_sid: String::new(),
        secret: P.auth_token.into(),
        keep: Some("on".into()),
    })
    .unwrap()
}

fn sub(i: u32) -> AccountSid {
    subaccount_sid(&P, i).parse().unwrap()
}

async fn audited(store: &Store, action: &str) -> Vec<String> {
    let filter = AuditFilter {
        action: Some(action.into()),
        ..AuditFilter::default()
    };
    let (entries, _) = store
        .audit(&filter, AuditScope::Everything, 0, 100)
        .await
        .unwrap()
        .unwrap();
    entries.into_iter().map(|e| e.summary).collect()
}

async fn console(url: &str, source: &KeySource, fake: &str) -> Projects {
    let store = Store::open(url).await.unwrap();
    let vault = unlock(&store, source).await.unwrap();
    Projects::new(store, vault, pool_with(fake, Duration::from_secs(5), 2))
}

#[test]
fn a_kept_parent_login_finds_only_new_subaccounts_until_it_is_forgotten() {
    on_runtime(async {
        let fake = start_fake().await;
        for url in test_databases().await {
            let dir = TestDir::new("kept-parents");
            let source = KeySource::File(dir.join("master.key"));
            let projects = console(&url, &source, &fake.base_url()).await;
            let admin = caller(Role::Admin);

            // Unticked, nothing is kept.
            let mut unticked = ParentInput {
                account_sid: P.sid.into(),
                login: "auth_token".into(),
                api_key_sid: String::new(),
                secret: P.auth_token.into(),
                keep: None,
            };
            projects
                .discover(&admin, &ParentLogin::new(&unticked).unwrap(), false)
                .await
                .unwrap();
            assert!(projects.kept_parents(&admin).await.unwrap().is_empty());
            // Ticked (as the form sends it), the login is kept, sealed.
            unticked.keep = Some("on".into());
            assert!(unticked.keeps());
            projects.discover(&admin, &login(), true).await.unwrap();
            let kept = projects.kept_parents(&admin).await.unwrap();
            assert_eq!(kept.len(), 1, "{url}");
            assert_eq!(kept[0].name, "Globex Holdings", "{url}");
            assert_eq!(kept[0].kept_by, "Ada Admin");
            let active = DEMO_SUBACCOUNTS as i64 - 3;
            assert_eq!(kept[0].new_count, Some(active), "{url}");
            let stored = projects.store().kept_parent(P.sid).await.unwrap().unwrap();
            assert!(
                !stored.sealed_login.contains(P.auth_token),
                "{url}: the token is sealed"
            );
            let said = audited(projects.store(), "parent-login-kept").await;
            assert_eq!(said.len(), 1, "{url}: {said:?}");
            assert!(!said[0].contains(P.auth_token));

            // Three become projects; "find new" lists only the others.
            let done = projects
                .import(&admin, &login(), &[sub(1), sub(2), sub(3)], "test")
                .await
                .unwrap();
            assert!(done.iter().all(|d| d.outcome.stored()), "{done:?}");
            // Counted again at once: the fleet no longer calls them new.
            let kept = projects.kept_parents(&admin).await.unwrap();
            assert_eq!(kept[0].new_count, Some(active - 3), "{url}");
            let parent: AccountSid = P.sid.parse().unwrap();
            let id = projects
                .find_new_subaccounts(&admin, &parent)
                .await
                .unwrap();
            let view = projects.import_view(&admin, &id).await.unwrap();
            assert_eq!(view.items.len(), active as usize - 3, "{url}");
            assert!(view
                .items
                .iter()
                .all(|i| i.found.importable() && i.found.project.is_none()));
            assert!(!view.items.iter().any(|i| i.found.sid == sub(1)));
            assert!(view.can_import, "the kept login imports them");

            // The scheduled check counts them; the fleet tells admins.
            projects
                .import(&admin, &login(), &[sub(4)], "test")
                .await
                .unwrap();
            // Forgotten by hand, so only the schedule can count it again.
            raw_sql(
                &url,
                "UPDATE kept_parents SET checked_at = 1, new_count = 0",
            )
            .await;
            let watch = composition_admin::services::parents::watch(
                projects.clone(),
                Duration::from_secs(1),
            );
            let mut counted = None;
            for _ in 0..100 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                counted = projects.kept_parents(&admin).await.unwrap()[0].new_count;
                if counted == Some(active - 4) {
                    break;
                }
            }
            watch.abort();
            assert_eq!(counted, Some(active - 4), "{url}: the schedule counted");
            let notices = projects.parent_notices(&admin).await;
            assert_eq!(
                notices,
                [format!(
                    "Globex Holdings ({}) has {} active subaccounts that are not yet projects.",
                    P.sid,
                    active - 4
                )],
                "{url}"
            );
            for role in [Role::Editor, Role::Viewer] {
                let other = caller(role);
                assert!(projects.parent_notices(&other).await.is_empty());
                assert!(projects.kept_parents(&other).await.is_err());
                assert!(projects
                    .find_new_subaccounts(&other, &parent)
                    .await
                    .is_err());
                assert!(projects.forget_parent(&other, &parent).await.is_err());
            }

            // A rotated master key re-seals the kept login with the rest.
            let (resealed, _) = rotate(projects.store(), &source, None).await.unwrap();
            assert_eq!(resealed, 5, "{url}: four projects and the parent");
            // A console still on the old key cannot keep a login it sealed.
            let stale = projects
                .discover(&admin, &login(), true)
                .await
                .unwrap_err()
                .to_string();
            assert!(stale.contains("restart"), "{url}: {stale}");
            let rotated = console(&url, &source, &fake.base_url()).await;
            rotated.find_new_subaccounts(&admin, &parent).await.unwrap();

            // Forgotten: nothing kept, nothing found, and it says so.
            rotated.forget_parent(&admin, &parent).await.unwrap();
            assert!(rotated.kept_parents(&admin).await.unwrap().is_empty());
            let gone = rotated
                .find_new_subaccounts(&admin, &parent)
                .await
                .unwrap_err()
                .to_string();
            assert!(gone.contains("No login of parent"), "{gone}");
            assert!(rotated.forget_parent(&admin, &parent).await.is_err());
            assert_eq!(
                audited(rotated.store(), "parent-login-forgotten")
                    .await
                    .len(),
                1,
                "{url}"
            );
            assert!(rotated.parent_notices(&admin).await.is_empty());
        }
    })
}
