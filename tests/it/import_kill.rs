//! A console killed (SIGKILL) while it imports a parent's subaccounts,
//! some of whose keys Twilio made but never answered for: what the record
//! says was imported is at Twilio, started again the import shows as
//! interrupted, and importing the rest deletes the keys the killed run
//! left behind, so each subaccount ends with exactly one key: its
//! project's.

use crate::bulk_kill::{free_addr, post, ready, start};
use crate::common::*;
use composition_admin::domain::subaccount::{ImportOutcome, ImportState, ImportView};
use composition_admin::domain::Role;
use composition_admin::fake::generated::subaccount_sid;
use composition_admin::fake::seed::{DEMO_PARENT as P, DEMO_SUBACCOUNTS};
use composition_admin::fake::{Fault, FaultRule};
use composition_admin::store::Store;
use composition_admin::vault::{MasterKey, Vault};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const PASSWORD: &str = "killed importer password";
/// Subaccounts whose key Twilio makes but never answers for.
const HANGING: std::ops::RangeInclusive<u32> = 20..=29;

async fn view(addr: SocketAddr, cookie: &str, id: &str) -> ImportView {
    let answer = post(addr, cookie, "/api/imports/get", &[("id", id)]).await;
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

/// The keys this console named in subaccount `i`, as Twilio lists them.
async fn console_keys(fake: &str, i: u32) -> Vec<String> {
    let parent = client_for(fake, P.sid, P.auth_token);
    let sub = subaccount_sid(&P, i).parse().unwrap();
    parent
        .list_keys(&sub)
        .await
        .unwrap()
        .into_iter()
        .filter(|k| k.friendly_name.starts_with("composition-admin "))
        .map(|k| k.sid.to_string())
        .collect()
}

#[test]
fn a_console_killed_mid_import_leaves_no_key_unaccounted_for() {
    on_runtime(async {
        let fake = start_fake().await;
        let base = fake.base_url();
        let dir = TestDir::new("composition-admin-import-kill");
        let database = format!("sqlite://{}?mode=rwc", dir.join("console.db").display());
        let key = MasterKey::generate();
        let store = Store::open(&database).await.unwrap();
        store
            .set_key_check(&Vault::new(&key).key_check())
            .await
            .unwrap();
        let hash = composition_admin::services::auth::hash_password(PASSWORD.into())
            .await
            .unwrap();
        composition_admin::server::ensure_staff(&store, "ana", Role::Admin, &hash)
            .await
            .unwrap();
        let addr = free_addr();
        let mut console = start(&database, &key, &base, addr, &dir.join("first.log"));
        ready(addr).await;
        let cookie = sign_in(addr, "ana", PASSWORD).await.unwrap();
        let listed = post(
            addr,
            &cookie,
            "/api/imports/discover",
            &[
                ("input[account_sid]", P.sid),
                ("input[login]", "auth_token"),
                ("input[secret]", P.auth_token),
            ],
        )
        .await;
        assert_eq!(listed.status(), 200);
        let id: String = listed.json().await.unwrap();
        let found = view(addr, &cookie, &id).await;
        let chosen: Vec<String> = found
            .items
            .iter()
            .filter(|i| i.found.importable())
            .map(|i| i.found.sid.to_string())
            .collect();
        assert_eq!(chosen.len(), DEMO_SUBACCOUNTS as usize - 3);
        for i in HANGING {
            fake.inject(FaultRule {
                account: None,
                route: Some(format!(
                    "/2010-04-01/Accounts/{}/Keys.json",
                    subaccount_sid(&P, i)
                )),
                method: Some("POST".into()),
                fault: Fault::StoreThenHang,
                times: None,
            });
        }
        let names: Vec<String> = (0..chosen.len()).map(|i| format!("account[{i}]")).collect();
        let mut form: Vec<(&str, &str)> = vec![("id", id.as_str())];
        form.extend(
            names
                .iter()
                .map(String::as_str)
                .zip(chosen.iter().map(String::as_str)),
        );
        assert_eq!(
            post(addr, &cookie, "/api/imports/start", &form)
                .await
                .status(),
            200
        );
        // Every subaccount that answers is in; the hanging ones are not.
        let hanging = HANGING.filter(|i| ![22].contains(i)).count();
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let items = store.import_items(&id).await.unwrap();
            let ended = items.iter().filter(|i| i.outcome.is_some()).count();
            if ended == chosen.len() - hanging {
                break;
            }
            assert!(Instant::now() < until, "the answering ones end: {ended}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        console.kill().unwrap(); // SIGKILL
        console.wait().unwrap();

        // The record against Twilio: every key it names is there, and the
        // only other keys are those of the subaccounts in flight.
        let projects = store.list_projects().await.unwrap();
        let items = store.import_items(&id).await.unwrap();
        for item in items.iter().filter(|i| i.chosen) {
            let i = (0..=DEMO_SUBACCOUNTS)
                .find(|&i| subaccount_sid(&P, i) == item.found.sid.as_str())
                .unwrap();
            let at_twilio = console_keys(&base, i).await;
            match &item.outcome {
                Some(ImportOutcome::Created { project, .. }) => {
                    let row = projects.iter().find(|p| &p.id == project).unwrap();
                    let key = row.api_key_sid.as_ref().unwrap().to_string();
                    assert_eq!(at_twilio, [key], "subaccount {i}");
                }
                None => {
                    assert!(HANGING.contains(&i), "subaccount {i} was in flight");
                    assert_eq!(at_twilio.len(), 1, "subaccount {i}: the key made");
                    assert!(!projects.iter().any(|p| p.account_sid == item.found.sid));
                }
                other => panic!("subaccount {i}: {other:?}"),
            }
        }

        // Started again: interrupted (its heartbeat stopped), then the rest.
        fake.clear_faults();
        let mut console = start(&database, &key, &base, addr, &dir.join("second.log"));
        ready(addr).await;
        let cookie = sign_in(addr, "ana", PASSWORD).await.unwrap();
        let until = Instant::now() + Duration::from_secs(90);
        loop {
            let seen = view(addr, &cookie, &id).await;
            assert_ne!(seen.state, ImportState::Done, "the killed run never ended");
            if seen.state == ImportState::Interrupted {
                assert!(seen.can_import, "the parent's login is still held");
                break;
            }
            assert!(Instant::now() < until, "the import shows as interrupted");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        assert_eq!(
            post(addr, &cookie, "/api/imports/start", &form)
                .await
                .status(),
            200
        );
        let until = Instant::now() + Duration::from_secs(60);
        let done = loop {
            let seen = view(addr, &cookie, &id).await;
            if seen.state == ImportState::Done {
                break seen;
            }
            assert!(Instant::now() < until, "the rest is imported");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let (stored, failed, waiting) = done.counts();
        assert_eq!((stored, failed, waiting), (chosen.len(), 0, 0));
        let projects = store.list_projects().await.unwrap();
        for i in (1..=DEMO_SUBACCOUNTS).filter(|i| ![15, 22, 30].contains(i)) {
            let sid = subaccount_sid(&P, i);
            let row = projects
                .iter()
                .find(|p| p.account_sid.as_str() == sid)
                .unwrap();
            let key = row.api_key_sid.as_ref().unwrap().to_string();
            assert_eq!(
                console_keys(&base, i).await,
                [key],
                "subaccount {i}: one key, its project's"
            );
        }
        let (entries, _) = store
            .audit(
                &composition_admin::domain::audit::AuditFilter {
                    action: Some("credential-deleted".into()),
                    ..Default::default()
                },
                composition_admin::store::AuditScope::Everything,
                0,
                100,
            )
            .await
            .unwrap()
            .unwrap();
        let orphans = entries
            .iter()
            .filter(|e| e.summary.contains("an interrupted import had made it"))
            .count();
        assert_eq!(orphans, hanging, "each left key's deletion is audited");
        console.kill().unwrap();
        console.wait().unwrap();
    })
}
