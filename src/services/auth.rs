//! Staff sign-in and the one authorisation check every server function
//! makes. Passwords are argon2id hashes; attempts are limited as
//! `sign_in_guard` says; a name that does not exist costs the same hashing
//! work and gets the same message as a wrong password.

use super::sign_in_guard::SignInGuard;
use crate::domain::{AppError, ProjectId, Role, StaffId, StaffSummary};
use crate::store::{StaffRow, Store};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::net::IpAddr;
use std::sync::LazyLock;

/// The same words for an unknown name and a wrong password.
pub const WRONG_NAME_OR_PASSWORD: &str = "That name and password do not match a staff account.";

/// What a server function or page wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// See the list of projects (each caller sees those they may read).
    ListProjects,
    /// Read a project's settings and credentials.
    Read,
    /// Change a project's settings or credentials.
    Change,
    /// Add, edit, test or remove projects; manage staff.
    Administer,
}

/// A signed-in staff member, with the projects assigned to them.
#[derive(Clone, Debug)]
pub struct Caller {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
    pub projects: Vec<ProjectId>,
    /// Changes when the password does: sessions started before end.
    pub password_stamp: String,
}

/// A short fingerprint of a password hash, kept in the session so that a
/// new password ends the sessions started with the old one.
pub fn password_stamp(hash: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(hash.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Caller {
    /// Whether the caller may do `action` (on `project`). A project they may
    /// not see is "not found", so its name and existence do not leak.
    pub fn may(&self, action: Action, project: Option<&ProjectId>) -> Result<(), AppError> {
        if self.role == Role::Admin {
            return Ok(());
        }
        let assigned = project.is_some_and(|p| self.projects.contains(p));
        match action {
            Action::ListProjects => Ok(()),
            Action::Read | Action::Change if !assigned => Err(AppError::no_project(
                project.map(ProjectId::as_str).unwrap_or_default(),
            )),
            Action::Read => Ok(()),
            Action::Change if self.role == Role::Editor => Ok(()),
            Action::Change | Action::Administer => Err(AppError::Forbidden(format!(
                "Your role ({}) may not {}.",
                self.role.label().to_lowercase(),
                match action {
                    Action::Change => "change this project",
                    _ => "add, edit or remove projects",
                }
            ))),
        }
    }

    /// Whether the caller may see `project` at all.
    pub fn sees(&self, project: &ProjectId) -> bool {
        self.role == Role::Admin || self.projects.contains(project)
    }

    pub fn summary(&self) -> StaffSummary {
        StaffSummary {
            name: self.name.clone(),
            role: self.role,
        }
    }
}

/// Who a failed sign-in with a name that is no account is recorded as: the
/// typed name may be a password typed in the wrong field.
pub const UNKNOWN_NAME: &str = "(unknown name)";

#[derive(Clone)]
pub struct Auth {
    store: Store,
    guard: SignInGuard,
}

impl Auth {
    pub fn new(store: Store) -> Self {
        Self::with_trusted_proxies(store, Vec::new())
    }

    /// Behind reverse proxies at these addresses, whose `X-Forwarded-For`
    /// names the client.
    pub fn with_trusted_proxies(store: Store, proxies: Vec<ipnet::IpNet>) -> Self {
        Self {
            store,
            guard: SignInGuard::new(proxies),
        }
    }

    /// The client address of a request from `peer` (see `SignInGuard`).
    pub fn client_address(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        self.guard.client_address(peer, forwarded_for)
    }

    /// The staff member with this name and password, or why not. Attempts
    /// that cannot match (an empty or overlong name) and attempts refused
    /// for being too many are answered before any work and recorded
    /// nowhere; a wrong password or an unknown name is recorded in the
    /// audit trail, at most once a minute per name and address.
    pub async fn sign_in(
        &self,
        name: &str,
        password: &str,
        address: Option<IpAddr>,
    ) -> Result<StaffRow, AppError> {
        let name = name.trim();
        if name.is_empty()
            || name.chars().count() > crate::domain::staff::MAX_STAFF_NAME
            || password.chars().count() > crate::domain::staff::MAX_PASSWORD
        {
            return Err(AppError::SignIn(WRONG_NAME_OR_PASSWORD.into()));
        }
        let key = name.to_lowercase();
        self.guard
            .admit(&key, address)
            .map_err(AppError::TooManyAttempts)?;
        self.guard.pace(&key).await;
        let row = self
            .store
            .staff_by_name(name)
            .await
            .map_err(super::projects::internal)?;
        let hash = row
            .as_ref()
            .map_or_else(|| DUMMY_HASH.clone(), |r| r.password_hash.clone());
        let matches = verify_password(password.to_owned(), hash).await;
        match row {
            Some(row) if matches => Ok(row),
            row => {
                let who = row.as_ref().map(|r| (r.name.clone(), r.id.clone()));
                let shown = who.as_ref().map_or(UNKNOWN_NAME, |(n, _)| n.as_str());
                if let Some(count) = self.guard.failed((shown.to_owned(), address)) {
                    let id = who.as_ref().map(|(_, id)| id);
                    self.record_failures(shown, id, address, count).await;
                }
                Err(AppError::SignIn(WRONG_NAME_OR_PASSWORD.into()))
            }
        }
    }

    /// One audit entry for `count` failed attempts.
    async fn record_failures(
        &self,
        name: &str,
        id: Option<&StaffId>,
        address: Option<IpAddr>,
        count: u32,
    ) {
        let from = address.map_or_else(|| "an unknown address".to_owned(), |a| a.to_string());
        let summary = if count == 1 {
            format!("failed sign-in from {from}")
        } else {
            format!("{count} failed sign-ins from {from} in the last minute or so")
        };
        super::audit::record(
            &self.store,
            super::audit::Record {
                staff: name,
                staff_id: id,
                project: None,
                action: crate::domain::audit::AuditAction::SignInFailed,
                summary,
                before: None,
                after: None,
            },
        )
        .await;
    }

    /// The caller behind a signed-in staff id, with their projects; `None`
    /// if the account is gone.
    pub async fn caller(&self, id: &StaffId) -> Result<Option<Caller>, AppError> {
        let Some((row, projects)) = self
            .store
            .staff_with_projects(id)
            .await
            .map_err(super::projects::internal)?
        else {
            return Ok(None);
        };
        Ok(Some(Caller {
            password_stamp: password_stamp(&row.password_hash),
            id: row.id,
            name: row.name,
            role: row.role,
            projects,
        }))
    }

    /// Forgets attempts older than the quotas' windows, and records the
    /// failed attempts counted since their last audit entry.
    pub async fn tidy(&self) {
        self.guard.tidy();
        for ((name, address), count) in self.guard.due() {
            let id = match name.as_str() {
                UNKNOWN_NAME => None,
                _ => self
                    .store
                    .staff_by_name(&name)
                    .await
                    .ok()
                    .flatten()
                    .map(|r| r.id),
            };
            self.record_failures(&name, id.as_ref(), address, count)
                .await;
        }
    }
}

/// An argon2id hash of a real password, verified against when the name is
/// unknown, so both cases take the same time.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password_now("not a password of anyone's").expect("hashing works"));

/// The argon2id PHC string of `password` (random salt, default parameters).
pub fn hash_password_now(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| e.to_string())
}

/// At most this many argon2 jobs (about 19 MiB each) run at once.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// `hash_password_now` off the async threads (it takes tens of ms).
pub async fn hash_password(password: String) -> Result<String, String> {
    let _permit = HASHING.acquire().await.map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(move || hash_password_now(&password))
        .await
        .map_err(|e| e.to_string())?
}

async fn verify_password(password: String, hash: String) -> bool {
    let Ok(_permit) = HASHING.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// A password for a new account: 20 characters from an unambiguous set.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, projects: &[&str]) -> Caller {
        Caller {
            id: "s".parse().unwrap(),
            name: "s".into(),
            role,
            projects: projects.iter().map(|p| p.parse().unwrap()).collect(),
            password_stamp: String::new(),
        }
    }

    #[test]
    fn the_matrix_of_roles_and_projects() {
        let a: ProjectId = "a".parse().unwrap();
        let b: ProjectId = "b".parse().unwrap();
        let admin = caller(Role::Admin, &[]);
        let editor = caller(Role::Editor, &["a"]);
        let viewer = caller(Role::Viewer, &["a"]);
        for action in [
            Action::ListProjects,
            Action::Read,
            Action::Change,
            Action::Administer,
        ] {
            assert!(admin.may(action, Some(&b)).is_ok());
        }
        assert!(editor.may(Action::Change, Some(&a)).is_ok());
        assert!(viewer.may(Action::Read, Some(&a)).is_ok());
        assert!(matches!(
            viewer.may(Action::Change, Some(&a)),
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            editor.may(Action::Administer, None),
            Err(AppError::Forbidden(_))
        ));
        // Another project is not found, whatever the role.
        for who in [&editor, &viewer] {
            for action in [Action::Read, Action::Change] {
                assert!(matches!(
                    who.may(action, Some(&b)),
                    Err(AppError::NotFound(_))
                ));
            }
        }
    }

    #[test]
    fn passwords_hash_to_argon2id_and_verify() {
        let hash = hash_password_now("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert!(rt.block_on(verify_password(
            "correct horse battery".into(),
            hash.clone()
        )));
        assert!(!rt.block_on(verify_password("wrong".into(), hash)));
        assert_ne!(generate_password(), generate_password());
    }
}
