//! Parent logins an admin chose to keep: sealed in the store, they find the
//! subaccounts that are not yet projects, when an admin asks ("Find new
//! subaccounts") and on a schedule whose findings the fleet page shows.
//! The schedule's state is in the database (each parent's last check), and
//! one instance at a time checks (a lease), so a restart or a second
//! instance neither loses nor doubles a check.

use super::import::ParentLogin;
use super::parent_login::one;
use super::projects::{internal, store_failure};
use super::trail::Trail;
use super::{Action, Caller, Projects};
use crate::domain::audit::AuditAction;
use crate::domain::subaccount::KeptParent;
use crate::domain::{AccountSid, AppError, Field};
use crate::store::{Audited, KeptParentRow};
use std::time::Duration;

/// The schedule's lease between instances.
const CHECK_LEASE: &str = "parent-check";

fn view(row: KeptParentRow) -> KeptParent {
    KeptParent {
        sid: row.parent_sid,
        name: row.parent_name,
        api_key_sid: row.api_key_sid,
        kept_by: row.kept_by,
        kept_at: row.kept_at,
        checked_at: row.checked_at,
        new_count: row.new_count,
        check_error: row.check_error,
    }
}

fn not_kept(sid: &str) -> AppError {
    AppError::NotFound(format!(
        "No login of parent {sid} is kept: list its subaccounts with its login and tick \u{201c}keep the parent's login\u{201d}."
    ))
}

impl Projects {
    /// Keeps `login` (proven by the listing just made), sealed, replacing
    /// any kept before for the same parent; `new` subaccounts are not yet
    /// projects.
    pub(super) async fn keep_parent(
        &self,
        caller: &Caller,
        login: &ParentLogin,
        name: &str,
        new: usize,
    ) -> Result<(), AppError> {
        caller.may(Action::Administer, None)?;
        let now = crate::store::now();
        let sid = login.account_sid().to_string();
        let row = KeptParentRow {
            parent_sid: sid.clone(),
            parent_name: name
                .chars()
                .take(crate::domain::project::MAX_PROJECT_NAME)
                .collect(),
            api_key_sid: login.api_key_sid().map(ToString::to_string),
            sealed_login: login.seal_kept(self),
            kept_by: caller.name.clone(),
            kept_at: now,
            checked_at: Some(now),
            new_count: Some(new as i64),
            check_error: None,
        };
        let with = match login.api_key_sid() {
            Some(key) => format!("Main API key {key}"),
            None => "auth token".to_owned(),
        };
        let trail = Trail::of(self.store(), caller);
        let (entry, staff_id) = trail.one_step(
            None,
            AuditAction::ParentKept,
            format!("login of parent {sid} kept ({with}) to find new subaccounts"),
            None,
            None,
        );
        let key_check = self.key_check().await.map_err(store_failure)?;
        self.store()
            .keep_parent(
                &row,
                &key_check,
                Audited {
                    entry: &entry,
                    staff_id,
                },
            )
            .await
            .map_err(store_failure)
    }

    /// Every kept parent, for admins.
    pub async fn kept_parents(&self, caller: &Caller) -> Result<Vec<KeptParent>, AppError> {
        caller.may(Action::Administer, None)?;
        let rows = self.store().kept_parents().await.map_err(internal)?;
        Ok(rows.into_iter().map(view).collect())
    }

    /// Lists the kept parent's subaccounts that are not yet projects, as an
    /// import to choose from: its id.
    pub async fn find_new_subaccounts(
        &self,
        caller: &Caller,
        parent: &AccountSid,
    ) -> Result<String, AppError> {
        caller.may(Action::Administer, None)?;
        let sid = parent.as_str();
        let row = self
            .store()
            .kept_parent(sid)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_kept(sid))?;
        let login = ParentLogin::open_kept(self, sid, &row.sealed_login).ok_or_else(|| {
            AppError::Invalid(one(Field::Secret, "of the kept parent login no longer opens (it was sealed with another master key): forget it, then list the subaccounts with the parent's login again"))
        })?;
        let now = crate::store::now();
        match self.discover_among(caller, &login, true).await {
            Ok((found, _)) => {
                // Only the new ones were listed.
                let new = found.accounts.len() as i64;
                let _ = self.store().record_parent_check(sid, now, Ok(new)).await;
                Ok(found.id)
            }
            Err(e) => {
                let _ = self
                    .store()
                    .record_parent_check(sid, now, Err(&e.to_string()))
                    .await;
                Err(e)
            }
        }
    }

    /// Drops a kept parent login, audited.
    pub async fn forget_parent(
        &self,
        caller: &Caller,
        parent: &AccountSid,
    ) -> Result<(), AppError> {
        caller.may(Action::Administer, None)?;
        let trail = Trail::of(self.store(), caller);
        let (entry, staff_id) = trail.one_step(
            None,
            AuditAction::ParentForgotten,
            format!("kept login of parent {parent} forgotten"),
            None,
            None,
        );
        let gone = self
            .store()
            .forget_parent(
                parent.as_str(),
                Audited {
                    entry: &entry,
                    staff_id,
                },
            )
            .await
            .map_err(store_failure)?;
        if gone {
            Ok(())
        } else {
            Err(not_kept(parent.as_str()))
        }
    }

    /// What the fleet tells admins: each kept parent with subaccounts that
    /// are not yet projects, or whose check failed, in words.
    pub async fn parent_notices(&self, caller: &Caller) -> Vec<String> {
        if caller.may(Action::Administer, None).is_err() {
            return Vec::new();
        }
        let rows = match self.store().kept_parents().await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!("the kept parents could not be read for the fleet: {e}");
                Vec::new()
            }
        };
        rows.into_iter()
            .filter_map(|row| match (&row.check_error, row.new_count) {
                (Some(why), _) => Some(format!(
                    "{} ({}): the last check for new subaccounts failed: {why}",
                    row.parent_name, row.parent_sid
                )),
                (None, Some(n)) if n > 0 => Some(format!(
                    "{} ({}) has {}.",
                    row.parent_name,
                    row.parent_sid,
                    match n {
                        1 => "1 active subaccount that is not yet a project".to_owned(),
                        n => format!("{n} active subaccounts that are not yet projects"),
                    }
                )),
                _ => None,
            })
            .collect()
    }

    /// Checks one kept parent: how many active subaccounts are not yet
    /// projects, or why it could not tell; recorded either way.
    pub async fn check_parent(&self, row: &KeptParentRow) -> Result<i64, String> {
        let now = crate::store::now();
        let found = match ParentLogin::open_kept(self, &row.parent_sid, &row.sealed_login) {
            None => Err(
                "the kept login no longer opens (it was sealed with another master key)".to_owned(),
            ),
            Some(login) => match self.subaccounts(&login).await {
                Err(e) => Err(e.to_string()),
                Ok((_, subs)) => self
                    .new_subaccounts(subs.iter())
                    .await
                    .map_err(|e| e.to_string()),
            },
        };
        let recorded = match &found {
            Ok(n) => Ok(*n),
            Err(why) => Err(why.as_str()),
        };
        if let Err(e) = self
            .store()
            .record_parent_check(&row.parent_sid, now, recorded)
            .await
        {
            tracing::warn!(
                parent = row.parent_sid,
                "a parent check was not recorded: {e}"
            );
        }
        found
    }
}

/// The longest one parent's check may take: well within the lease, so
/// no second instance takes the schedule over while a check runs.
const CHECK_DEADLINE: Duration = Duration::from_secs(60);

/// Every tick, whichever instance holds the lease checks the kept parents
/// not checked within `interval` (started once per process). Each parent
/// is claimed in the database before its check, and the lease renewed, so
/// two instances never check one parent for the same interval.
pub fn watch(projects: Projects, interval: Duration) -> tokio::task::JoinHandle<()> {
    let instance = uuid::Uuid::new_v4().simple().to_string();
    let tick = (interval / 4).clamp(Duration::from_millis(250), Duration::from_secs(60));
    let lease = (CHECK_DEADLINE * 2).as_secs() as i64;
    tokio::spawn(async move {
        loop {
            let store = projects.store();
            let now = crate::store::now();
            let before = now - interval.as_secs() as i64;
            let due = match store
                .take_lease(CHECK_LEASE, &instance, now, now + lease)
                .await
            {
                Ok(true) => store.parents_due(before).await.unwrap_or_else(|e| {
                    tracing::warn!("the kept parents due a check could not be read: {e}");
                    Vec::new()
                }),
                Ok(false) => Vec::new(),
                Err(e) => {
                    tracing::warn!("the parent check could not take its lease: {e}");
                    Vec::new()
                }
            };
            for row in due {
                let now = crate::store::now();
                // Still this instance's turn, and still this parent's.
                if !matches!(
                    store
                        .take_lease(CHECK_LEASE, &instance, now, now + lease)
                        .await,
                    Ok(true)
                ) {
                    break;
                }
                if !matches!(
                    store.claim_parent_check(&row.parent_sid, now, before).await,
                    Ok(true)
                ) {
                    continue;
                }
                match tokio::time::timeout(CHECK_DEADLINE, projects.check_parent(&row)).await {
                    Ok(Ok(n)) => {
                        tracing::info!(parent = row.parent_sid, new = n, "kept parent checked")
                    }
                    Ok(Err(why)) => {
                        tracing::warn!(parent = row.parent_sid, "kept parent check failed: {why}")
                    }
                    Err(_) => {
                        let why = AppError::did_not_answer(CHECK_DEADLINE.as_secs()).to_string();
                        let _ = store
                            .record_parent_check(&row.parent_sid, now, Err(&why))
                            .await;
                        tracing::warn!(parent = row.parent_sid, "kept parent check: {why}");
                    }
                }
            }
            tokio::time::sleep(tick).await;
        }
    })
}
