//! The 2010-04-01 API on `api.twilio.com`: a parent's subaccounts, and API
//! keys made inside them. The account is in the path here; the login is
//! the parent's (its auth token or a Main API key).

use super::credentials::path_and_query;
use super::{Idempotent, TwilioClient, TwilioError};
use crate::domain::{AccountSid, AccountStatus, ApiKeySid};
use secrecy::SecretString;
use serde::Deserialize;

/// Twilio allows 1,000 subaccounts by default; a page holds as many, and
/// the list stops after this many pages whatever the links say.
const MAX_PAGES: usize = 20;
const PAGE_SIZE: usize = 1000;

/// An account as listed. Twilio's answer also carries each account's auth
/// token: it is not read (serde skips fields not named here).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Subaccount {
    pub sid: AccountSid,
    #[serde(default)]
    pub friendly_name: String,
    pub status: AccountStatus,
    pub owner_account_sid: AccountSid,
}

impl Subaccount {
    /// The parent itself is in its own list, as its own owner.
    pub fn is_main(&self) -> bool {
        self.sid == self.owner_account_sid
    }
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    accounts: Vec<Subaccount>,
    #[serde(default)]
    next_page_uri: Option<String>,
}

/// A key just made; its secret is in this answer only.
pub struct NewKey {
    pub sid: ApiKeySid,
    pub secret: SecretString,
}

impl std::fmt::Debug for NewKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewKey")
            .field("sid", &self.sid)
            .finish_non_exhaustive()
    }
}

/// A key as listed (no secret: Twilio shows it once, at creation).
#[derive(Clone, Debug, Deserialize)]
pub struct KeyInfo {
    pub sid: ApiKeySid,
    #[serde(default)]
    pub friendly_name: String,
}

#[derive(Deserialize)]
struct KeyPage {
    #[serde(default)]
    keys: Vec<KeyInfo>,
    #[serde(default)]
    next_page_uri: Option<String>,
}

#[derive(Deserialize)]
struct KeyAnswer {
    sid: ApiKeySid,
    secret: String,
}

impl TwilioClient {
    fn api_url(&self, path: &str) -> String {
        format!("{}{}", self.inner.api_base_url, path)
    }

    /// Every account the login owns (the parent first, as Twilio lists it,
    /// then its subaccounts), all pages.
    pub async fn list_accounts(&self) -> Result<Vec<Subaccount>, TwilioError> {
        self.list_accounts_paged(PAGE_SIZE).await
    }

    /// As `list_accounts`, asking for pages of `page_size` (1-1000).
    pub async fn list_accounts_paged(
        &self,
        page_size: usize,
    ) -> Result<Vec<Subaccount>, TwilioError> {
        let mut url = self.api_url(&format!("/2010-04-01/Accounts.json?PageSize={page_size}"));
        let mut all = Vec::new();
        for _ in 0..MAX_PAGES {
            let response = self
                .send(|| self.inner.http.get(&url), Idempotent::Yes)
                .await?;
            let page: Page = self.json(response).await?;
            all.extend(page.accounts);
            match page.next_page_uri.as_deref() {
                // Relative, as Twilio writes it; kept on our base either way.
                Some(next) if !next.is_empty() => url = self.api_url(path_and_query(next)),
                _ => return Ok(all),
            }
        }
        Err(TwilioError::Protocol(format!(
            "the account list went on past {} pages of {page_size}",
            MAX_PAGES
        )))
    }

    /// One account the login owns.
    pub async fn fetch_account(&self, sid: &AccountSid) -> Result<Subaccount, TwilioError> {
        let url = self.api_url(&format!("/2010-04-01/Accounts/{sid}.json"));
        let response = self
            .send(|| self.inner.http.get(&url), Idempotent::Yes)
            .await?;
        self.json(response).await
    }

    /// Makes a Standard API key inside `account`. Not retried: a retry
    /// after a lost answer would make a second key.
    pub async fn create_key(
        &self,
        account: &AccountSid,
        friendly_name: &str,
    ) -> Result<NewKey, TwilioError> {
        let url = self.api_url(&format!("/2010-04-01/Accounts/{account}/Keys.json"));
        let params = [("FriendlyName", friendly_name)];
        let response = self
            .send(|| self.inner.http.post(&url).form(&params), Idempotent::No)
            .await?;
        let answer: KeyAnswer = self.json(response).await?;
        Ok(NewKey {
            sid: answer.sid,
            secret: SecretString::from(answer.secret),
        })
    }

    /// Every API key of `account`, all pages.
    pub async fn list_keys(&self, account: &AccountSid) -> Result<Vec<KeyInfo>, TwilioError> {
        let mut url = self.api_url(&format!(
            "/2010-04-01/Accounts/{account}/Keys.json?PageSize={PAGE_SIZE}"
        ));
        let mut all = Vec::new();
        for _ in 0..MAX_PAGES {
            let response = self
                .send(|| self.inner.http.get(&url), Idempotent::Yes)
                .await?;
            let page: KeyPage = self.json(response).await?;
            all.extend(page.keys);
            match page.next_page_uri.as_deref() {
                Some(next) if !next.is_empty() => url = self.api_url(path_and_query(next)),
                _ => return Ok(all),
            }
        }
        Ok(all)
    }

    /// Deletes a key; deleting twice is harmless, so busy answers retry.
    pub async fn delete_key(
        &self,
        account: &AccountSid,
        key: &ApiKeySid,
    ) -> Result<(), TwilioError> {
        let url = self.api_url(&format!("/2010-04-01/Accounts/{account}/Keys/{key}.json"));
        self.send(|| self.inner.http.delete(&url), Idempotent::Yes)
            .await?;
        Ok(())
    }
}
