//! Bringing a parent account's subaccounts in as projects. The parent's
//! login lists them and makes a Standard API key inside each one chosen;
//! that key, sealed, becomes the project's login, so nothing of the parent
//! is kept unless an admin asks (see `parents`).

pub use super::parent_login::ParentLogin;
use super::parent_login::{one, LOGIN_LIFETIME};
use super::projects::{internal, new_id, store_failure, summary_json, test_login, Projects};
use super::trail::Trail;
use super::{Action, Caller};
use crate::domain::audit::AuditAction;
use crate::domain::subaccount::{
    Discovered, Discovery, ImportItem, ImportOutcome, ImportState, ImportView, Imported,
    KnownProject,
};
use crate::domain::{
    AccountSid, AccountStatus, AppError, Field, LoginKind, ProjectSummary, SettingsKind,
};
use crate::store::imports::STALE_AFTER;
use crate::store::{Audited, ImportRow, NewProject, ProjectRow};
use crate::twilio::{NewKey, Subaccount, TwilioClient, TwilioError};
use futures_util::StreamExt;
use secrecy::ExposeSecret;
use std::collections::HashMap;
use std::time::Duration;

/// Subaccounts imported at once. Every key is made with the parent's
/// login, so this is also the parent's concurrency at Twilio; each
/// subaccount's own login makes one call.
const AT_ONCE: usize = 32;
/// Tries of a key creation that Twilio answered 429 (20429: not
/// processed, so safe to send again).
const BUSY_TRIES: u32 = 4;
/// The longest one subaccount's Twilio calls may take together.
const DEADLINE: Duration = Duration::from_secs(30);
/// Twilio allows 1,000 subaccounts by default.
pub const MAX_CHOSEN: usize = 1000;
/// How often a running import marks itself alive (see `STALE_AFTER`).
const BEAT: Duration = Duration::from_secs(10);

impl Projects {
    /// The parent's subaccounts (all pages, the parent left out), each with
    /// the project already registered for it. With `keep`, the login is
    /// kept sealed afterwards, to find new subaccounts later.
    pub async fn discover(
        &self,
        caller: &Caller,
        login: &ParentLogin,
        keep: bool,
    ) -> Result<Discovery, AppError> {
        let (found, parent_name) = self.discover_among(caller, login, false).await?;
        if keep {
            let new = found.accounts.iter().filter(|a| is_new(a)).count();
            self.keep_parent(caller, login, &parent_name, new).await?;
        }
        Ok(found)
    }

    /// As `discover`; with `only_new`, only subaccounts that are not yet
    /// projects are listed. The parent's name comes along.
    pub(super) async fn discover_among(
        &self,
        caller: &Caller,
        login: &ParentLogin,
        only_new: bool,
    ) -> Result<(Discovery, String), AppError> {
        caller.may(Action::Administer, None)?;
        // Parent logins past their time go, whoever's they were.
        if let Err(e) = self.store().forget_expired_logins().await {
            tracing::warn!("could not drop expired parent logins: {e}");
        }
        let (parent_name, subs) = self.subaccounts(login).await?;
        let known = self.known_projects().await?;
        let accounts: Vec<Discovered> = subs
            .into_iter()
            .map(|sub| Discovered {
                project: known.get(&sub.sid).map(known_project),
                sid: sub.sid,
                name: sub.friendly_name,
                status: sub.status,
            })
            .filter(|found| !only_new || is_new(found))
            .collect();
        let id = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
        let now = crate::store::now();
        let expires = now + LOGIN_LIFETIME;
        let row = ImportRow {
            id: id.clone(),
            parent_sid: login.account_sid().to_string(),
            started_by: caller.name.clone(),
            staff_id: caller.id.to_string(),
            created_at: now,
            started_at: None,
            beat_at: None,
            finished_at: None,
            has_login: true,
        };
        let sealed = login.seal(self, &id, caller, expires);
        self.store()
            .create_import(&row, &sealed, expires, &accounts)
            .await
            .map_err(store_failure)?;
        let found = Discovery {
            id,
            parent: login.account_sid().clone(),
            accounts,
        };
        Ok((found, parent_name))
    }

    /// An import as its page shows it; only the admin who discovered it
    /// sees it (it names a parent login they typed).
    pub async fn import_view(&self, caller: &Caller, id: &str) -> Result<ImportView, AppError> {
        let row = self.import_of(caller, id).await?;
        if let Err(e) = self.store().forget_expired_logins().await {
            tracing::warn!("could not drop expired parent logins: {e}");
        }
        let items = self.store().import_items(id).await.map_err(internal)?;
        let now = crate::store::now();
        let state = match (row.started_at, row.finished_at) {
            (None, _) => ImportState::Found,
            (Some(_), Some(_)) => ImportState::Done,
            (Some(_), None) if row.beat_at.is_some_and(|b| b >= now - STALE_AFTER) => {
                ImportState::Running
            }
            (Some(_), None) => ImportState::Interrupted,
        };
        Ok(ImportView {
            id: row.id,
            parent: row.parent_sid,
            started_by: row.started_by,
            state,
            can_import: row.has_login && state != ImportState::Running,
            items: items
                .into_iter()
                .map(|i| ImportItem {
                    found: i.found,
                    chosen: i.chosen,
                    outcome: i.outcome,
                })
                .collect(),
        })
    }

    async fn import_of(&self, caller: &Caller, id: &str) -> Result<ImportRow, AppError> {
        caller.may(Action::Administer, None)?;
        let row = self.store().import(id).await.map_err(internal)?;
        own_row(caller, "import", id, row, |r| &r.staff_id)
    }

    /// Starts importing the `chosen` subaccounts of import `id` in the
    /// background (each outcome is stored as it comes); the page follows.
    /// Only subaccounts of the import without an outcome, or whose last
    /// try failed, are run, whatever else the form names.
    pub async fn start_import(
        &self,
        caller: &Caller,
        id: &str,
        chosen: &[AccountSid],
        console: &str,
    ) -> Result<(), AppError> {
        // Run before: its keys in flight when it stopped may be at Twilio.
        let resumed = self.import_of(caller, id).await?.started_at.is_some();
        check_chosen(chosen)?;
        let names: Vec<String> = chosen.iter().map(ToString::to_string).collect();
        let sealed = self
            .store()
            .start_import(id, &names)
            .await
            .map_err(store_failure)?
            .ok_or_else(|| AppError::NotDone("This import is running already, or the parent's login is no longer held for it (it is kept 30 minutes): list the subaccounts again with the parent's login.".into()))?;
        let login = match ParentLogin::open(self, id, caller, &sealed) {
            Ok(login) => login,
            Err(e) => {
                let _ = self.store().finish_import(id, true).await;
                return Err(e);
            }
        };
        let waiting: Vec<AccountSid> = self
            .store()
            .import_items(id)
            .await
            .map_err(internal)?
            .into_iter()
            .filter(|i| i.chosen && i.outcome.is_none())
            .map(|i| i.found.sid)
            .collect();
        let (projects, caller, id, console) = (
            self.clone(),
            caller.clone(),
            id.to_owned(),
            console.to_owned(),
        );
        tokio::spawn(async move {
            // A sign of life every few seconds, however long one takes.
            let beat = {
                let (store, id) = (projects.store().clone(), id.clone());
                tokio::spawn(async move {
                    let mut every = tokio::time::interval(BEAT);
                    loop {
                        every.tick().await;
                        if let Err(e) = store.beat_import(&id).await {
                            tracing::warn!(import = %id, "could not mark the import alive: {e}");
                        }
                    }
                })
            };
            let done = if waiting.is_empty() {
                Ok(Vec::new())
            } else {
                projects
                    .run_import(&caller, &login, &waiting, &console, Some(&id), resumed)
                    .await
            };
            beat.abort();
            let settled = match &done {
                Ok(done) => done
                    .iter()
                    .all(|d| !matches!(d.outcome, ImportOutcome::Failed { .. })),
                Err(e) => {
                    // The run stopped as a whole: each waiting one says why.
                    tracing::warn!(import = %id, "the import stopped: {e}");
                    let failed = ImportOutcome::Failed {
                        message: format!("not imported: {e}"),
                    };
                    for sid in &waiting {
                        let _ = projects
                            .store()
                            .finish_import_item(&id, sid.as_str(), &failed)
                            .await;
                    }
                    false
                }
            };
            if let Err(e) = projects.store().finish_import(&id, settled).await {
                tracing::error!(import = %id, "could not mark the import finished: {e}");
            }
        });
        Ok(())
    }

    /// Imports the `chosen` subaccounts, at most `AT_ONCE` at a time, each
    /// under its deadline; the answer keeps the order chosen. What Twilio
    /// lists now decides, not what the form says.
    pub async fn import(
        &self,
        caller: &Caller,
        login: &ParentLogin,
        chosen: &[AccountSid],
        console: &str,
    ) -> Result<Vec<Imported>, AppError> {
        self.run_import(caller, login, chosen, console, None, false)
            .await
    }

    /// As `import`; with `record`, each outcome is written to that import
    /// as soon as it is known. A `resumed` import first deletes the keys
    /// this console named in subaccounts that are not projects: a run
    /// stopped mid-way (a killed process) may have made them, and their
    /// secrets went with it.
    async fn run_import(
        &self,
        caller: &Caller,
        login: &ParentLogin,
        chosen: &[AccountSid],
        console: &str,
        record: Option<&str>,
        resumed: bool,
    ) -> Result<Vec<Imported>, AppError> {
        caller.may(Action::Administer, None)?;
        check_chosen(chosen)?;
        let subs: HashMap<AccountSid, Subaccount> = self
            .subaccounts(login)
            .await?
            .1
            .into_iter()
            .map(|s| (s.sid.clone(), s))
            .collect();
        let known = self.known_projects().await?;
        let parent = login.client(self);
        let key_name = key_name(console);
        let orphans = resumed.then(|| format!("composition-admin {console} "));
        let orphans = orphans.as_deref();
        let mut seen = std::collections::HashSet::new();
        let work: Vec<_> = chosen
            .iter()
            .filter(|sid| seen.insert((*sid).clone()))
            .enumerate()
            .map(|(order, sid)| {
                let (parent, key_name) = (&parent, &key_name);
                let (sub, row) = (subs.get(sid), known.get(sid));
                async move {
                    let imported = match sub {
                        Some(sub) => {
                            self.import_one(caller, parent, sub, row, key_name, orphans)
                                .await
                        }
                        None => Imported {
                            sid: sid.clone(),
                            name: String::new(),
                            outcome: ImportOutcome::Failed {
                                message: "is not a subaccount of this parent".into(),
                            },
                        },
                    };
                    if let Some(id) = record {
                        let sid = imported.sid.to_string();
                        if let Err(e) = self
                            .store()
                            .finish_import_item(id, &sid, &imported.outcome)
                            .await
                        {
                            tracing::error!(
                                import = id,
                                account = sid,
                                "could not store an import's outcome: {e}"
                            );
                        }
                    }
                    (order, imported)
                }
            })
            .collect();
        let mut done: Vec<(usize, Imported)> = futures_util::stream::iter(work)
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
        done.sort_by_key(|(order, _)| *order);
        let done: Vec<Imported> = done.into_iter().map(|(_, i)| i).collect();
        self.record_import(caller, login, &done).await;
        self.recount_kept_parent(login.account_sid(), &subs).await;
        Ok(done)
    }

    /// How many of `subs` are active and not yet projects (see `is_new`).
    pub(super) async fn new_subaccounts(
        &self,
        subs: impl Iterator<Item = &Subaccount>,
    ) -> Result<i64, AppError> {
        let known = self.known_projects().await?;
        Ok(subs
            .filter(|s| s.status == AccountStatus::Active && !known.contains_key(&s.sid))
            .count() as i64)
    }

    /// A kept parent's count of new subaccounts, again after an import from
    /// it (the fleet would say they are new until the next check).
    async fn recount_kept_parent(
        &self,
        parent: &AccountSid,
        subs: &HashMap<AccountSid, Subaccount>,
    ) {
        if !matches!(self.store().kept_parent(parent.as_str()).await, Ok(Some(_))) {
            return;
        }
        let Ok(new) = self.new_subaccounts(subs.values()).await else {
            return;
        };
        let now = crate::store::now();
        if let Err(e) = self
            .store()
            .record_parent_check(parent.as_str(), now, Ok(new))
            .await
        {
            tracing::warn!(%parent, "the kept parent's count was not updated: {e}");
        }
    }

    /// The parent's name and its subaccounts, as Twilio lists them now.
    pub(super) async fn subaccounts(
        &self,
        login: &ParentLogin,
    ) -> Result<(String, Vec<Subaccount>), AppError> {
        let client = login.client(self);
        let all = match client.list_accounts().await {
            Ok(all) => all,
            Err(e) => return Err(self.explain_refusal(login, &client, e).await),
        };
        let parent = login.account_sid();
        match all.iter().find(|a| &a.sid == parent) {
            Some(me) if !me.is_main() => Err(AppError::Invalid(one(
                Field::AccountSid,
                &format!(
                    "is a subaccount (of {}): use its parent's login to list subaccounts",
                    me.owner_account_sid
                ),
            ))),
            Some(me) => Ok((
                me.friendly_name.clone(),
                all.iter()
                    .filter(|a| &a.owner_account_sid == parent && &a.sid != parent)
                    .cloned()
                    .collect(),
            )),
            None => Err(AppError::Invalid(one(
                Field::AccountSid,
                "does not match the login: the key or token given belongs to another account",
            ))),
        }
    }

    /// Twilio's 20003 on the Accounts list means a wrong login, or a
    /// Standard key (which reads the v1 hosts but not Accounts): tell which.
    async fn explain_refusal(
        &self,
        login: &ParentLogin,
        client: &TwilioClient,
        error: TwilioError,
    ) -> AppError {
        let refused = matches!(
            error,
            TwilioError::Api {
                code: Some(20003),
                ..
            }
        );
        if !refused {
            return error.into();
        }
        let standard = login.api_key_sid().is_some()
            && client
                .fetch_settings(SettingsKind::Composition)
                .await
                .is_ok();
        if standard {
            AppError::Invalid(one(Field::ApiKeySid, "is a Standard API key, which Twilio does not let list subaccounts or make keys (error 20003): use a Main API key or the auth token"))
        } else {
            AppError::Invalid(one(Field::Secret, "was refused by Twilio (error 20003 Authenticate): check the parent's account SID and the token or key secret"))
        }
    }

    pub(super) async fn known_projects(&self) -> Result<HashMap<AccountSid, ProjectRow>, AppError> {
        let rows = self.store().list_projects().await.map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|row| (row.account_sid.clone(), row))
            .collect())
    }

    async fn import_one(
        &self,
        caller: &Caller,
        parent: &TwilioClient,
        sub: &Subaccount,
        row: Option<&ProjectRow>,
        key_name: &str,
        orphans: Option<&str>,
    ) -> Imported {
        let outcome = match row {
            _ if sub.status != AccountStatus::Active => {
                ImportOutcome::NotImportable { status: sub.status }
            }
            Some(row) if row.check.as_ref().is_none_or(|c| c.worked) => {
                ImportOutcome::AlreadyProject {
                    project: row.id.clone(),
                    name: row.name.clone(),
                }
            }
            _ => {
                if let (Some(prefix), None) = (orphans, row) {
                    self.drop_orphan_keys(caller, parent, sub, prefix).await;
                }
                let until = tokio::time::Instant::now() + DEADLINE;
                self.make_key(caller, parent, sub, row, key_name, until)
                    .await
                    .unwrap_or_else(|message| ImportOutcome::Failed { message })
            }
        };
        Imported {
            sid: sub.sid.clone(),
            name: sub.friendly_name.clone(),
            outcome,
        }
    }

    /// Makes the key, stores it (a new project, or the new login of one
    /// whose login fails), then tests it. A key that cannot be stored is
    /// deleted again.
    async fn make_key(
        &self,
        caller: &Caller,
        parent: &TwilioClient,
        sub: &Subaccount,
        row: Option<&ProjectRow>,
        key_name: &str,
        until: tokio::time::Instant,
    ) -> Result<ImportOutcome, String> {
        let id = row.map_or_else(new_id, |r| r.id.clone());
        // This attempt's own name, so a clean-up deletes no other key.
        let key_name = &format!("{key_name} {id}");
        let trail = Trail::new(
            self.store().clone(),
            &caller.name,
            Some(caller.id.clone()),
            Some(id.clone()),
        );
        let summary = format!(
            "API key \u{201c}{key_name}\u{201d} created in subaccount {}",
            sub.sid
        );
        let attempt = trail
            .attempt(AuditAction::CredentialCreated, summary, None)
            .await
            .map_err(|e| e.to_string())?;
        let key = match tokio::time::timeout_at(until, create_key(parent, &sub.sid, key_name)).await
        {
            Ok(Ok(key)) => key,
            Ok(Err(e)) => {
                let unclear = super::unclear::may_have_reached_twilio(&e)
                    || matches!(
                        e,
                        TwilioError::Api {
                            status: 500 | 502 | 504,
                            ..
                        }
                    );
                let error = AppError::from(e);
                if unclear {
                    let _ = attempt.unknown("Twilio's answer was lost or unclear").await;
                    return Err(self.unclear_key(parent, sub, key_name, &error).await);
                }
                let _ = attempt.failed(&error).await;
                return Err(format!("Twilio refused to make a key: {error}"));
            }
            Err(_) => {
                let _ = attempt.unknown("no answer within the deadline").await;
                let error = AppError::did_not_answer(DEADLINE.as_secs());
                return Err(self.unclear_key(parent, sub, key_name, &error).await);
            }
        };
        let _ = attempt
            .done(None, Some(format!("{{\"api_key_sid\":\"{}\"}}", key.sid)))
            .await;
        if let Err(why) = self.keep_key(&trail, &id, sub, row, &key).await {
            return Err(match parent.delete_key(&sub.sid, &key.sid).await {
                Ok(()) => format!("the key was made but could not be stored ({why}); it was deleted again"),
                Err(e) => format!("the key was made but could not be stored ({why}), and deleting it failed ({e}): delete key {} in Twilio's console", key.sid),
            });
        }
        let client = self
            .twilio()
            .client(key.sid.to_string(), key.secret.clone());
        let tested = match tokio::time::timeout_at(until, test_login(&client, &sub.sid)).await {
            Ok(tested) => tested,
            Err(_) => Err(AppError::did_not_answer(DEADLINE.as_secs())),
        };
        let check = self.record_check(&id, tested).await;
        // The failing key it replaces goes (if it is still there at all).
        if let Some(old) = row.and_then(|r| r.api_key_sid.as_ref()) {
            if old != &key.sid {
                let _ = parent.delete_key(&sub.sid, old).await;
            }
        }
        Ok(match row {
            Some(_) => ImportOutcome::Replaced {
                project: id,
                login_works: check.worked,
                message: check.message,
            },
            None => ImportOutcome::Created {
                project: id,
                login_works: check.worked,
                message: check.message,
            },
        })
    }

    /// Deletes the keys named `prefix…` in `sub` (not a project): left by a
    /// run that stopped before it could store or delete them. Audited.
    async fn drop_orphan_keys(
        &self,
        caller: &Caller,
        parent: &TwilioClient,
        sub: &Subaccount,
        prefix: &str,
    ) {
        let Ok(Ok(keys)) = tokio::time::timeout(DEADLINE, parent.list_keys(&sub.sid)).await else {
            return;
        };
        let trail = Trail::of(self.store(), caller);
        for key in keys.iter().filter(|k| k.friendly_name.starts_with(prefix)) {
            if let Err(e) = parent.delete_key(&sub.sid, &key.sid).await {
                tracing::warn!(account = %sub.sid, key = %key.sid, "a key left by an interrupted import may not have been deleted: {e}");
                continue;
            }
            let (entry, staff_id) = trail.one_step(
                None,
                AuditAction::CredentialDeleted,
                format!(
                    "API key \u{201c}{}\u{201d} ({}) deleted from subaccount {}: an interrupted import had made it, and its secret was lost",
                    key.friendly_name, key.sid, sub.sid
                ),
                None,
                None,
            );
            if let Err(e) = self.store().add_audit(&entry, staff_id).await {
                tracing::error!(account = %sub.sid, "the deleted key's audit entry could not be written: {e}");
            }
        }
    }

    /// A key may have been made though the answer was lost: its secret is
    /// gone with the answer, so keys of this name are deleted.
    async fn unclear_key(
        &self,
        parent: &TwilioClient,
        sub: &Subaccount,
        key_name: &str,
        error: &AppError,
    ) -> String {
        let cleaned = async {
            for key in parent.list_keys(&sub.sid).await? {
                if key.friendly_name == key_name {
                    parent.delete_key(&sub.sid, &key.sid).await?;
                }
            }
            Ok::<_, TwilioError>(())
        };
        match tokio::time::timeout(DEADLINE, cleaned).await {
            Ok(Ok(())) => format!("{error}; any key it made was deleted, so importing again is safe"),
            _ => format!("{error}; a key named \u{201c}{key_name}\u{201d} may exist in the subaccount: delete it in Twilio's console"),
        }
    }

    /// Stores the key: a new project under the subaccount's name, or the
    /// new login of the existing one, with its audit entry.
    async fn keep_key(
        &self,
        trail: &Trail,
        id: &crate::domain::ProjectId,
        sub: &Subaccount,
        row: Option<&ProjectRow>,
        key: &NewKey,
    ) -> Result<(), String> {
        let key_check = self
            .key_check()
            .await
            .map_err(|e| store_failure(e).to_string())?;
        let sealed = self.vault().seal(id, key.secret.expose_secret());
        let name = match row {
            Some(row) => row.name.clone(),
            None if sub.friendly_name.trim().is_empty() => sub.sid.to_string(),
            None => sub
                .friendly_name
                .chars()
                .take(crate::domain::project::MAX_PROJECT_NAME)
                .collect(),
        };
        let summary = ProjectSummary {
            id: id.clone(),
            name: name.clone(),
            account_sid: sub.sid.clone(),
            login: LoginKind::ApiKey,
            api_key_sid: Some(key.sid.clone()),
            check: None,
        };
        let (action, words) = match row {
            Some(_) => (
                AuditAction::ProjectEdited,
                "login replaced by a new key from the parent",
            ),
            None => (AuditAction::ProjectAdded, "imported from its parent"),
        };
        let (entry, staff_id) = trail.one_step(
            Some(id),
            action,
            format!("project \u{201c}{name}\u{201d} {words} ({})", sub.sid),
            row.map(|r| summary_json(&r.summary())),
            Some(summary_json(&summary)),
        );
        let audit = Some(Audited {
            entry: &entry,
            staff_id,
        });
        let stored = match row {
            Some(_) => self
                .store()
                .update_project(
                    id,
                    &name,
                    LoginKind::ApiKey,
                    Some(&key.sid),
                    Some((&sealed, &key_check)),
                    audit,
                )
                .await
                .and_then(|updated| {
                    updated
                        .then_some(())
                        .ok_or(crate::store::StoreError::KeyRotated)
                }),
            None => {
                self.store()
                    .insert_project(&NewProject {
                        id,
                        name: &name,
                        account_sid: &sub.sid,
                        login: LoginKind::ApiKey,
                        api_key_sid: Some(&key.sid),
                        sealed_secret: &sealed,
                        key_check: Some(&key_check),
                        audit,
                    })
                    .await
            }
        };
        stored.map_err(|e| store_failure(e).to_string())
    }

    /// One entry for the import as a whole: who, which parent, how many.
    async fn record_import(&self, caller: &Caller, login: &ParentLogin, done: &[Imported]) {
        let stored = done.iter().filter(|i| i.outcome.stored()).count();
        let trail = Trail::of(self.store(), caller);
        let (entry, staff_id) = trail.one_step(
            None,
            AuditAction::ProjectsImported,
            format!(
                "{stored} of {} subaccounts imported from parent {}",
                done.len(),
                login.account_sid()
            ),
            None,
            None,
        );
        if let Err(e) = self.store().add_audit(&entry, staff_id).await {
            tracing::error!(parent = %login.account_sid(), stored, "the import's audit entry could not be written: {e}");
        }
    }
}

/// Makes a key, again after a 429: Twilio did not process that request.
async fn create_key(
    parent: &TwilioClient,
    account: &AccountSid,
    name: &str,
) -> Result<NewKey, TwilioError> {
    let mut delay = Duration::from_millis(250);
    for _ in 1..BUSY_TRIES {
        match parent.create_key(account, name).await {
            Err(e @ TwilioError::Api { status: 429, .. }) => {
                tokio::time::sleep(e.retry_after().unwrap_or(delay).min(Duration::from_secs(5)))
                    .await;
                delay *= 2;
            }
            other => return other,
        }
    }
    parent.create_key(account, name).await
}

/// Drops parent logins and files' secrets past their 30 minutes every minute, whether or not
/// anyone looks at an import again (started once per process).
pub fn sweep_expired_logins(store: crate::store::Store) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            match store.forget_expired_logins().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(imports = n, "expired parent logins dropped"),
                Err(e) => tracing::warn!("could not drop expired parent logins: {e}"),
            }
            match store.forget_expired_file_secrets().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(files = n, "expired file secrets dropped"),
                Err(e) => tracing::warn!("could not drop expired file secrets: {e}"),
            }
        }
    })
}

fn check_chosen(chosen: &[AccountSid]) -> Result<(), AppError> {
    if chosen.is_empty() {
        return Err(AppError::Invalid(one(
            Field::AccountSid,
            "none chosen: tick at least one subaccount to import",
        )));
    }
    if chosen.len() > MAX_CHOSEN {
        return Err(AppError::Invalid(one(
            Field::AccountSid,
            "too many chosen: at most 1,000 subaccounts in one import",
        )));
    }
    Ok(())
}

/// `row` if `caller` made it; otherwise, as when there is none, "not
/// found": an import names a login or secrets its admin typed, so another
/// admin is not even told it exists.
pub(super) fn own_row<T>(
    caller: &Caller,
    what: &str,
    id: &str,
    row: Option<T>,
    staff_id: impl Fn(&T) -> &str,
) -> Result<T, AppError> {
    match row {
        Some(row) if staff_id(&row) == caller.id.as_str() => Ok(row),
        _ => Err(AppError::NotFound(format!(
            "There is no {what} {id}: it may have been made by someone else, or its address is wrong."
        ))),
    }
}

/// Active and not yet a project: what "new subaccounts" counts.
pub(super) fn is_new(found: &Discovered) -> bool {
    found.status == AccountStatus::Active && found.project.is_none()
}

fn known_project(row: &ProjectRow) -> KnownProject {
    KnownProject {
        id: row.id.clone(),
        name: row.name.clone(),
        login_works: row.check.as_ref().map(|c| c.worked),
    }
}

/// `composition-admin <console> <date>`: whose key it is, and since when.
pub fn key_name(console: &str) -> String {
    let date = time::OffsetDateTime::now_utc().date();
    let name: String = format!("composition-admin {console} {date}");
    // Room for " <project id>" (11 characters) within Twilio's 64.
    name.chars()
        .take(crate::domain::MAX_FRIENDLY_NAME - 11)
        .collect()
}
