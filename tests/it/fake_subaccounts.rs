//! The fake's 2010-04-01 Accounts and Keys resources: paging, filters, the
//! parent's reach into its subaccounts, Standard keys refused, and the v1
//! hosts acting on the account of the Basic credentials alone.

use crate::common::*;
use composition_admin::domain::{AccountStatus, SettingsKind};
use composition_admin::fake::generated::{parent_seed, subaccount_sid, Parent};
use composition_admin::fake::seed::{DEMO_PARENT, DEMO_SUBACCOUNTS};
use composition_admin::fake::{self, Seed};
use composition_admin::twilio::TwilioError;
use reqwest::StatusCode;
use serde_json::Value;

const P: Parent<'static> = DEMO_PARENT;

async fn get(fake: &fake::RunningFake, user: &str, pass: &str, path: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", fake.base_url()))
        .basic_auth(user, Some(pass))
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn code(e: &TwilioError) -> Option<u32> {
    match e {
        TwilioError::Api { code, .. } => *code,
        _ => None,
    }
}

#[tokio::test]
async fn the_list_pages_with_relative_uris_and_filters() {
    let fake = start_fake().await;
    let (status, page) = get(
        &fake,
        P.sid,
        P.auth_token,
        "/2010-04-01/Accounts.json?PageSize=7",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let accounts = page["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 7);
    // The parent lists itself first, as its own owner.
    assert_eq!(accounts[0]["sid"], P.sid);
    assert_eq!(accounts[0]["owner_account_sid"], P.sid);
    assert_eq!(accounts[1]["owner_account_sid"], P.sid);
    assert_eq!(
        accounts[1]["uri"],
        format!("/2010-04-01/Accounts/{}.json", subaccount_sid(&P, 1))
    );
    assert!(
        accounts[1]["date_created"]
            .as_str()
            .unwrap()
            .ends_with("+0000"),
        "{}",
        accounts[1]["date_created"]
    );
    assert_eq!(page["page"], 0);
    assert_eq!(page["page_size"], 7);
    assert_eq!(page["start"], 0);
    assert_eq!(page["end"], 6);
    assert_eq!(page["previous_page_uri"], Value::Null);
    let next = page["next_page_uri"].as_str().unwrap();
    assert!(
        next.starts_with("/2010-04-01/Accounts.json?PageSize=7&Page=1&PageToken=PA7"),
        "{next}"
    );
    // Following the links reaches every account once, then stops.
    let mut seen = accounts.len();
    let mut next = next.to_owned();
    loop {
        let (_, page) = get(&fake, P.sid, P.auth_token, &next).await;
        seen += page["accounts"].as_array().unwrap().len();
        match page["next_page_uri"].as_str() {
            Some(link) => next = link.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, 1 + DEMO_SUBACCOUNTS as usize);
    // Filters: exact name, and status, carried in the links.
    let (_, named) = get(
        &fake,
        P.sid,
        P.auth_token,
        "/2010-04-01/Accounts.json?FriendlyName=Globex%20Lisbon",
    )
    .await;
    assert_eq!(named["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(named["accounts"][0]["friendly_name"], "Globex Lisbon");
    assert!(
        named["uri"]
            .as_str()
            .unwrap()
            .contains("FriendlyName=Globex+Lisbon"),
        "{}",
        named["uri"]
    );
    let (_, suspended) = get(
        &fake,
        P.sid,
        P.auth_token,
        "/2010-04-01/Accounts.json?Status=suspended",
    )
    .await;
    let suspended = suspended["accounts"].as_array().unwrap();
    assert_eq!(suspended.len(), 2);
    assert!(suspended.iter().all(|a| a["status"] == "suspended"));
    let (status, bad) = get(
        &fake,
        P.sid,
        P.auth_token,
        "/2010-04-01/Accounts.json?Status=asleep",
    )
    .await;
    assert_eq!(
        (status, bad["code"].as_u64()),
        (StatusCode::BAD_REQUEST, Some(20001))
    );
    let (status, _) = get(
        &fake,
        P.sid,
        P.auth_token,
        "/2010-04-01/Accounts.json?PageSize=1001",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_thousand_subaccounts_come_back_over_pages() {
    let parent = Parent {
        sid: "AC0000000000000000000000000000b001",
        auth_token: "big-parent-token",
        name: "Initech Group",
        main_key: ("SK0000000000000000000000000000b001", "main-secret"),
        standard_key: ("SK0000000000000000000000000000b002", "standard-secret"),
        first_sub: 0xb000_0000,
    };
    let seed = Seed {
        accounts: parent_seed(&parent, 1000),
    };
    let fake = fake::spawn(([127, 0, 0, 1], 0).into(), &seed)
        .await
        .unwrap();
    let client = client_for(&fake.base_url(), parent.sid, parent.auth_token);
    let all = client.list_accounts_paged(150).await.unwrap();
    assert_eq!(all.len(), 1001);
    assert_eq!(all.iter().filter(|a| a.is_main()).count(), 1);
    let pages = fake
        .state
        .requests()
        .iter()
        .filter(|r| r.path == "/2010-04-01/Accounts.json")
        .count();
    assert_eq!(pages, 7, "1,001 accounts in pages of 150");
    // The Main key lists as the token does.
    let by_key = client_for(&fake.base_url(), parent.main_key.0, parent.main_key.1);
    assert_eq!(by_key.list_accounts().await.unwrap().len(), 1001);
}

#[tokio::test]
async fn a_standard_key_may_not_list_or_make_keys() {
    let fake = start_fake().await;
    let standard = client_without_retries(&fake.base_url(), P.standard_key.0, P.standard_key.1);
    let refused = standard.list_accounts().await.unwrap_err();
    assert_eq!(code(&refused), Some(20003), "{refused}");
    let sub = subaccount_sid(&P, 1).parse().unwrap();
    let refused = standard.create_key(&sub, "nope").await.unwrap_err();
    assert_eq!(code(&refused), Some(20003), "{refused}");
    // Yet it reads the parent's own v1 resources.
    let settings = standard
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap();
    assert_eq!(settings.account_sid.unwrap().as_str(), P.sid);
}

#[tokio::test]
async fn the_parent_reaches_its_subaccounts_and_no_one_elses() {
    let fake = start_fake().await;
    let parent = client_without_retries(&fake.base_url(), P.sid, P.auth_token);
    let sub_sid = subaccount_sid(&P, 3);
    let sub = sub_sid.parse().unwrap();
    let fetched = parent.fetch_account(&sub).await.unwrap();
    assert_eq!(fetched.owner_account_sid.as_str(), P.sid);
    assert_eq!(fetched.status, AccountStatus::Active);
    // Another parent's account, and the parent's own creds on a stranger.
    let stranger = ACCOUNT.parse().unwrap();
    let missing = parent.fetch_account(&stranger).await.unwrap_err();
    assert_eq!(code(&missing), Some(20404), "{missing}");
    assert_eq!(
        code(&parent.create_key(&stranger, "x").await.unwrap_err()),
        Some(20404)
    );
    // A subaccount sees itself, not its parent or its siblings.
    let (status, _) = get(
        &fake,
        &sub_sid,
        &format!("{:032x}", P.first_sub * 3 + 3),
        &format!("/2010-04-01/Accounts/{}.json", P.sid),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_key_made_by_the_parent_logs_in_to_the_subaccount_only() {
    let fake = start_fake().await;
    let parent = client_without_retries(&fake.base_url(), P.sid, P.auth_token);
    let sub = subaccount_sid(&P, 4).parse().unwrap();
    let key = parent
        .create_key(&sub, "composition-admin test")
        .await
        .unwrap();
    assert!(key.sid.as_str().starts_with("SK"));
    let listed = parent.list_keys(&sub).await.unwrap();
    assert!(listed
        .iter()
        .any(|k| k.sid == key.sid && k.friendly_name == "composition-admin test"));
    // The key acts on the subaccount's v1 resources; the parent's own login
    // there acts on the parent.
    let as_key = client_without_retries(
        &fake.base_url(),
        key.sid.as_str(),
        secrecy::ExposeSecret::expose_secret(&key.secret),
    );
    let settings = as_key
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap();
    assert_eq!(settings.account_sid, Some(sub.clone()));
    let parents = parent
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap();
    assert_eq!(parents.account_sid.unwrap().as_str(), P.sid);
    // A Standard key may not list accounts, even its own account's.
    assert_eq!(
        code(&as_key.list_accounts().await.unwrap_err()),
        Some(20003)
    );
    // Deleted, it logs in no more; deleting again is a 404.
    parent.delete_key(&sub, &key.sid).await.unwrap();
    let gone = as_key
        .fetch_settings(SettingsKind::Composition)
        .await
        .unwrap_err();
    assert_eq!(code(&gone), Some(20003));
    assert_eq!(
        code(&parent.delete_key(&sub, &key.sid).await.unwrap_err()),
        Some(20404)
    );
    // A closed subaccount gets no key.
    let closed = subaccount_sid(&P, 22).parse().unwrap();
    assert_eq!(
        code(&parent.create_key(&closed, "x").await.unwrap_err()),
        Some(20005)
    );
}
