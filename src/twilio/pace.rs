//! Twilio's per-account quotas: Programmable Video allows 80 read and 20
//! write requests a second per account SID (not shared with subaccounts).
//! A job touching one account many times (a bulk change, an import making
//! keys) must stay below them for that account, while other accounts go
//! on: every request waits its turn for its own account only.

use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;

/// Requests a second per account; a second's worth may go at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaceConfig {
    pub reads_per_second: NonZeroU32,
    pub writes_per_second: NonZeroU32,
}

impl Default for PaceConfig {
    fn default() -> Self {
        Self {
            reads_per_second: NonZeroU32::new(80).expect("not zero"),
            writes_per_second: NonZeroU32::new(20).expect("not zero"),
        }
    }
}

/// Accounts remembered before the idle ones are forgotten.
const KEPT_ACCOUNTS: usize = 10_000;

pub struct Pace {
    reads: DefaultKeyedRateLimiter<String>,
    writes: DefaultKeyedRateLimiter<String>,
}

impl Pace {
    pub fn new(config: PaceConfig) -> Self {
        Self {
            reads: DefaultKeyedRateLimiter::keyed(Quota::per_second(config.reads_per_second)),
            writes: DefaultKeyedRateLimiter::keyed(Quota::per_second(config.writes_per_second)),
        }
    }

    /// Waits until `request`, sent with login `username`, is within its
    /// account's quota: a GET is a read, anything else a write.
    pub async fn wait(&self, request: &reqwest::Request, username: &str) {
        let limiter = if request.method() == reqwest::Method::GET {
            &self.reads
        } else {
            &self.writes
        };
        if limiter.len() > KEPT_ACCOUNTS {
            limiter.retain_recent();
        }
        limiter
            .until_key_ready(&account_of(request.url(), username))
            .await;
    }
}

/// The account a request acts on: the one its 2010-04-01 path names
/// (`/Accounts/AC…/…`), else the login's (the v1 hosts act on the account
/// the login belongs to, and one login belongs to one account).
fn account_of(url: &reqwest::Url, username: &str) -> String {
    let mut segments = url.path_segments().into_iter().flatten();
    while let Some(segment) = segments.next() {
        if segment == "Accounts" {
            if let Some(sid) = segments.next() {
                let sid = sid.trim_end_matches(".json");
                if sid.starts_with("AC") {
                    return sid.to_owned();
                }
            }
        }
    }
    username.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_paced_by_the_account_it_acts_on() {
        let url = |s: &str| reqwest::Url::parse(s).unwrap();
        let sub = "AC00000000000000000000000000de1001";
        assert_eq!(
            account_of(
                &url(&format!(
                    "https://api.twilio.com/2010-04-01/Accounts/{sub}/Keys.json"
                )),
                "ACparent"
            ),
            sub
        );
        assert_eq!(
            account_of(
                &url(&format!(
                    "https://api.twilio.com/2010-04-01/Accounts/{sub}.json"
                )),
                "ACparent"
            ),
            sub
        );
        assert_eq!(
            account_of(
                &url("https://api.twilio.com/2010-04-01/Accounts.json?PageSize=50"),
                "ACparent"
            ),
            "ACparent"
        );
        assert_eq!(
            account_of(
                &url("https://video.twilio.com/v1/CompositionSettings/Default"),
                "SKkey"
            ),
            "SKkey"
        );
    }
}
