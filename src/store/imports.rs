//! Imports of subaccounts in the database: what discovery found, which
//! were chosen, and each one's outcome as it happens; the parent's login
//! sealed only while an import needs it.

use super::{Store, StoreError};
use crate::domain::subaccount::{Discovered, ImportOutcome};
use sqlx::Row;

/// Rows per multi-row INSERT, well under either engine's bind limit.
const CHUNK: usize = 200;

/// How a failed outcome starts as JSON (`ImportOutcome::Failed`).
const FAILED: &str = "{\"Failed\"";

/// A run with no sign of life for this long was interrupted.
pub const STALE_AFTER: i64 = 60;

/// An import as stored (its sealed login left out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportRow {
    pub id: String,
    pub parent_sid: String,
    pub started_by: String,
    pub staff_id: String,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub beat_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// Whether the parent's login is still here to import with.
    pub has_login: bool,
}

/// One subaccount of an import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportItemRow {
    pub found: Discovered,
    pub chosen: bool,
    pub outcome: Option<ImportOutcome>,
}

fn decode<T: serde::de::DeserializeOwned>(column: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| {
        StoreError::Database(sqlx::Error::ColumnDecode {
            index: column.to_owned(),
            source: e.to_string().into(),
        })
    })
}

impl Store {
    /// Stores a discovery: the import, its sealed login (until `expires`)
    /// and every subaccount found, in one transaction.
    pub async fn create_import(
        &self,
        import: &ImportRow,
        sealed_login: &str,
        expires: i64,
        found: &[Discovered],
    ) -> Result<(), StoreError> {
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO imports (id, parent_sid, started_by, staff_id, created_at, sealed_login, login_expires) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&import.id)
        .bind(&import.parent_sid)
        .bind(&import.started_by)
        .bind(&import.staff_id)
        .bind(import.created_at)
        .bind(sealed_login)
        .bind(expires)
        .execute(&mut *tx)
        .await?;
        for (n, chunk) in found.chunks(CHUNK).enumerate() {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("($1, ${}, ${}, ${})", 3 * i + 2, 3 * i + 3, 3 * i + 4))
                .collect();
            let sql = format!(
                "INSERT INTO import_items (import_id, account_sid, seq, found) VALUES {}",
                values.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(&import.id);
            for (i, item) in chunk.iter().enumerate() {
                query = query
                    .bind(item.sid.to_string())
                    .bind((n * CHUNK + i) as i64)
                    .bind(serde_json::to_string(item).unwrap_or_default());
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn import(&self, id: &str) -> Result<Option<ImportRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, parent_sid, started_by, staff_id, created_at, started_at, beat_at, finished_at, \
             CASE WHEN sealed_login IS NULL OR login_expires < $2 THEN 0 ELSE 1 END AS has_login \
             FROM imports WHERE id = $1",
        )
        .bind(id)
        .bind(super::now())
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(ImportRow {
                id: row.try_get("id")?,
                parent_sid: row.try_get("parent_sid")?,
                started_by: row.try_get("started_by")?,
                staff_id: row.try_get("staff_id")?,
                created_at: row.try_get("created_at")?,
                started_at: row.try_get("started_at")?,
                beat_at: row.try_get("beat_at")?,
                finished_at: row.try_get("finished_at")?,
                has_login: row.try_get::<i64, _>("has_login")? == 1,
            })
        })
        .transpose()
    }

    /// Every subaccount of an import, in the order found.
    pub async fn import_items(&self, id: &str) -> Result<Vec<ImportItemRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT found, chosen, outcome FROM import_items WHERE import_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let outcome: Option<String> = row.try_get("outcome")?;
                Ok(ImportItemRow {
                    found: decode("found", &row.try_get::<String, _>("found")?)?,
                    chosen: row.try_get::<i64, _>("chosen")? == 1,
                    outcome: outcome.map(|o| decode("outcome", &o)).transpose()?,
                })
            })
            .collect()
    }

    /// Takes the sealed login to start importing `chosen` (those without
    /// an outcome yet). None when the import has no fresh login, or
    /// another request started it first: an import runs once at a time.
    pub async fn start_import(
        &self,
        id: &str,
        chosen: &[String],
    ) -> Result<Option<String>, StoreError> {
        let now = super::now();
        let mut tx = self.writer().begin().await?;
        let sealed: Option<String> = sqlx::query_scalar(
            "UPDATE imports SET started_at = $2, beat_at = $2, finished_at = NULL WHERE id = $1 \
             AND sealed_login IS NOT NULL AND login_expires >= $2 \
             AND (started_at IS NULL OR finished_at IS NOT NULL OR beat_at < $3) RETURNING sealed_login",
        )
        .bind(id)
        .bind(now)
        .bind(now - STALE_AFTER)
        .fetch_optional(&mut *tx)
        .await?;
        if sealed.is_none() {
            return Ok(None);
        }
        // This run's choice replaces an earlier run's for those left: not
        // run yet, or failed (tried again when chosen again).
        let left = format!("(outcome IS NULL OR outcome LIKE '{FAILED}%')");
        sqlx::query(&format!(
            "UPDATE import_items SET chosen = 0 WHERE import_id = $1 AND {left}"
        ))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        for chunk in chosen.chunks(CHUNK) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "UPDATE import_items SET chosen = 1, outcome = NULL, finished_at = NULL \
                 WHERE import_id = $1 AND {left} AND account_sid IN ({})",
                marks.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(id);
            for sid in chunk {
                query = query.bind(sid.as_str());
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(sealed)
    }

    /// One subaccount's outcome, as soon as it is known.
    pub async fn finish_import_item(
        &self,
        id: &str,
        account_sid: &str,
        outcome: &ImportOutcome,
    ) -> Result<(), StoreError> {
        let (id, sid) = (id.to_owned(), account_sid.to_owned());
        let outcome = serde_json::to_string(outcome).unwrap_or_default();
        let now = super::now();
        self.write(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "UPDATE import_items SET outcome = $3, finished_at = $4 WHERE import_id = $1 AND account_sid = $2",
                )
                .bind(&id)
                .bind(&sid)
                .bind(&outcome)
                .bind(now)
                .execute(&mut *conn)
                .await?;
                sqlx::query("UPDATE imports SET beat_at = $2 WHERE id = $1")
                    .bind(&id)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        })
        .await?;
        Ok(())
    }

    /// A running import's sign of life.
    pub async fn beat_import(&self, id: &str) -> Result<(), StoreError> {
        let query = sqlx::query("UPDATE imports SET beat_at = $2 WHERE id = $1")
            .bind(id.to_owned())
            .bind(super::now());
        self.execute(query).await?;
        Ok(())
    }

    /// Ends an import's run. Once every importable subaccount has an
    /// outcome, or `forget_login`, the sealed login is dropped.
    pub async fn finish_import(&self, id: &str, forget_login: bool) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE imports SET finished_at = $2, \
             sealed_login = CASE WHEN $3 = 1 THEN NULL ELSE sealed_login END, \
             login_expires = CASE WHEN $3 = 1 THEN NULL ELSE login_expires END WHERE id = $1",
        )
        .bind(id)
        .bind(super::now())
        .bind(i64::from(forget_login))
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Drops every sealed parent login past its time.
    pub async fn forget_expired_logins(&self) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE imports SET sealed_login = NULL, login_expires = NULL \
             WHERE sealed_login IS NOT NULL AND login_expires < $1",
        )
        .bind(super::now())
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected())
    }
}
