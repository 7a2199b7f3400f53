//! Parent logins kept to find new subaccounts later: sealed, with what the
//! last check found.

use super::{Store, StoreError};
use sqlx::Row;

/// A kept parent as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct KeptParentRow {
    pub parent_sid: String,
    pub parent_name: String,
    pub api_key_sid: Option<String>,
    pub sealed_login: String,
    pub kept_by: String,
    pub kept_at: i64,
    pub checked_at: Option<i64>,
    pub new_count: Option<i64>,
    pub check_error: Option<String>,
}

impl std::fmt::Debug for KeptParentRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptParentRow")
            .field("parent_sid", &self.parent_sid)
            .field("checked_at", &self.checked_at)
            .field("new_count", &self.new_count)
            .finish_non_exhaustive()
    }
}

/// The longest reason a check failed kept (Twilio's words, untrusted).
const MAX_CHECK_ERROR: usize = 500;

const COLUMNS: &str = "parent_sid, parent_name, api_key_sid, sealed_login, kept_by, kept_at, checked_at, new_count, check_error";

fn row_of(row: &sqlx::any::AnyRow) -> Result<KeptParentRow, StoreError> {
    Ok(KeptParentRow {
        parent_sid: row.try_get("parent_sid")?,
        parent_name: row.try_get("parent_name")?,
        api_key_sid: row.try_get("api_key_sid")?,
        sealed_login: row.try_get("sealed_login")?,
        kept_by: row.try_get("kept_by")?,
        kept_at: row.try_get("kept_at")?,
        checked_at: row.try_get("checked_at")?,
        new_count: row.try_get("new_count")?,
        check_error: row.try_get("check_error")?,
    })
}

impl Store {
    /// Keeps (or replaces) a parent's sealed login, with the check that
    /// came with it, and its audit entry, in one transaction; only while
    /// the database holds `key_check` (the key it was sealed with), as a
    /// project's secret (see `projects::insert_on`).
    pub async fn keep_parent(
        &self,
        parent: &KeptParentRow,
        key_check: &str,
        audit: super::Audited<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer().begin().await?;
        let kept = sqlx::query(&format!(
            "INSERT INTO kept_parents ({COLUMNS}) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 \
             FROM vault WHERE id = 1 AND key_check = $10 \
             ON CONFLICT (parent_sid) DO UPDATE SET parent_name = $2, api_key_sid = $3, sealed_login = $4, \
             kept_by = $5, kept_at = $6, checked_at = $7, new_count = $8, check_error = $9"
        ))
        .bind(&parent.parent_sid)
        .bind(&parent.parent_name)
        .bind(parent.api_key_sid.clone())
        .bind(&parent.sealed_login)
        .bind(&parent.kept_by)
        .bind(parent.kept_at)
        .bind(parent.checked_at)
        .bind(parent.new_count)
        .bind(parent.check_error.clone())
        .bind(key_check)
        .execute(&mut *tx)
        .await?;
        if kept.rows_affected() == 0 {
            tx.rollback().await?;
            return Err(StoreError::KeyRotated);
        }
        audit.write(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every kept parent, by name.
    pub async fn kept_parents(&self) -> Result<Vec<KeptParentRow>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM kept_parents ORDER BY parent_name, parent_sid"
        ))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(row_of)
        .collect()
    }

    pub async fn kept_parent(&self, sid: &str) -> Result<Option<KeptParentRow>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM kept_parents WHERE parent_sid = $1"
        ))
        .bind(sid)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(row_of)
        .transpose()
    }

    /// Drops a kept login, with its audit entry: false when none was kept.
    pub async fn forget_parent(
        &self,
        sid: &str,
        audit: super::Audited<'_>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer().begin().await?;
        let gone = sqlx::query("DELETE FROM kept_parents WHERE parent_sid = $1")
            .bind(sid)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        audit.write(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// What a check of a kept parent found (`Err`: why it could not look).
    pub async fn record_parent_check(
        &self,
        sid: &str,
        at: i64,
        found: Result<i64, &str>,
    ) -> Result<(), StoreError> {
        let (count, error) = match found {
            Ok(n) => (Some(n), None),
            Err(why) => (
                None,
                Some(why.chars().take(MAX_CHECK_ERROR).collect::<String>()),
            ),
        };
        let query = sqlx::query(
            "UPDATE kept_parents SET checked_at = $2, new_count = COALESCE($3, new_count), check_error = $4 \
             WHERE parent_sid = $1",
        )
        .bind(sid.to_owned())
        .bind(at)
        .bind(count)
        .bind(error);
        self.execute(query).await?;
        Ok(())
    }

    /// Takes parent `sid` for a check at `now` if no check since `before`
    /// took it: false when another instance's did.
    pub async fn claim_parent_check(
        &self,
        sid: &str,
        now: i64,
        before: i64,
    ) -> Result<bool, StoreError> {
        let query = sqlx::query(
            "UPDATE kept_parents SET checked_at = $2 WHERE parent_sid = $1 AND (checked_at IS NULL OR checked_at < $3)",
        )
        .bind(sid.to_owned())
        .bind(now)
        .bind(before);
        Ok(self.execute(query).await?.rows_affected() == 1)
    }

    /// Kept parents not checked since `before`.
    pub async fn parents_due(&self, before: i64) -> Result<Vec<KeptParentRow>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM kept_parents WHERE checked_at IS NULL OR checked_at < $1 ORDER BY parent_sid"
        ))
        .bind(before)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(row_of)
        .collect()
    }
}
