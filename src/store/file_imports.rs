//! Previews of a file of projects, and their confirmation: every valid
//! project stored in one transaction with its audit entry, or none.

use super::projects::{insert_on, NewProject};
use super::{Store, StoreError};
use crate::domain::project_file::PreviewRow;
use sqlx::Row;

/// A preview as stored (its sealed secrets apart).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileImportRow {
    pub id: String,
    pub staff_id: String,
    pub rows: Vec<PreviewRow>,
    pub stored: Option<i64>,
    /// The secrets, sealed, while they are still held.
    pub sealed_secrets: Option<String>,
}

impl Store {
    pub async fn create_file_import(
        &self,
        id: &str,
        staff_id: &str,
        rows: &[PreviewRow],
        sealed_secrets: &str,
        expires: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO file_imports (id, staff_id, created_at, rows_json, sealed_secrets, secrets_expire) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(staff_id)
        .bind(super::now())
        .bind(serde_json::to_string(rows).unwrap_or_default())
        .bind(sealed_secrets)
        .bind(expires)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    pub async fn file_import(&self, id: &str) -> Result<Option<FileImportRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, staff_id, rows_json, stored, \
             CASE WHEN secrets_expire >= $2 THEN sealed_secrets END AS sealed FROM file_imports WHERE id = $1",
        )
        .bind(id)
        .bind(super::now())
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            let text: String = row.try_get("rows_json")?;
            let rows = serde_json::from_str(&text).map_err(|e| {
                StoreError::Database(sqlx::Error::ColumnDecode {
                    index: "rows_json".into(),
                    source: e.to_string().into(),
                })
            })?;
            Ok(FileImportRow {
                id: row.try_get("id")?,
                staff_id: row.try_get("staff_id")?,
                rows,
                stored: row.try_get("stored")?,
                sealed_secrets: row.try_get("sealed")?,
            })
        })
        .transpose()
    }

    /// Stores every project of a confirmed preview and marks it confirmed
    /// (its secrets dropped), in one transaction: all or nothing. False
    /// when it was confirmed already.
    pub async fn confirm_file_import(
        &self,
        id: &str,
        projects: &[NewProject<'_>],
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer().begin().await?;
        let taken = sqlx::query(
            "UPDATE file_imports SET confirmed_at = $2, stored = $3, sealed_secrets = NULL, secrets_expire = NULL \
             WHERE id = $1 AND confirmed_at IS NULL",
        )
        .bind(id)
        .bind(super::now())
        .bind(projects.len() as i64)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if taken != 1 {
            return Ok(false);
        }
        for project in projects {
            insert_on(&mut tx, project).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Drops every file's secrets past their time.
    pub async fn forget_expired_file_secrets(&self) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE file_imports SET sealed_secrets = NULL, secrets_expire = NULL \
             WHERE sealed_secrets IS NOT NULL AND secrets_expire < $1",
        )
        .bind(super::now())
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected())
    }
}
