//! Accounts `/v1/Credentials/PublicKeys` and `/v1/Credentials/AWS`.

use super::{Idempotent, TwilioClient, TwilioError};
use crate::domain::credentials::{NewAwsCredential, NewPublicKey};
use crate::domain::{Credential, CredentialKind, CredentialSid};
use serde::Deserialize;

/// A list is read to the end, but no further than this many pages of
/// `PAGE_SIZE`: 50,000 credentials is far beyond any real account.
const MAX_PAGES: usize = 50;
const PAGE_SIZE: usize = 1000;

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    credentials: Vec<Credential>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize, Default)]
struct Meta {
    #[serde(default)]
    next_page_url: Option<String>,
}

/// The path and query of a URL, or of a bare path. Twilio's next-page
/// links name its own host; keeping our configured base lets the same code
/// follow them through a proxy or to the fake.
pub fn path_and_query(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
}

impl TwilioClient {
    fn accounts_url(&self, path: &str) -> String {
        format!("{}{}", self.inner.accounts_base_url, path)
    }

    /// Every credential of a kind, all pages, oldest first.
    pub async fn list_credentials(
        &self,
        kind: CredentialKind,
    ) -> Result<Vec<Credential>, TwilioError> {
        self.list_credentials_paged(kind, PAGE_SIZE).await
    }

    /// As `list_credentials`, asking for pages of `page_size` (1-1000).
    pub async fn list_credentials_paged(
        &self,
        kind: CredentialKind,
        page_size: usize,
    ) -> Result<Vec<Credential>, TwilioError> {
        let mut url = self.accounts_url(&format!("{}?PageSize={page_size}", kind.path()));
        let mut all = Vec::new();
        for _ in 0..MAX_PAGES {
            let response = self
                .send(|| self.inner.http.get(&url), Idempotent::Yes)
                .await?;
            let page: Page = self.json(response).await?;
            all.extend(page.credentials);
            match page.meta.next_page_url.as_deref() {
                Some(next) if !next.is_empty() => url = self.accounts_url(path_and_query(next)),
                _ => return Ok(all),
            }
        }
        tracing::warn!(?kind, pages = MAX_PAGES, "credential list cut short");
        Ok(all)
    }

    /// Creating is not idempotent: a retry after a lost answer could make a
    /// second credential, so a busy answer is reported, not retried.
    pub async fn create_public_key(&self, key: &NewPublicKey) -> Result<Credential, TwilioError> {
        let params = [
            ("FriendlyName", key.friendly_name.as_str()),
            ("PublicKey", key.public_key.as_str()),
        ];
        self.create(CredentialKind::PublicKey, &params).await
    }

    pub async fn create_aws_credential(
        &self,
        credential: &NewAwsCredential,
    ) -> Result<Credential, TwilioError> {
        let params = [
            ("FriendlyName", credential.friendly_name.as_str()),
            ("Credentials", credential.credentials.as_str()),
        ];
        self.create(CredentialKind::Aws, &params).await
    }

    async fn create(
        &self,
        kind: CredentialKind,
        params: &[(&str, &str)],
    ) -> Result<Credential, TwilioError> {
        let url = self.accounts_url(kind.path());
        let response = self
            .send(|| self.inner.http.post(&url).form(params), Idempotent::No)
            .await?;
        self.json(response).await
    }

    pub async fn fetch_credential(
        &self,
        kind: CredentialKind,
        sid: &CredentialSid,
    ) -> Result<Credential, TwilioError> {
        let url = self.accounts_url(&format!("{}/{sid}", kind.path()));
        let response = self
            .send(|| self.inner.http.get(&url), Idempotent::Yes)
            .await?;
        self.json(response).await
    }

    pub async fn rename_credential(
        &self,
        kind: CredentialKind,
        sid: &CredentialSid,
        friendly_name: &str,
    ) -> Result<Credential, TwilioError> {
        let url = self.accounts_url(&format!("{}/{sid}", kind.path()));
        let params = [("FriendlyName", friendly_name)];
        let response = self
            .send(|| self.inner.http.post(&url).form(&params), Idempotent::Yes)
            .await?;
        self.json(response).await
    }

    pub async fn delete_credential(
        &self,
        kind: CredentialKind,
        sid: &CredentialSid,
    ) -> Result<(), TwilioError> {
        let url = self.accounts_url(&format!("{}/{sid}", kind.path()));
        let attempts = std::sync::atomic::AtomicUsize::new(0);
        let result = self
            .send(
                || {
                    attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    self.inner.http.delete(&url)
                },
                Idempotent::Yes,
            )
            .await;
        match result {
            Ok(_) => Ok(()),
            // A busy answer may have come after the delete took effect: a
            // retry that finds nothing means it is gone, as asked.
            Err(TwilioError::Api { status: 404, .. })
                if attempts.load(std::sync::atomic::Ordering::Relaxed) > 1 =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::path_and_query;

    #[test]
    fn next_page_links_keep_only_path_and_query() {
        assert_eq!(
            path_and_query(
                "https://accounts.twilio.com/v1/Credentials/AWS?PageSize=2&Page=1&PageToken=PA2"
            ),
            "/v1/Credentials/AWS?PageSize=2&Page=1&PageToken=PA2"
        );
        assert_eq!(
            path_and_query("/v1/Credentials/AWS?Page=1"),
            "/v1/Credentials/AWS?Page=1"
        );
    }
}
