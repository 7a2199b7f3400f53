//! Projects: the store, the vault and the shared Twilio pool together. A
//! project's client is built per call from its sealed login, so nothing of
//! one project's login reaches another's calls.

use super::trail::Trail;
use crate::domain::audit::AuditAction;
use crate::domain::{
    AccountSid, AppError, Field, FieldErrors, Login, LoginCheck, ProjectId, ProjectInput,
    ProjectSummary, ProjectUpdate, SettingsKind,
};
use crate::store::{Audited, NewProject, ProjectRow, Store, StoreError};
use crate::twilio::{TwilioClient, TwilioPool};
use crate::vault::Vault;
use secrecy::SecretString;
use std::sync::Arc;

#[derive(Clone)]
pub struct Projects {
    store: Store,
    vault: Arc<Vault>,
    twilio: TwilioPool,
}

impl Projects {
    pub fn new(store: Store, vault: Vault, twilio: TwilioPool) -> Self {
        Self {
            store,
            vault: Arc::new(vault),
            twilio,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub(super) fn vault(&self) -> &Vault {
        &self.vault
    }

    pub(super) fn twilio(&self) -> &TwilioPool {
        &self.twilio
    }

    /// The key outcome links are signed with, the same for every instance
    /// on this database (derived from its master key).
    pub fn link_key(&self) -> [u8; 32] {
        self.vault.link_key()
    }

    pub async fn list(&self) -> Result<Vec<ProjectSummary>, AppError> {
        let rows = self.store.list_projects().await.map_err(internal)?;
        Ok(rows.iter().map(ProjectRow::summary).collect())
    }

    pub async fn summary(&self, id: &ProjectId) -> Result<ProjectSummary, AppError> {
        Ok(self.row(id).await?.summary())
    }

    /// The project's own Twilio client.
    pub async fn client(&self, id: &ProjectId) -> Result<TwilioClient, AppError> {
        let row = self.row(id).await?;
        self.client_of(&row)
    }

    /// Checks the form, tests the login against Twilio, and only then
    /// stores the project with its secret sealed, and its audit entry in
    /// the same transaction.
    pub async fn add(
        &self,
        input: &ProjectInput,
        trail: &Trail,
    ) -> Result<ProjectSummary, AppError> {
        let update = input.validate(true).map_err(AppError::Invalid)?;
        if let Some(existing) = self
            .store
            .project_by_account(&update.account_sid)
            .await
            .map_err(internal)?
        {
            return Err(duplicate(&existing.name));
        }
        let secret = update.secret.clone().unwrap_or_default();
        let client = self.login_client(&update.login, &update.account_sid, secret.clone());
        test_login(&client, &update.account_sid).await?;
        let key_check = self.current_key_check().await.map_err(store_failure)?;
        let id = new_id();
        let added = ProjectSummary {
            id: id.clone(),
            name: update.name.clone(),
            account_sid: update.account_sid.clone(),
            login: update.login.kind(),
            api_key_sid: update.login.api_key_sid().cloned(),
            check: None,
        };
        let (entry, staff_id) = trail.one_step(
            Some(&id),
            AuditAction::ProjectAdded,
            format!(
                "project \u{201c}{}\u{201d} added ({})",
                added.name, added.account_sid
            ),
            None,
            Some(summary_json(&added)),
        );
        let audit = Audited {
            entry: &entry,
            staff_id,
        };
        match self
            .insert(&id, &update, &secret, &key_check, Some(audit))
            .await
        {
            Ok(()) => {}
            // Someone added the same account meanwhile.
            Err(StoreError::DuplicateAccount(_)) => return Err(duplicate("another")),
            Err(e) => return Err(store_failure(e)),
        }
        self.record(&id, Ok(())).await;
        tracing::info!(project = %id, account = %update.account_sid, "project added");
        self.summary(&id).await
    }

    /// Renames a project or replaces its login. The account stays; a new
    /// login (or a replaced secret) is tested before it is stored, with its
    /// audit entry in the same transaction.
    pub async fn edit(
        &self,
        id: &ProjectId,
        input: &ProjectInput,
        trail: &Trail,
    ) -> Result<ProjectSummary, AppError> {
        let row = self.row(id).await?;
        let update = input.validate(false).map_err(AppError::Invalid)?;
        if update.account_sid != row.account_sid {
            return Err(invalid(
                Field::AccountSid,
                "cannot change: a project is one account. Add a new project for another account.",
            ));
        }
        let same_login = update.login.kind() == row.login
            && match &update.login {
                Login::ApiKey(sid) => row.api_key_sid.as_ref() == Some(sid),
                Login::AuthToken => true,
            };
        let secret = match (&update.secret, same_login) {
            (Some(secret), _) => Some(secret.clone()),
            (None, true) => None,
            (None, false) => {
                return Err(invalid(
                    Field::Secret,
                    "is required with a new login: paste the secret that goes with it",
                ))
            }
        };
        if let Some(secret) = &secret {
            let client = self.login_client(&update.login, &row.account_sid, secret.clone());
            test_login(&client, &row.account_sid).await?;
        }
        let key_check = match secret {
            Some(_) => Some(self.current_key_check().await.map_err(store_failure)?),
            None => None,
        };
        let sealed = secret.as_ref().map(|s| self.vault.seal(id, s));
        let api_key_sid = update.login.api_key_sid();
        let before = row.summary();
        let after = ProjectSummary {
            name: update.name.clone(),
            login: update.login.kind(),
            api_key_sid: api_key_sid.cloned(),
            ..before.clone()
        };
        let replaced = if secret.is_some() {
            "; secret replaced"
        } else {
            ""
        };
        let (entry, staff_id) = trail.one_step(
            Some(id),
            AuditAction::ProjectEdited,
            format!("project \u{201c}{}\u{201d} edited{replaced}", after.name),
            Some(summary_json(&before)),
            Some(summary_json(&after)),
        );
        let found = self
            .store
            .update_project(
                id,
                &update.name,
                update.login.kind(),
                api_key_sid,
                sealed.as_deref().zip(key_check.as_deref()),
                Some(Audited {
                    entry: &entry,
                    staff_id,
                }),
            )
            .await
            .map_err(store_failure)?;
        if !found {
            return Err(AppError::no_project(id.as_str()));
        }
        if secret.is_some() {
            self.record(id, Ok(())).await;
            tracing::info!(project = %id, "project login replaced");
        }
        self.summary(id).await
    }

    /// Forgets a project, with its audit entry in the same transaction.
    pub async fn remove(&self, id: &ProjectId, trail: &Trail) -> Result<(), AppError> {
        let removed = self.row(id).await?.summary();
        let (entry, staff_id) = trail.one_step(
            Some(id),
            AuditAction::ProjectRemoved,
            format!("project \u{201c}{}\u{201d} removed", removed.name),
            Some(summary_json(&removed)),
            None,
        );
        let audit = Audited {
            entry: &entry,
            staff_id,
        };
        if !self
            .store
            .delete_project(id, Some(audit))
            .await
            .map_err(internal)?
        {
            return Err(AppError::no_project(id.as_str()));
        }
        tracing::info!(project = %id, "project removed");
        Ok(())
    }

    /// Tests the stored login again and keeps the outcome for the list.
    pub async fn check(&self, id: &ProjectId) -> Result<LoginCheck, AppError> {
        let row = self.row(id).await?;
        let client = self.client_of(&row)?;
        let outcome = test_login(&client, &row.account_sid).await;
        Ok(self.record(id, outcome).await)
    }

    /// Adds the project, or updates the login of the one registered for its
    /// account (start-up flags, the demo). The login is tested first: a new
    /// project is stored whatever the outcome (the list shows it), but a
    /// stored login is replaced only by one that works.
    pub async fn register(
        &self,
        update: &ProjectUpdate,
        id: Option<ProjectId>,
    ) -> Result<ProjectId, String> {
        let secret = update
            .secret
            .clone()
            .ok_or("a project registered at start needs its secret")?;
        let client = self.login_client(&update.login, &update.account_sid, secret.clone());
        let outcome = test_login(&client, &update.account_sid).await;
        let key_check = self.current_key_check().await.map_err(|e| e.to_string())?;
        let existing = self
            .store
            .project_by_account(&update.account_sid)
            .await
            .map_err(|e| e.to_string())?;
        let api_key_sid = update.login.api_key_sid();
        let id = match existing {
            Some(row) if outcome.is_err() => {
                let problem = outcome.err().map(|e| e.to_string()).unwrap_or_default();
                tracing::warn!(project = %row.id, account = %update.account_sid, "the login given at start does not work ({problem}); the stored login is kept");
                return Ok(row.id);
            }
            Some(row) => {
                let sealed = self.vault.seal(&row.id, &secret);
                self.store
                    .update_project(
                        &row.id,
                        &row.name,
                        update.login.kind(),
                        api_key_sid,
                        Some((&sealed, &key_check)),
                        None,
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                row.id
            }
            None => {
                let id = id.unwrap_or_else(new_id);
                self.insert(&id, update, &secret, &key_check, None)
                    .await
                    .map_err(|e| e.to_string())?;
                id
            }
        };
        let check = self.record(&id, outcome).await;
        if let Some(problem) = &check.message {
            tracing::warn!(project = %id, account = %update.account_sid, "the login does not work: {problem}");
        }
        Ok(id)
    }

    /// The store's key check, if this instance's key opens it: refuses to
    /// seal with a key the store no longer uses (rotated while this
    /// instance ran), since such a secret would not open after a restart.
    /// The write that follows is made only while the store still holds
    /// this very check, so a rotation committed in between refuses it too.
    pub(super) async fn key_check(&self) -> Result<String, StoreError> {
        self.current_key_check().await
    }

    async fn current_key_check(&self) -> Result<String, StoreError> {
        match self.store.key_check().await? {
            Some(check) if self.vault.opens_check(&check) => Ok(check),
            _ => Err(StoreError::KeyRotated),
        }
    }

    /// Stores a new project with its secret sealed for its id.
    async fn insert(
        &self,
        id: &ProjectId,
        update: &ProjectUpdate,
        secret: &str,
        key_check: &str,
        audit: Option<Audited<'_>>,
    ) -> Result<(), StoreError> {
        let sealed = self.vault.seal(id, secret);
        self.store
            .insert_project(&NewProject {
                id,
                name: &update.name,
                account_sid: &update.account_sid,
                login: update.login.kind(),
                api_key_sid: update.login.api_key_sid(),
                sealed_secret: &sealed,
                key_check: Some(key_check),
                audit,
            })
            .await
    }

    async fn row(&self, id: &ProjectId) -> Result<ProjectRow, AppError> {
        self.store
            .project(id)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::no_project(id.as_str()))
    }

    fn client_of(&self, row: &ProjectRow) -> Result<TwilioClient, AppError> {
        let secret = self.vault.open(&row.id, &row.sealed_secret).map_err(|e| {
            tracing::error!(project = %row.id, "the stored secret does not open: {e}");
            AppError::Internal {
                id: format!("sealed-{}", row.id),
            }
        })?;
        let username = match &row.api_key_sid {
            Some(key) => key.to_string(),
            None => row.account_sid.to_string(),
        };
        Ok(self.twilio.client(username, secret))
    }

    pub(super) fn login_client(
        &self,
        login: &Login,
        account: &AccountSid,
        secret: String,
    ) -> TwilioClient {
        let username = match login {
            Login::ApiKey(key) => key.to_string(),
            Login::AuthToken => account.to_string(),
        };
        self.twilio.client(username, SecretString::from(secret))
    }

    pub(super) async fn record_check(
        &self,
        id: &ProjectId,
        outcome: Result<(), AppError>,
    ) -> LoginCheck {
        self.record(id, outcome).await
    }

    async fn record(&self, id: &ProjectId, outcome: Result<(), AppError>) -> LoginCheck {
        let check = LoginCheck {
            at: crate::store::now(),
            worked: outcome.is_ok(),
            message: outcome.err().map(|e| e.to_string()),
        };
        if let Err(e) = self.store.record_check(id, &check).await {
            tracing::error!(project = %id, "could not keep the connection test's outcome: {e}");
        }
        check
    }
}

/// Logs in and reads the Composition settings, which every account has: the
/// login works, and belongs to `account`.
pub async fn test_login(client: &TwilioClient, account: &AccountSid) -> Result<(), AppError> {
    let settings = client.fetch_settings(SettingsKind::Composition).await?;
    match settings.account_sid {
        Some(found) if found.as_str().eq_ignore_ascii_case(account.as_str()) => Ok(()),
        Some(found) => Err(invalid(
            Field::AccountSid,
            format!("does not match the login: Twilio answered for account {found}. Check the account SID, or use a key of this account."),
        )),
        // Fail closed: an answer that does not say whose it is proves nothing.
        None => Err(AppError::Unavailable {
            message: "Twilio's answer did not name the account, so the login could not be checked; try again".into(),
        }),
    }
}

fn duplicate(name: &str) -> AppError {
    invalid(
        Field::AccountSid,
        format!(
            "is already registered as project \u{201c}{name}\u{201d}; edit that project instead"
        ),
    )
}

fn invalid(field: Field, message: impl Into<String>) -> AppError {
    let mut errors = FieldErrors::default();
    errors.push(field, message);
    AppError::Invalid(errors)
}

/// A project as its audit entries keep it.
pub fn summary_json(project: &ProjectSummary) -> String {
    serde_json::json!({
        "name": project.name,
        "account_sid": project.account_sid,
        "login": project.login.slug(),
        "api_key_sid": project.api_key_sid,
    })
    .to_string()
}

/// A rotated key is said as it is (the operator must restart); any other
/// store failure is internal.
pub(super) fn store_failure(error: StoreError) -> AppError {
    match error {
        StoreError::KeyRotated => AppError::NotDone(error.to_string()),
        e => internal(e),
    }
}

/// A store failure: logged in full, shown by reference; or, when the
/// database could not be reached, said as it is (503), logged once per
/// outage.
pub fn internal<E: std::fmt::Display + 'static>(error: E) -> AppError {
    let any: &dyn std::any::Any = &error;
    let unavailable = any
        .downcast_ref::<StoreError>()
        .is_some_and(StoreError::is_unavailable)
        || any
            .downcast_ref::<sqlx::Error>()
            .is_some_and(crate::store::outage::is_unavailable);
    if unavailable {
        crate::store::outage::note_unavailable(&error);
        return AppError::database_unavailable();
    }
    let id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    tracing::error!(reference = %id, "{error}");
    AppError::Internal { id }
}

/// Ten characters, no look-alikes: short enough to read in a URL.
pub(super) fn new_id() -> ProjectId {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    let id: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    id.parse().expect("the alphabet is path-safe")
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_distinct_and_path_safe() {
        let a = super::new_id();
        let b = super::new_id();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 10);
    }
}
