//! The fake's Accounts credentials API and its account separation, over HTTP.

use crate::common::*;
use composition_admin::fake::{self, Seed};
use reqwest::StatusCode;
use serde_json::Value;

const OTHER: &str = "AC11111111111111111111111111111111";
const OTHER_KEY: &str = "SK22222222222222222222222222222222";
const AWS_SECRET: &str = "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const PEM: &str = include_str!("../../src/domain/testdata/rsa2048.pub.pem");

async fn two_accounts() -> fake::RunningFake {
    let seed = Seed::from_json(&format!(
        r#"{{"accounts":[
            {{"sid":"{ACCOUNT}","auth_token":"{TOKEN}"}},
            {{"sid":"{OTHER}","auth_token":"other-token","api_keys":[{{"sid":"{OTHER_KEY}","secret":"key-secret"}}]}}
        ]}}"#
    ))
    .unwrap();
    fake::spawn(([127, 0, 0, 1], 0).into(), &seed)
        .await
        .unwrap()
}

struct Caller {
    base: String,
    user: &'static str,
    pass: &'static str,
    http: reqwest::Client,
}

impl Caller {
    fn new(fake: &fake::RunningFake, user: &'static str, pass: &'static str) -> Self {
        Self {
            base: fake.base_url(),
            user,
            pass,
            http: reqwest::Client::new(),
        }
    }

    /// `path` may be an absolute Twilio URL, as in `next_page_url`.
    fn url(&self, path: &str) -> String {
        let path = path
            .strip_prefix("https://accounts.twilio.com")
            .unwrap_or(path);
        format!("{}{path}", self.base)
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let response = self
            .http
            .request(method, self.url(path))
            .basic_auth(self.user, Some(self.pass))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, &[]).await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, form).await
    }
}

#[tokio::test]
async fn aws_credential_lifecycle() {
    let fake = two_accounts().await;
    let me = Caller::new(&fake, ACCOUNT, TOKEN);
    let (status, created) = me
        .post(
            "/v1/Credentials/AWS",
            &[
                ("Credentials", AWS_SECRET),
                ("FriendlyName", "bucket writer"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let sid = created["sid"].as_str().unwrap().to_owned();
    assert!(sid.starts_with("CR") && sid.len() == 34);
    assert_eq!(created["account_sid"], ACCOUNT);
    assert_eq!(
        created["url"],
        format!("https://accounts.twilio.com/v1/Credentials/AWS/{sid}")
    );
    assert!(
        !created.to_string().contains("wJalrXUtnFEMI"),
        "secret never returned"
    );
    let date = created["date_created"].as_str().unwrap();
    assert_eq!(date.len(), 20, "{date}");
    assert!(date.ends_with('Z') && date.as_bytes()[10] == b'T');

    let (status, renamed) = me
        .post(
            &format!("/v1/Credentials/AWS/{sid}"),
            &[("FriendlyName", "renamed")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renamed["friendly_name"], "renamed");
    let (status, _) = me
        .post(
            &format!("/v1/Credentials/AWS/{sid}"),
            &[("Credentials", AWS_SECRET)],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "only FriendlyName can change"
    );

    let (status, fetched) = me.get(&format!("/v1/Credentials/AWS/{sid}")).await;
    assert_eq!(
        (status, fetched["friendly_name"].as_str()),
        (StatusCode::OK, Some("renamed"))
    );
    // A CR SID of the other kind is not found here.
    let (status, _) = me.get(&format!("/v1/Credentials/PublicKeys/{sid}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, body) = me
        .send(
            reqwest::Method::DELETE,
            &format!("/v1/Credentials/AWS/{sid}"),
            &[],
        )
        .await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (status, gone) = me.get(&format!("/v1/Credentials/AWS/{sid}")).await;
    assert_eq!(
        (status, gone["code"].as_u64()),
        (StatusCode::NOT_FOUND, Some(20404))
    );
}

#[tokio::test]
async fn create_validation_uses_twilios_codes() {
    let fake = two_accounts().await;
    let me = Caller::new(&fake, ACCOUNT, TOKEN);
    let (status, body) = me
        .post("/v1/Credentials/AWS", &[("FriendlyName", "x")])
        .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (StatusCode::BAD_REQUEST, Some(20001))
    );
    assert_eq!(
        body["message"],
        "Missing required parameter Credentials in the post body"
    );
    let (_, body) = me
        .post("/v1/Credentials/AWS", &[("Credentials", "AKIA:nope")])
        .await;
    assert_eq!(body["code"], 70106);
    let (_, body) = me
        .post("/v1/Credentials/PublicKeys", &[("FriendlyName", "k")])
        .await;
    assert_eq!(
        body["message"],
        "Missing required parameter PublicKey in the post body"
    );
    let long_name = "n".repeat(65);
    let (status, _) = me
        .post(
            "/v1/Credentials/PublicKeys",
            &[("PublicKey", PEM), ("FriendlyName", &long_name)],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, body) = me
        .post("/v1/Credentials/PublicKeys", &[("PublicKey", "garbage")])
        .await;
    assert_eq!(body["code"], 70104);
    let (status, key) = me
        .post(
            "/v1/Credentials/PublicKeys",
            &[("PublicKey", PEM), ("FriendlyName", "prod")],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(!key.to_string().contains("BEGIN PUBLIC KEY"));
    assert!(key.get("more_info").is_none() && key.get("type").is_none());
}

#[tokio::test]
async fn lists_page_with_absolute_next_urls_until_null() {
    let fake = two_accounts().await;
    let me = Caller::new(&fake, ACCOUNT, TOKEN);
    for i in 0..5 {
        let name = format!("key {i}");
        let (status, _) = me
            .post(
                "/v1/Credentials/AWS",
                &[("Credentials", AWS_SECRET), ("FriendlyName", &name)],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let mut names = Vec::new();
    let mut next = Some("/v1/Credentials/AWS?PageSize=2".to_owned());
    let mut pages = 0;
    while let Some(url) = next {
        let (status, page) = me.get(&url).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["meta"]["key"], "credentials");
        assert_eq!(page["meta"]["page_size"], 2);
        for c in page["credentials"].as_array().unwrap() {
            names.push(c["friendly_name"].as_str().unwrap().to_owned());
        }
        next = page["meta"]["next_page_url"].as_str().map(str::to_owned);
        if let Some(n) = &next {
            assert!(
                n.starts_with("https://accounts.twilio.com/v1/Credentials/AWS?PageSize=2&Page="),
                "{n}"
            );
        }
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(names, ["key 0", "key 1", "key 2", "key 3", "key 4"]);
    // Out of range, or too large for any counter: 400 with 20001, never an
    // overflow (which would panic the fake in a debug build).
    for query in [
        "PageSize=0",
        "PageSize=1001",
        "PageSize=99999999999999999999999",
        "Page=18446744073709551615&PageSize=1000",
        "Page=1000001",
        "Page=18446744073709551615&PageSize=1000&PageToken=PA1",
    ] {
        let (status, body) = me.get(&format!("/v1/Credentials/AWS?{query}")).await;
        assert_eq!(
            (status, body["code"].as_u64()),
            (StatusCode::BAD_REQUEST, Some(20001)),
            "{query}"
        );
    }
}

#[tokio::test]
async fn accounts_are_kept_apart_and_api_keys_act_for_their_account() {
    let fake = two_accounts().await;
    let me = Caller::new(&fake, ACCOUNT, TOKEN);
    let other = Caller::new(&fake, OTHER_KEY, "key-secret");
    let (_, created) = me
        .post("/v1/Credentials/AWS", &[("Credentials", AWS_SECRET)])
        .await;
    let sid = created["sid"].as_str().unwrap();
    let (status, _) = other.get(&format!("/v1/Credentials/AWS/{sid}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = other.get("/v1/Credentials/AWS").await;
    assert_eq!(list["credentials"].as_array().unwrap().len(), 0);
    let (status, settings) = other.get("/v1/CompositionSettings/Default").await;
    assert_eq!(
        (status, settings["account_sid"].as_str()),
        (StatusCode::OK, Some(OTHER))
    );
}

#[tokio::test]
async fn wrong_credentials_and_methods_get_twilios_errors() {
    let fake = two_accounts().await;
    let response = reqwest::Client::new()
        .get(format!("{}/v1/Credentials/AWS", fake.base_url()))
        .basic_auth(OTHER_KEY, Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Basic realm=\"Twilio API\""
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (body["code"].as_u64(), body["message"].as_str()),
        (Some(20003), Some("Authenticate"))
    );

    let me = Caller::new(&fake, ACCOUNT, TOKEN);
    let (status, body) = me
        .send(
            reqwest::Method::DELETE,
            "/v1/CompositionSettings/Default",
            &[],
        )
        .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (StatusCode::METHOD_NOT_ALLOWED, Some(20004))
    );
    let (status, body) = me.get("/v1/Credentials/AWS/not-a-sid").await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (StatusCode::NOT_FOUND, Some(20404))
    );
}

#[tokio::test]
async fn malformed_and_huge_bodies_are_4xx() {
    let fake = two_accounts().await;
    let url = format!("{}/v1/CompositionSettings/Default", fake.base_url());
    let post = |body: Vec<u8>| {
        reqwest::Client::new()
            .post(&url)
            .basic_auth(ACCOUNT, Some(TOKEN))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let r = post(b"FriendlyName=%FF%FE".to_vec()).await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "percent-decoded bytes are replaced, as form decoders do"
    );
    let r = post(vec![b'F', 0xff, b'=']).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = post(b"FriendlyName=x&Bogus=1".to_vec()).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = post(vec![b'a'; 1 << 20]).await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["message"], "The request body is too large");
}
