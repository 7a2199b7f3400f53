//! The projects table.

use super::{Store, StoreError};
use crate::domain::{AccountSid, ApiKeySid, LoginCheck, LoginKind, ProjectId, ProjectSummary};
use crate::vault::SealedFor;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A stored project, its secret still sealed.
#[derive(Clone, Debug)]
pub struct ProjectRow {
    pub id: ProjectId,
    pub name: String,
    pub account_sid: AccountSid,
    pub login: LoginKind,
    pub api_key_sid: Option<ApiKeySid>,
    pub sealed_secret: String,
    pub check: Option<LoginCheck>,
}

impl ProjectRow {
    /// What pages may show: everything but the secret.
    pub fn summary(&self) -> ProjectSummary {
        ProjectSummary {
            id: self.id.clone(),
            name: self.name.clone(),
            account_sid: self.account_sid.clone(),
            login: self.login,
            api_key_sid: self.api_key_sid.clone(),
            check: self.check.clone(),
        }
    }

    fn from_row(row: &AnyRow) -> Result<Self, StoreError> {
        let text = |column: &str| row.try_get::<String, _>(column);
        let bad = |column: &str, problem: String| {
            StoreError::Database(sqlx::Error::ColumnDecode {
                index: column.to_owned(),
                source: problem.into(),
            })
        };
        let login = text("login_kind")?;
        let checked_at = row.try_get::<Option<i64>, _>("checked_at")?;
        let status = row.try_get::<Option<String>, _>("check_status")?;
        Ok(Self {
            id: text("id")?.parse().map_err(|e| bad("id", e))?,
            name: text("name")?,
            account_sid: text("account_sid")?
                .parse()
                .map_err(|e: crate::domain::SidError| bad("account_sid", e.to_string()))?,
            login: LoginKind::from_slug(&login)
                .ok_or_else(|| bad("login_kind", format!("unknown login kind {login}")))?,
            api_key_sid: row
                .try_get::<Option<String>, _>("api_key_sid")?
                .map(|sid| sid.parse())
                .transpose()
                .map_err(|e: crate::domain::SidError| bad("api_key_sid", e.to_string()))?,
            sealed_secret: text("sealed_secret")?,
            check: checked_at.map(|at| LoginCheck {
                at,
                worked: status.as_deref() == Some("ok"),
                message: row
                    .try_get::<Option<String>, _>("check_message")
                    .ok()
                    .flatten(),
            }),
        })
    }
}

/// A project to insert, its secret already sealed for its id.
pub struct NewProject<'a> {
    pub id: &'a ProjectId,
    pub name: &'a str,
    pub account_sid: &'a AccountSid,
    pub login: LoginKind,
    pub api_key_sid: Option<&'a ApiKeySid>,
    pub sealed_secret: &'a str,
    /// The vault's key check as read when the secret was sealed: the row
    /// is written only if the database still holds that check, so a key
    /// rotated meanwhile refuses it ([`StoreError::KeyRotated`]).
    pub key_check: Option<&'a str>,
    /// Written in the same transaction: both land or neither.
    pub audit: Option<Audited<'a>>,
}

/// An audit entry for a change that touches only the store, written in the
/// change's own transaction.
#[derive(Clone, Copy)]
pub struct Audited<'a> {
    pub entry: &'a crate::domain::audit::AuditEntry,
    pub staff_id: Option<&'a str>,
}

impl Audited<'_> {
    pub(super) async fn write(
        self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    ) -> Result<(), StoreError> {
        super::audit::insert_audit(&mut **tx, self.entry, self.staff_id, None).await?;
        Ok(())
    }
}

/// Inserts `new` (and its audit entry) in the transaction `tx`.
pub(super) async fn insert_on(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    new: &NewProject<'_>,
) -> Result<(), StoreError> {
    let now = super::now();
    // One statement: the key check and the insert cannot be split by a
    // rotation's commit (on PostgreSQL the rotation locks the table, and
    // this statement's snapshot is taken once that lock is released).
    let sql = if new.key_check.is_some() {
        "INSERT INTO projects (id, name, account_sid, login_kind, api_key_sid, sealed_secret, created_at, updated_at) SELECT $1, $2, $3, $4, $5, $6, $7, $7 FROM vault WHERE id = 1 AND key_check = $8"
    } else {
        "INSERT INTO projects (id, name, account_sid, login_kind, api_key_sid, sealed_secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)"
    };
    let mut query = sqlx::query(sql)
        .bind(new.id.as_str())
        .bind(new.name)
        .bind(new.account_sid.as_str())
        .bind(new.login.slug())
        .bind(new.api_key_sid.map(|s| s.as_str().to_owned()))
        .bind(new.sealed_secret)
        .bind(now);
    if let Some(check) = new.key_check {
        query = query.bind(check);
    }
    match query.execute(&mut **tx).await {
        Ok(done) if done.rows_affected() == 0 => Err(StoreError::KeyRotated),
        Ok(_) => {
            if let Some(audit) = new.audit {
                audit.write(tx).await?;
            }
            Ok(())
        }
        Err(e) if is_unique_violation(&e) => {
            Err(StoreError::DuplicateAccount(new.account_sid.to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

const COLUMNS: &str = "id, name, account_sid, login_kind, api_key_sid, sealed_secret, checked_at, check_status, check_message";

impl Store {
    /// Every project, by name.
    pub async fn list_projects(&self) -> Result<Vec<ProjectRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM projects ORDER BY LOWER(name), id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(ProjectRow::from_row).collect()
    }

    pub async fn project(&self, id: &ProjectId) -> Result<Option<ProjectRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM projects WHERE id = $1"))
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(ProjectRow::from_row).transpose()
    }

    pub async fn project_by_account(
        &self,
        sid: &AccountSid,
    ) -> Result<Option<ProjectRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM projects WHERE account_sid = $1"
        ))
        .bind(sid.as_str())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(ProjectRow::from_row).transpose()
    }

    /// Adds a project; an account already registered is refused.
    pub async fn insert_project(&self, new: &NewProject<'_>) -> Result<(), StoreError> {
        let mut tx = self.writer().begin().await?;
        insert_on(&mut tx, new).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes a project's name and login; `sealed` `None` keeps the
    /// stored secret, else it is the new sealed secret with the key check
    /// it was sealed under (see [`NewProject::key_check`]). False when there
    /// is no such project.
    pub async fn update_project(
        &self,
        id: &ProjectId,
        name: &str,
        login: LoginKind,
        api_key_sid: Option<&ApiKeySid>,
        sealed: Option<(&str, &str)>,
        audit: Option<Audited<'_>>,
    ) -> Result<bool, StoreError> {
        let (sealed_secret, key_check) = sealed.unzip();
        let mut tx = self.writer().begin().await?;
        let result = sqlx::query(
            "UPDATE projects SET name = $2, login_kind = $3, api_key_sid = $4, sealed_secret = COALESCE($5, sealed_secret), updated_at = $6 WHERE id = $1 AND ($7 = '' OR EXISTS (SELECT 1 FROM vault WHERE vault.id = 1 AND vault.key_check = $7))",
        )
        .bind(id.as_str())
        .bind(name)
        .bind(login.slug())
        .bind(api_key_sid.map(|s| s.as_str().to_owned()))
        .bind(sealed_secret.map(str::to_owned))
        .bind(super::now())
        .bind(key_check.unwrap_or_default().to_owned())
        .execute(&mut *tx)
        .await?;
        if result.rows_affected() == 1 {
            if let Some(audit) = audit {
                audit.write(&mut tx).await?;
            }
            tx.commit().await?;
            return Ok(true);
        }
        drop(tx);
        if key_check.is_some() && self.project(id).await?.is_some() {
            return Err(StoreError::KeyRotated);
        }
        Ok(false)
    }

    /// False when there was no such project. Its snapshots, their history
    /// and the templates it follows go in the same transaction.
    pub async fn delete_project(
        &self,
        id: &ProjectId,
        audit: Option<Audited<'_>>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer().begin().await?;
        let result = sqlx::query("DELETE FROM projects WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        if result.rows_affected() != 1 {
            return Ok(false);
        }
        // What was read of it goes with it: a project added again later
        // under the same id starts a history (and follows templates) anew.
        for table in [
            "snapshots",
            "state_history",
            "project_templates",
            "credential_lists",
            "drift",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE project_id = $1"))
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
        }
        if let Some(audit) = audit {
            audit.write(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Keeps the outcome of a connection test for the projects list.
    pub async fn record_check(&self, id: &ProjectId, check: &LoginCheck) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE projects SET checked_at = $2, check_status = $3, check_message = $4 WHERE id = $1",
        )
        .bind(id.as_str())
        .bind(check.at)
        .bind(if check.worked { "ok" } else { "failed" })
        .bind(check.message.clone())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Replaces every sealed secret with `reseal(id, sealed)` and the key
    /// check with `key_check`, in one transaction: on any error nothing is
    /// changed. Answers how many secrets were re-sealed.
    pub async fn reseal_all<E>(
        &self,
        mut reseal: impl FnMut(SealedFor<'_>, &str) -> Result<String, E>,
        key_check: &str,
    ) -> Result<usize, ResealError<E>> {
        let mut tx = self.writer().begin().await.map_err(ResealError::store)?;
        // Take the write lock first: on SQLite another process's insert
        // then waits for this commit (and finds the new key check) instead
        // of slipping in between this read and its writes.
        sqlx::query("UPDATE vault SET key_check = key_check WHERE id = 1")
            .execute(&mut *tx)
            .await
            .map_err(ResealError::store)?;
        if self.backend() == super::Backend::Postgres {
            // Other instances' writes wait until the new key is in place.
            sqlx::query("LOCK TABLE projects, kept_parents IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await
                .map_err(ResealError::store)?;
        }
        let rows = sqlx::query("SELECT id, sealed_secret FROM projects ORDER BY id")
            .fetch_all(&mut *tx)
            .await
            .map_err(ResealError::store)?;
        for row in &rows {
            let id: String = row.try_get("id").map_err(ResealError::store)?;
            let sealed: String = row.try_get("sealed_secret").map_err(ResealError::store)?;
            let id = id
                .parse::<ProjectId>()
                .map_err(|e| ResealError::Store(StoreError::Database(sqlx::Error::Protocol(e))))?;
            let fresh = reseal(SealedFor::Project(&id), &sealed).map_err(ResealError::Seal)?;
            sqlx::query("UPDATE projects SET sealed_secret = $2 WHERE id = $1")
                .bind(id.as_str())
                .bind(fresh)
                .execute(&mut *tx)
                .await
                .map_err(ResealError::store)?;
        }
        // Kept parent logins are sealed notes bound to the parent's SID.
        let parents =
            sqlx::query("SELECT parent_sid, sealed_login FROM kept_parents ORDER BY parent_sid")
                .fetch_all(&mut *tx)
                .await
                .map_err(ResealError::store)?;
        for row in &parents {
            let sid: String = row.try_get("parent_sid").map_err(ResealError::store)?;
            let sealed: String = row.try_get("sealed_login").map_err(ResealError::store)?;
            let context = crate::domain::subaccount::kept_login_context(&sid);
            let fresh = reseal(SealedFor::Note(&context), &sealed).map_err(ResealError::Seal)?;
            sqlx::query("UPDATE kept_parents SET sealed_login = $2 WHERE parent_sid = $1")
                .bind(sid)
                .bind(fresh)
                .execute(&mut *tx)
                .await
                .map_err(ResealError::store)?;
        }
        sqlx::query("UPDATE vault SET key_check = $1 WHERE id = 1")
            .bind(key_check)
            .execute(&mut *tx)
            .await
            .map_err(ResealError::store)?;
        tx.commit().await.map_err(ResealError::store)?;
        Ok(rows.len() + parents.len())
    }
}

/// Why re-sealing stopped (and changed nothing).
#[derive(Debug, thiserror::Error)]
pub enum ResealError<E> {
    #[error("{0}")]
    Store(StoreError),
    #[error("a secret could not be re-sealed: {0}")]
    Seal(E),
}

impl<E> ResealError<E> {
    fn store(e: sqlx::Error) -> Self {
        Self::Store(StoreError::Database(e))
    }
}

/// The account SID's unique index refused the row: PostgreSQL names the
/// constraint, SQLite the column.
fn is_unique_violation(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(e) => {
            e.constraint() == Some("projects_account_sid_key")
                || e.message().contains("projects.account_sid")
        }
        _ => false,
    }
}
