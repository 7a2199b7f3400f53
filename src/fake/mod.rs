//! A Twilio emulator for development and tests: the endpoints the console
//! uses, with Twilio's auth, response shapes and error bodies. Tests start it
//! in-process on port 0; `twilio-fake` serves it on its own.

mod accounts;
mod auth;
mod credentials;
mod error;
mod faults;
mod form;
pub mod generated;
mod keys;
mod paging;
mod public_key;
pub mod seed;
mod settings;

pub use faults::{Fault, FaultRule};
pub use seed::{AccountSeed, Seed};

use crate::domain::{
    AccountSid, AccountStatus, ApiKeySid, CredentialSid, MediaSettings, SettingsKind,
};
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, MethodRouter};
use axum::Router;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// Twilio's real hosts: the fake writes them into every absolute URL it
/// returns, as Twilio does, whatever address it is reached on.
pub const VIDEO_HOST: &str = "https://video.twilio.com";
pub const ACCOUNTS_HOST: &str = "https://accounts.twilio.com";
/// The 2010-04-01 API's host; its answers carry relative URIs instead.
pub const API_HOST: &str = "https://api.twilio.com";

/// Request bodies above this size get a 413, like a real front end would.
const BODY_LIMIT: usize = 64 * 1024;

pub use crate::domain::CredentialKind;

/// What the fake keeps of a credential. The secret or key material is
/// checked on create and then dropped: Twilio never returns it.
#[derive(Clone, Debug)]
pub struct Credential {
    pub kind: CredentialKind,
    pub friendly_name: Option<String>,
    pub date_created: String,
    pub date_updated: String,
    /// Creation order, which lists follow.
    pub seq: u64,
}

/// Now, in Twilio's date format: ISO-8601 UTC to the second.
pub fn now_iso() -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .expect("a UTC timestamp formats")
}

/// An ISO-8601 date as the 2010-04-01 API writes dates (RFC 2822).
pub fn rfc2822(iso: &str) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::PrimitiveDateTime::parse(iso, &format)
        .ok()
        .and_then(|t| {
            t.assume_utc()
                .format(&time::format_description::well_known::Rfc2822)
                .ok()
        })
        .unwrap_or_else(|| iso.to_owned())
}

/// An API key. Main keys reach the Accounts and Keys resources as the auth
/// token does; Standard keys (the only kind the REST API creates) do not.
#[derive(Clone, Debug)]
pub struct ApiKey {
    pub secret: String,
    pub main: bool,
    pub friendly_name: String,
    pub date_created: String,
    pub seq: u64,
}

/// One account's state, kept apart from every other account's.
#[derive(Clone, Debug)]
pub struct Account {
    pub auth_token: String,
    pub friendly_name: String,
    pub status: AccountStatus,
    /// The parent of a subaccount; None for a main account.
    pub owner: Option<AccountSid>,
    pub date_created: String,
    pub date_updated: String,
    /// Creation order among accounts, which the Accounts list follows.
    pub order: u64,
    pub api_keys: HashMap<ApiKeySid, ApiKey>,
    pub credentials: BTreeMap<CredentialSid, Credential>,
    pub next_seq: u64,
    pub settings: HashMap<SettingsKind, MediaSettings>,
    /// False for an account without Enterprise or Security Edition.
    pub encryption_available: bool,
}

impl Account {
    fn add_credential(&mut self, sid: CredentialSid, mut credential: Credential) -> &Credential {
        credential.seq = self.next_seq;
        self.next_seq += 1;
        self.credentials.entry(sid).or_insert(credential)
    }

    /// One kind of credential, oldest first.
    fn credentials_of(&self, kind: CredentialKind) -> Vec<(&CredentialSid, &Credential)> {
        let mut found: Vec<_> = self
            .credentials
            .iter()
            .filter(|(_, c)| c.kind == kind)
            .collect();
        found.sort_by_key(|(_, c)| c.seq);
        found
    }

    fn settings(&self, sid: &AccountSid, kind: SettingsKind) -> MediaSettings {
        let stored = self.settings.get(&kind).cloned().unwrap_or(MediaSettings {
            aws_storage_enabled: Some(false),
            encryption_enabled: Some(false),
            ..MediaSettings::default()
        });
        MediaSettings {
            account_sid: Some(sid.clone()),
            url: Some(format!("{VIDEO_HOST}{}", kind.path())),
            ..stored
        }
    }
}

#[derive(Clone, Default)]
pub struct FakeState {
    accounts: Arc<Mutex<HashMap<AccountSid, Account>>>,
    faults: Arc<Mutex<Vec<FaultRule>>>,
    seen: Arc<Mutex<std::collections::VecDeque<Seen>>>,
}

/// A request the fake received, as tests count them.
#[derive(Clone, Debug)]
pub struct Seen {
    /// The account its credentials claim.
    pub account: Option<String>,
    pub method: String,
    pub path: String,
    pub at: std::time::Instant,
}

/// Requests remembered; older ones are forgotten.
const SEEN_LIMIT: usize = 100_000;

impl FakeState {
    pub fn from_seed(seed: &Seed) -> Self {
        let accounts = seed
            .accounts
            .iter()
            .zip(0..)
            .map(|(a, order)| (a.sid.clone(), a.to_account(order)))
            .collect();
        Self {
            accounts: Arc::new(Mutex::new(accounts)),
            ..Self::default()
        }
    }

    fn note_request(&self, account: Option<&str>, method: &axum::http::Method, path: &str) {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if seen.len() == SEEN_LIMIT {
            seen.pop_front();
        }
        seen.push_back(Seen {
            account: account.map(str::to_owned),
            method: method.to_string(),
            path: path.to_owned(),
            at: std::time::Instant::now(),
        });
    }

    /// The secrets of every API key made through the API (not the seeds'),
    /// for tests that look for them where they must not be.
    pub fn created_key_secrets(&self) -> Vec<String> {
        let accounts = self
            .accounts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        accounts
            .values()
            .flat_map(|a| a.api_keys.values())
            .filter(|k| !k.main && k.friendly_name.starts_with("composition-admin"))
            .map(|k| k.secret.clone())
            .collect()
    }

    /// Every request received (the last 100,000), oldest first.
    pub fn requests(&self) -> Vec<Seen> {
        let seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.iter().cloned().collect()
    }

    fn faults(&self) -> std::sync::MutexGuard<'_, Vec<FaultRule>> {
        self.faults
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The account an API key belongs to.
    fn account_of_key(&self, key: &str) -> Option<String> {
        let key: ApiKeySid = key.parse().ok()?;
        let accounts = self
            .accounts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        accounts
            .iter()
            .find(|(_, a)| a.api_keys.contains_key(&key))
            .map(|(sid, _)| sid.to_string())
    }

    /// Runs `f` on one account's state under the lock.
    fn with_account<T>(&self, sid: &AccountSid, f: impl FnOnce(&mut Account) -> T) -> Option<T> {
        let mut accounts = self
            .accounts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        accounts.get_mut(sid).map(f)
    }
}

/// Any method a resource does not have is Twilio's 405.
fn methods(router: MethodRouter<FakeState>) -> MethodRouter<FakeState> {
    router.fallback(error::method_not_allowed)
}

pub fn router(state: FakeState) -> Router {
    use credentials as c;
    Router::new()
        .route(
            "/v1/Credentials/AWS",
            methods(get(c::list_aws).post(c::create_aws)),
        )
        .route(
            "/v1/Credentials/AWS/{sid}",
            methods(get(c::fetch_aws).post(c::update_aws).delete(c::delete_aws)),
        )
        .route(
            "/v1/Credentials/PublicKeys",
            methods(get(c::list_public_keys).post(c::create_public_key)),
        )
        .route(
            "/v1/Credentials/PublicKeys/{sid}",
            methods(
                get(c::fetch_public_key)
                    .post(c::update_public_key)
                    .delete(c::delete_public_key),
            ),
        )
        .route(
            "/v1/CompositionSettings/Default",
            methods(get(settings::fetch_composition).post(settings::update_composition)),
        )
        .route(
            "/v1/RecordingSettings/Default",
            methods(get(settings::fetch_recording).post(settings::update_recording)),
        )
        .route("/2010-04-01/Accounts.json", methods(get(accounts::list)))
        .route("/2010-04-01/Accounts/{sid}", methods(get(accounts::fetch)))
        .route(
            "/2010-04-01/Accounts/{sid}/Keys.json",
            methods(get(keys::list).post(keys::create)),
        )
        .route(
            "/2010-04-01/Accounts/{sid}/Keys/{key}",
            methods(get(keys::fetch).delete(keys::delete)),
        )
        .route(
            "/__fake/faults",
            axum::routing::post(faults::add_rule).delete(faults::clear_rules),
        )
        .fallback(error::not_found)
        .layer(axum::middleware::map_response(error::twilio_shaped))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// A fake serving in the background until dropped.
pub struct RunningFake {
    pub addr: SocketAddr,
    pub state: FakeState,
    _shutdown: oneshot::Sender<()>,
}

impl RunningFake {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Adds a fault rule, as the admin endpoint does.
    pub fn inject(&self, rule: FaultRule) {
        self.state.faults().push(rule);
    }

    pub fn clear_faults(&self) {
        self.state.faults().clear();
    }
}

/// Binds `listen` (port 0 picks a free port) and serves until the handle drops.
pub async fn spawn(listen: SocketAddr, seed: &Seed) -> std::io::Result<RunningFake> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let state = FakeState::from_seed(seed);
    // The admin endpoint checks the caller's address.
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let stop = async {
            let _ = rx.await;
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await
        {
            tracing::error!(error = %e, "twilio fake stopped");
        }
    });
    Ok(RunningFake {
        addr,
        state,
        _shutdown: tx,
    })
}
