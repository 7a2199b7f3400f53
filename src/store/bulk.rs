//! Bulk jobs in the database: the plan when it is made, each project's
//! outcome as it happens, and the lease of the instance applying it, so a
//! killed console leaves an honest record.

use super::{Store, StoreError};
use crate::domain::bulk::{ItemState, Plan};
use crate::domain::fleet::SettingsState;
use crate::domain::template::Template;
use crate::domain::{Credential, SettingsKind};
use sqlx::Row;

/// A bulk job as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkJobRow {
    pub id: String,
    pub kind: SettingsKind,
    pub source: String,
    pub template: Template,
    pub started_by: String,
    pub staff_id: Option<String>,
    pub created_at: i64,
    pub applied_at: Option<i64>,
    pub applied_by: Option<String>,
    pub applied_by_id: Option<String>,
    pub finished_at: Option<i64>,
    pub lease_until: Option<i64>,
    /// The template the projects follow once it is applied.
    pub follow_template: Option<String>,
}

/// One project of a bulk job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkItemRow {
    pub project_id: String,
    pub name: String,
    pub plan: Plan,
    pub state: ItemState,
    pub message: Option<String>,
}

/// What one project's dry run is planned from.
#[derive(Clone, Debug)]
pub struct PlanInput {
    pub project_id: String,
    pub name: String,
    pub account_sid: String,
    pub state: Option<SettingsState>,
    pub error: Option<String>,
    pub keys: Option<Vec<Credential>>,
    pub aws: Option<Vec<Credential>>,
}

fn decode<T: serde::de::DeserializeOwned>(column: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| {
        StoreError::Database(sqlx::Error::ColumnDecode {
            index: column.to_owned(),
            source: e.to_string().into(),
        })
    })
}

const CHUNK: usize = 200;

fn marks(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// What the dry run of `kind` for `ids` reads: each project's last read
    /// and its account's credentials as last listed.
    pub async fn plan_inputs(
        &self,
        ids: &[String],
        kind: SettingsKind,
    ) -> Result<Vec<PlanInput>, StoreError> {
        let mut found = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT p.id, p.name, p.account_sid, s.state, s.error, k.body AS keys, w.body AS aws FROM projects p \
                 LEFT JOIN snapshots s ON s.project_id = p.id AND s.kind = $1 \
                 LEFT JOIN credential_lists k ON k.project_id = p.id AND k.kind = 'public_key' \
                 LEFT JOIN credential_lists w ON w.project_id = p.id AND w.kind = 'aws' \
                 WHERE p.id IN ({}) ORDER BY LOWER(p.name), p.id",
                marks(2, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(kind.slug());
            for id in chunk {
                query = query.bind(id.as_str());
            }
            for row in query.fetch_all(self.pool()).await? {
                let list = |column: &str| -> Result<Option<Vec<Credential>>, StoreError> {
                    Ok(row
                        .try_get::<Option<String>, _>(column)?
                        .and_then(|t| serde_json::from_str(&t).ok()))
                };
                found.push(PlanInput {
                    project_id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    account_sid: row.try_get("account_sid")?,
                    state: row
                        .try_get::<Option<String>, _>("state")?
                        .and_then(|t| serde_json::from_str(&t).ok()),
                    error: row.try_get("error")?,
                    keys: list("keys")?,
                    aws: list("aws")?,
                });
            }
        }
        Ok(found)
    }

    /// Writes a dry run: the job and every project's plan, in one
    /// transaction.
    pub async fn create_bulk_job(
        &self,
        job: &BulkJobRow,
        items: &[(String, Plan, ItemState)],
    ) -> Result<(), StoreError> {
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO bulk_jobs (id, kind, source, template, started_by, staff_id, created_at, follow_template) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&job.id)
        .bind(job.kind.slug())
        .bind(&job.source)
        .bind(serde_json::to_string(&job.template).unwrap_or_default())
        .bind(&job.started_by)
        .bind(job.staff_id.as_deref())
        .bind(job.created_at)
        .bind(job.follow_template.as_deref())
        .execute(&mut *tx)
        .await?;
        for chunk in items.chunks(CHUNK) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("($1, ${}, ${}, ${})", 3 * i + 2, 3 * i + 3, 3 * i + 4))
                .collect();
            let sql = format!(
                "INSERT INTO bulk_items (job_id, project_id, plan, state) VALUES {}",
                values.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(&job.id);
            for (project, plan, state) in chunk {
                query = query
                    .bind(project.as_str())
                    .bind(serde_json::to_string(plan).unwrap_or_default())
                    .bind(state.slug());
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn bulk_job(&self, id: &str) -> Result<Option<BulkJobRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, kind, source, template, started_by, staff_id, created_at, applied_at, applied_by, \
             applied_by_id, finished_at, lease_until, follow_template FROM bulk_jobs WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(BulkJobRow {
            id: row.try_get("id")?,
            kind: super::templates::kind_of(&row.try_get::<String, _>("kind")?),
            source: row.try_get("source")?,
            template: decode("template", &row.try_get::<String, _>("template")?)?,
            started_by: row.try_get("started_by")?,
            staff_id: row.try_get("staff_id")?,
            created_at: row.try_get("created_at")?,
            applied_at: row.try_get("applied_at")?,
            applied_by: row.try_get("applied_by")?,
            applied_by_id: row.try_get("applied_by_id")?,
            finished_at: row.try_get("finished_at")?,
            lease_until: row.try_get("lease_until")?,
            follow_template: row.try_get("follow_template")?,
        }))
    }

    /// A job's projects, by name.
    pub async fn bulk_items(&self, job: &str) -> Result<Vec<BulkItemRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.project_id, COALESCE(p.name, i.project_id) AS name, i.plan, i.state, i.message \
             FROM bulk_items i LEFT JOIN projects p ON p.id = i.project_id WHERE i.job_id = $1 \
             ORDER BY LOWER(COALESCE(p.name, i.project_id)), i.project_id",
        )
        .bind(job)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(BulkItemRow {
                    project_id: row.try_get("project_id")?,
                    name: row.try_get("name")?,
                    plan: decode("plan", &row.try_get::<String, _>("plan")?)?,
                    state: ItemState::from_slug(&row.try_get::<String, _>("state")?)
                        .unwrap_or(ItemState::Unknown),
                    message: row.try_get("message")?,
                })
            })
            .collect()
    }

    /// Starts applying a dry run for `owner` (its lease until
    /// `lease_until`): its planned items are queued. False when it was
    /// applied already (a second press, or another instance).
    pub async fn start_bulk_apply(
        &self,
        id: &str,
        by: (&str, Option<&str>),
        owner: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer().begin().await?;
        let started = sqlx::query(
            "UPDATE bulk_jobs SET applied_at = $1, applied_by = $2, applied_by_id = $3, owner = $4, lease_until = $5 \
             WHERE id = $6 AND applied_at IS NULL",
        )
        .bind(now)
        .bind(by.0)
        .bind(by.1)
        .bind(owner)
        .bind(lease_until)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if started != 1 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE bulk_items SET state = 'queued' WHERE job_id = $1 AND state = 'planned'",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Keeps `owner`'s lease on a job it applies; false when it lost it.
    pub async fn renew_bulk_lease(
        &self,
        id: &str,
        owner: &str,
        lease_until: i64,
    ) -> Result<bool, StoreError> {
        let renewed = sqlx::query(
            "UPDATE bulk_jobs SET lease_until = $1 WHERE id = $2 AND owner = $3 AND finished_at IS NULL",
        )
        .bind(lease_until)
        .bind(id.to_owned())
        .bind(owner.to_owned());
        let renewed = self.execute(renewed).await?;
        Ok(renewed.rows_affected() == 1)
    }

    /// Moves one item from `from` to `to`; false when it was not in `from`.
    pub async fn move_bulk_item(
        &self,
        job: &str,
        project: &str,
        from: ItemState,
        to: ItemState,
        message: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let moved = sqlx::query(
            "UPDATE bulk_items SET state = $1, message = $2, finished_at = $3 \
             WHERE job_id = $4 AND project_id = $5 AND state = $6",
        )
        .bind(to.slug())
        .bind(message.map(str::to_owned))
        .bind(now)
        .bind(job.to_owned())
        .bind(project.to_owned())
        .bind(from.slug());
        let moved = self.execute(moved).await?;
        Ok(moved.rows_affected() == 1)
    }

    /// Ends a job its owner applied to the end.
    pub async fn finish_bulk_job(&self, id: &str, owner: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE bulk_jobs SET finished_at = $1, owner = NULL, lease_until = NULL WHERE id = $2 AND owner = $3",
        )
        .bind(now)
        .bind(id)
        .bind(owner)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Closes a job whose applying instance stopped (its lease ran out
    /// before `now`): what was sent is in flight, what was waiting was not
    /// applied. False when it was not such a job.
    pub async fn close_interrupted(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let mut tx = self.writer().begin().await?;
        let closed = sqlx::query(
            "UPDATE bulk_jobs SET finished_at = $1, owner = NULL WHERE id = $2 AND applied_at IS NOT NULL \
             AND finished_at IS NULL AND lease_until < $1",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if closed != 1 {
            return Ok(false);
        }
        for (from, to) in [("running", "in_flight"), ("queued", "not_applied")] {
            sqlx::query("UPDATE bulk_items SET state = $1, finished_at = $2 WHERE job_id = $3 AND state = $4")
                .bind(to)
                .bind(now)
                .bind(id)
                .bind(from)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The newest jobs, for the fleet page: (id, source, kind, created_at,
    /// applied, finished).
    pub async fn recent_bulk_jobs(&self, limit: i64) -> Result<Vec<BulkJobRow>, StoreError> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT id FROM bulk_jobs ORDER BY created_at DESC, id LIMIT $1")
                .bind(limit)
                .fetch_all(self.pool())
                .await?;
        let mut jobs = Vec::new();
        for id in ids {
            if let Some(job) = self.bulk_job(&id).await? {
                jobs.push(job);
            }
        }
        Ok(jobs)
    }
}
