//! Containing sign-in abuse without letting anyone lock another person out.
//! Attempts are refused per (name, client address) and per client address;
//! across addresses a name's attempts are slowed, never refused, so the
//! right password from a fresh address still signs in. Failures reach the
//! audit trail at most once a minute per (name, address), with a count.
//!
//! The counts live in this process: with several instances behind one load
//! balancer each keeps its own, so a guesser spread over N instances gets N
//! times the attempts (the README says so).

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Attempts a minute one address may make for one name, and for all names.
const PER_NAME_AND_ADDRESS: u32 = 5;
const PER_ADDRESS: u32 = 20;
/// Attempts a minute for one name from every address together; past that
/// each attempt waits for its turn, up to `SLOWED_AT_MOST`.
const PER_NAME: u32 = 30;
const SLOWED_AT_MOST: Duration = Duration::from_secs(10);
/// Failed attempts of one (name, address) write one audit entry a minute.
const RECORD_EVERY: Duration = Duration::from_secs(60);

/// Who a failed attempt is recorded under.
pub type FailureKey = (String, Option<IpAddr>);

#[derive(Clone)]
pub struct SignInGuard {
    by_pair: Arc<DefaultKeyedRateLimiter<(String, Option<IpAddr>)>>,
    by_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    by_name: Arc<DefaultKeyedRateLimiter<String>>,
    failures: Arc<Mutex<HashMap<FailureKey, Tally>>>,
    trusted_proxies: Arc<Vec<IpNet>>,
}

/// Failed attempts of one (name, address) since its last audit entry.
struct Tally {
    recorded_at: Instant,
    unrecorded: u32,
}

impl SignInGuard {
    pub fn new(trusted_proxies: Vec<IpNet>) -> Self {
        let per_minute = |n: u32| Quota::per_minute(NonZeroU32::new(n).expect("a positive quota"));
        Self {
            by_pair: Arc::new(RateLimiter::keyed(per_minute(PER_NAME_AND_ADDRESS))),
            by_address: Arc::new(RateLimiter::keyed(per_minute(PER_ADDRESS))),
            by_name: Arc::new(RateLimiter::keyed(per_minute(PER_NAME))),
            failures: Arc::default(),
            trusted_proxies: Arc::new(trusted_proxies),
        }
    }

    /// The client behind a request from `peer`: the peer itself, unless it
    /// is a trusted proxy; then the nearest address in `X-Forwarded-For`
    /// that is not one (the proxies append, so the rightmost are theirs).
    pub fn client_address(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        let trusted = |ip: &IpAddr| self.trusted_proxies.iter().any(|net| net.contains(ip));
        if !trusted(&peer) {
            return peer;
        }
        let Some(header) = forwarded_for else {
            return peer;
        };
        let mut client = peer;
        for hop in header.rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) if trusted(&ip) => client = ip,
                Ok(ip) => return ip,
                // Unreadable: nothing further left can be trusted.
                Err(_) => return client,
            }
        }
        client
    }

    /// Whether this attempt may be checked at all: the seconds to wait if
    /// the name from this address, or this address, tried too often. Decided
    /// before any work; a refused attempt counts nowhere else.
    pub fn admit(&self, name_key: &str, address: Option<IpAddr>) -> Result<(), u64> {
        let now = DefaultClock::default().now();
        let pair = (name_key.to_owned(), address);
        let wait = [
            address.and_then(|a| self.by_address.check_key(&a).err()),
            self.by_pair.check_key(&pair).err(),
        ]
        .into_iter()
        .flatten()
        .map(|not_until| not_until.wait_time_from(now).as_secs().max(1))
        .max();
        wait.map_or(Ok(()), Err)
    }

    /// Waits for the name's turn when attempts for it from every address
    /// together run past their rate; never refuses.
    pub async fn pace(&self, name_key: &str) {
        let key = name_key.to_owned();
        if self.by_name.check_key(&key).is_err() {
            let _ = tokio::time::timeout(SLOWED_AT_MOST, self.by_name.until_key_ready(&key)).await;
        }
    }

    /// Counts a failed attempt under `key`; answers how many failures the
    /// audit entry to write now covers, if one is due.
    pub fn failed(&self, key: FailureKey) -> Option<u32> {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        match failures.get_mut(&key) {
            Some(tally) if now.duration_since(tally.recorded_at) < RECORD_EVERY => {
                tally.unrecorded += 1;
                None
            }
            Some(tally) => {
                let count = tally.unrecorded + 1;
                *tally = Tally {
                    recorded_at: now,
                    unrecorded: 0,
                };
                Some(count)
            }
            None => {
                failures.insert(
                    key,
                    Tally {
                        recorded_at: now,
                        unrecorded: 0,
                    },
                );
                Some(1)
            }
        }
    }

    /// Failures not yet in the audit trail whose minute is over, taken out
    /// to be recorded; tallies with nothing left are forgotten.
    pub fn due(&self) -> Vec<(FailureKey, u32)> {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let mut due = Vec::new();
        failures.retain(|key, tally| {
            if now.duration_since(tally.recorded_at) < RECORD_EVERY {
                return true;
            }
            if tally.unrecorded > 0 {
                due.push((key.clone(), tally.unrecorded));
            }
            false
        });
        due
    }

    /// Forgets attempts older than the quotas' windows.
    pub fn tidy(&self) {
        self.by_pair.retain_recent();
        self.by_address.retain_recent();
        self.by_name.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let guard = SignInGuard::new(vec!["10.0.0.0/8".parse().unwrap()]);
        let header = Some("203.0.113.7, 10.1.2.3");
        // A client that is no proxy cannot choose its address.
        assert_eq!(
            guard.client_address(ip("198.51.100.1"), header),
            ip("198.51.100.1")
        );
        // Behind the proxies: the nearest address that is not one of them.
        assert_eq!(
            guard.client_address(ip("10.9.9.9"), header),
            ip("203.0.113.7")
        );
        // A forged leftmost entry is never reached past a real client.
        assert_eq!(
            guard.client_address(ip("10.9.9.9"), Some("1.1.1.1, 203.0.113.7")),
            ip("203.0.113.7")
        );
        assert_eq!(guard.client_address(ip("10.9.9.9"), None), ip("10.9.9.9"));
        assert_eq!(
            guard.client_address(ip("10.9.9.9"), Some("garbage, 10.1.2.3")),
            ip("10.1.2.3")
        );
        let untrusting = SignInGuard::new(Vec::new());
        assert_eq!(
            untrusting.client_address(ip("10.9.9.9"), header),
            ip("10.9.9.9")
        );
    }

    #[test]
    fn one_address_cannot_lock_a_name_out_for_another() {
        let guard = SignInGuard::new(Vec::new());
        let (flood, fresh) = (Some(ip("127.0.0.2")), Some(ip("127.0.0.1")));
        let admitted = (0..500)
            .filter(|_| guard.admit("admin", flood).is_ok())
            .count();
        assert_eq!(admitted, PER_NAME_AND_ADDRESS as usize);
        assert!(guard.admit("admin", fresh).is_ok());
        // Its refused attempts spent the address's own quota: it is
        // refused for every other name too, for now.
        let others = (0..100)
            .filter(|i| guard.admit(&format!("n{i}"), flood).is_ok())
            .count();
        assert_eq!(others, 0);
        // A quiet address still gets its full quota across names.
        let quiet = Some(ip("127.0.0.3"));
        let names = (0..100)
            .filter(|i| guard.admit(&format!("n{i}"), quiet).is_ok())
            .count();
        assert_eq!(names, PER_ADDRESS as usize);
    }

    #[test]
    fn failures_are_recorded_once_a_minute_with_a_count() {
        let guard = SignInGuard::new(Vec::new());
        let key = ("admin".to_owned(), Some(ip("127.0.0.2")));
        assert_eq!(guard.failed(key.clone()), Some(1));
        for _ in 0..4 {
            assert_eq!(guard.failed(key.clone()), None);
        }
        assert!(guard.due().is_empty(), "the minute is not over");
        // Pretend the minute passed.
        guard
            .failures
            .lock()
            .unwrap()
            .get_mut(&key)
            .unwrap()
            .recorded_at = Instant::now().checked_sub(RECORD_EVERY).unwrap();
        assert_eq!(guard.due(), vec![(key.clone(), 4)]);
        assert!(guard.failures.lock().unwrap().is_empty());
        assert_eq!(guard.failed(key), Some(1));
    }
}
