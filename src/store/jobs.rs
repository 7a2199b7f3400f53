//! Refresh jobs and leases between console instances, all in the database:
//! an instance that stops leaves nothing behind that only it knew.

use super::fleet::FleetScope;
use super::{Backend, Store, StoreError};
use crate::domain::fleet::JobProgress;
use sqlx::Row;

/// An item an instance claimed: it reads `project_id` for `job_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    pub job_id: String,
    pub project_id: String,
    /// Which claim of the item this is: a claim that outlived its lease
    /// cannot end a later one.
    pub attempt: i64,
}

/// How an item ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemEnd {
    Done,
    Failed(String),
}

/// Claims after which an expired item is given up as failed.
const MAX_ATTEMPTS: i64 = 3;

fn scope_clause(scope: &FleetScope<'_>, column: &str, n: usize) -> (String, Option<String>) {
    match scope {
        FleetScope::Everything => (String::new(), None),
        FleetScope::AssignedTo(staff) => (
            format!(
                " AND {column} IN (SELECT project_id FROM staff_projects WHERE staff_id = ${n})"
            ),
            Some(staff.as_str().to_owned()),
        ),
    }
}

impl Store {
    /// Queues `projects` in the job running now, or in a new one started by
    /// `by` at `now` when none runs: the job's id and how many items were
    /// added or queued again (a project the job read already is read again).
    /// At most one job runs (its `open_slot` is unique), so concurrent
    /// starts on several instances end in the same job; the job is locked
    /// while its items go in, so it cannot end meanwhile.
    pub async fn queue_refresh(
        &self,
        by: &str,
        now: i64,
        projects: &[String],
    ) -> Result<(String, usize), StoreError> {
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        };
        let mut tx = self.writer().begin().await?;
        let mut job = None;
        // The open job may end between the insert and the select: try again.
        for _ in 0..3 {
            sqlx::query(
                "INSERT INTO refresh_jobs (id, started_at, started_by, open_slot) VALUES ($1, $2, $3, 1) ON CONFLICT (open_slot) DO NOTHING",
            )
            .bind(uuid::Uuid::new_v4().simple().to_string())
            .bind(now)
            .bind(by)
            .execute(&mut *tx)
            .await?;
            job = sqlx::query_scalar::<_, String>(&format!(
                "SELECT id FROM refresh_jobs WHERE open_slot = 1{lock}"
            ))
            .fetch_optional(&mut *tx)
            .await?;
            if job.is_some() {
                break;
            }
        }
        let Some(job) = job else {
            return Err(StoreError::Database(sqlx::Error::RowNotFound));
        };
        let mut added = 0;
        for chunk in projects.chunks(200) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("($1, ${}, 'queued', 0, $2)", i + 3))
                .collect();
            // A read again keeps the last one's message until it ends
            // itself (finish_item), so why it failed is not lost meanwhile.
            let sql = format!(
                "INSERT INTO refresh_items (job_id, project_id, state, attempts, queued_at) VALUES {} \
                 ON CONFLICT (job_id, project_id) DO UPDATE SET state = 'queued', attempts = 0, owner = NULL, \
                 lease_until = NULL, finished_at = NULL, queued_at = $2 WHERE refresh_items.state IN ('done', 'failed')",
                values.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(&job).bind(now);
            for project in chunk {
                query = query.bind(project.clone());
            }
            added += query.execute(&mut *tx).await?.rows_affected() as usize;
        }
        tx.commit().await?;
        Ok((job, added))
    }

    /// Claims up to `limit` queued items (or items whose lease ran out) for
    /// `owner` until `lease_until`, the longest queued first: the schedule
    /// queues read projects again while a pass runs, and ordering by id
    /// alone starved the last ids (seen as a project never read). On PostgreSQL, rows another instance is
    /// claiming are skipped, not waited for; SQLite has one writer.
    pub async fn claim(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: usize,
    ) -> Result<Vec<Claimed>, StoreError> {
        sqlx::query(
            "UPDATE refresh_items SET state = 'failed', finished_at = $1, owner = NULL, lease_until = NULL, \
             message = 'The console instances that tried to read it stopped before they were done.' \
             WHERE state = 'running' AND lease_until < $1 AND attempts >= $2",
        )
        .bind(now)
        .bind(MAX_ATTEMPTS)
        .execute(self.writer())
        .await?;
        // Claimable: queued, or claimed by an instance whose lease ran out.
        let claimable = "state = 'queued' OR (state = 'running' AND lease_until < $3)";
        let sql = match self.backend() {
            // Rows another instance is claiming are skipped, not waited for;
            // materialised, so the LIMIT holds however the planner runs it.
            // The UPDATE checks again: a row another claim took since this
            // statement's snapshot was still picked (measured: double reads
            // without it).
            Backend::Postgres => format!(
                "WITH picked AS MATERIALIZED (SELECT job_id, project_id FROM refresh_items WHERE {claimable} \
                 ORDER BY attempts, queued_at, project_id LIMIT {limit} FOR UPDATE SKIP LOCKED) \
                 UPDATE refresh_items SET state = 'running', owner = $1, lease_until = $2, attempts = refresh_items.attempts + 1 \
                 FROM picked WHERE refresh_items.job_id = picked.job_id AND refresh_items.project_id = picked.project_id \
                 AND (refresh_items.state = 'queued' OR (refresh_items.state = 'running' AND refresh_items.lease_until < $3)) \
                 RETURNING refresh_items.job_id, refresh_items.project_id, refresh_items.attempts"
            ),
            // One writer: nobody claims meanwhile.
            Backend::Sqlite => format!(
                "UPDATE refresh_items SET state = 'running', owner = $1, lease_until = $2, attempts = attempts + 1 \
                 WHERE ({claimable}) AND (job_id, project_id) IN \
                 (SELECT job_id, project_id FROM refresh_items WHERE {claimable} ORDER BY attempts, queued_at, project_id LIMIT {limit}) \
                 RETURNING job_id, project_id, attempts"
            ),
        };
        let rows = sqlx::query(&sql)
            .bind(owner)
            .bind(lease_until)
            .bind(now)
            .fetch_all(self.writer())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Claimed {
                    job_id: row.try_get("job_id")?,
                    project_id: row.try_get("project_id")?,
                    attempt: row.try_get("attempts")?,
                })
            })
            .collect()
    }

    /// Puts back in the queue the items `owner` holds but is not reading
    /// (`reading` holds those it is): a claim whose answer was lost on the
    /// way (the database went away after committing it) would otherwise
    /// wait out its lease. How many went back.
    pub async fn release_unread(
        &self,
        owner: &str,
        reading: &[Claimed],
    ) -> Result<usize, StoreError> {
        let rows = sqlx::query(
            "SELECT job_id, project_id, attempts FROM refresh_items WHERE state = 'running' AND owner = $1",
        )
        .bind(owner)
        .fetch_all(self.writer())
        .await?;
        let mut released = 0;
        for row in rows {
            let held = Claimed {
                job_id: row.try_get("job_id")?,
                project_id: row.try_get("project_id")?,
                attempt: row.try_get("attempts")?,
            };
            if reading.contains(&held) {
                continue;
            }
            released += sqlx::query(
                "UPDATE refresh_items SET state = 'queued', owner = NULL, lease_until = NULL \
                 WHERE job_id = $1 AND project_id = $2 AND owner = $3 AND attempts = $4 AND state = 'running'",
            )
            .bind(&held.job_id)
            .bind(&held.project_id)
            .bind(owner)
            .bind(held.attempt)
            .execute(self.writer())
            .await?
            .rows_affected() as usize;
        }
        Ok(released)
    }

    /// Ends an item `owner` holds; false when its lease went to another
    /// claim (another instance's, or a later one of this instance).
    pub async fn finish_item(
        &self,
        item: &Claimed,
        owner: &str,
        end: &ItemEnd,
        now: i64,
    ) -> Result<bool, StoreError> {
        let (state, message) = match end {
            ItemEnd::Done => ("done", None),
            ItemEnd::Failed(why) => ("failed", Some(why.clone())),
        };
        let updated = sqlx::query(
            "UPDATE refresh_items SET state = $1, message = $2, finished_at = $3, owner = NULL, lease_until = NULL \
             WHERE job_id = $4 AND project_id = $5 AND owner = $6 AND attempts = $7 AND state = 'running'",
        )
        .bind(state)
        .bind(message)
        .bind(now)
        .bind(item.job_id.clone())
        .bind(item.project_id.clone())
        .bind(owner.to_owned())
        .bind(item.attempt);
        let updated = self.execute(updated).await?;
        Ok(updated.rows_affected() == 1)
    }

    /// Ends the running job once none of its items is left. The job is
    /// locked first, so items being queued in it are counted once they are
    /// in (see `queue_refresh`).
    pub async fn close_job_if_done(&self, now: i64) -> Result<bool, StoreError> {
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        };
        let mut tx = self.writer().begin().await?;
        let job = sqlx::query_scalar::<_, String>(&format!(
            "SELECT id FROM refresh_jobs WHERE open_slot = 1{lock}"
        ))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(job) = job else {
            tx.commit().await?;
            return Ok(false);
        };
        let left: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM refresh_items WHERE job_id = $1 AND state IN ('queued', 'running')",
        )
        .bind(&job)
        .fetch_one(&mut *tx)
        .await?;
        if left > 0 {
            tx.commit().await?;
            return Ok(false);
        }
        sqlx::query("UPDATE refresh_jobs SET finished_at = $1, open_slot = NULL WHERE id = $2")
            .bind(now)
            .bind(&job)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Where job `id` stands (the running one when `None`), counted over
    /// the projects `scope` sees; none when it reads none of them.
    pub async fn job_progress(
        &self,
        id: Option<&str>,
        scope: &FleetScope<'_>,
    ) -> Result<Option<JobProgress>, StoreError> {
        let job = match id {
            Some(id) => {
                sqlx::query("SELECT id, started_at, started_by, finished_at FROM refresh_jobs WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.pool())
                    .await?
            }
            None => {
                sqlx::query("SELECT id, started_at, started_by, finished_at FROM refresh_jobs WHERE open_slot = 1")
                    .fetch_optional(self.pool())
                    .await?
            }
        };
        let Some(job) = job else { return Ok(None) };
        let id: String = job.try_get("id")?;
        let (clause, staff) = scope_clause(scope, "project_id", 2);
        let sql = format!(
            "SELECT state, COUNT(*) AS n FROM refresh_items WHERE job_id = $1{clause} GROUP BY state"
        );
        let mut query = sqlx::query(&sql).bind(id.clone());
        if let Some(staff) = staff {
            query = query.bind(staff);
        }
        let mut progress = JobProgress {
            id,
            started_at: job.try_get("started_at")?,
            started_by: job.try_get("started_by")?,
            finished_at: job.try_get("finished_at")?,
            ..JobProgress::default()
        };
        for row in query.fetch_all(self.pool()).await? {
            let n = row.try_get::<i64, _>("n")?.max(0) as usize;
            match row.try_get::<String, _>("state")?.as_str() {
                "queued" => progress.queued = n,
                "running" => progress.running = n,
                "done" => progress.done = n,
                _ => progress.failed += n,
            }
        }
        // A job of none of the projects someone sees is none of theirs.
        if matches!(scope, FleetScope::AssignedTo(_)) && progress.total() == 0 {
            return Ok(None);
        }
        Ok(Some(progress))
    }

    /// Items of `job` that ended at or after `since`, within `scope`, with
    /// the reason of those that failed.
    pub async fn finished_since(
        &self,
        job: &str,
        since: i64,
        scope: &FleetScope<'_>,
    ) -> Result<Vec<(String, Option<String>)>, StoreError> {
        let (clause, staff) = scope_clause(scope, "project_id", 3);
        let sql = format!(
            "SELECT project_id, message FROM refresh_items WHERE job_id = $1 AND finished_at >= $2{clause} ORDER BY project_id"
        );
        let mut query = sqlx::query(&sql).bind(job).bind(since);
        if let Some(staff) = staff {
            query = query.bind(staff);
        }
        query
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| Ok((row.try_get("project_id")?, row.try_get("message")?)))
            .collect()
    }

    /// Takes or keeps the lease `name` for `holder` until `until`; false
    /// when another holder's lease has not run out.
    pub async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: i64,
        until: i64,
    ) -> Result<bool, StoreError> {
        let taken = sqlx::query(
            "INSERT INTO leases (name, holder, until_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = $2, until_at = $3 \
             WHERE leases.until_at < $4 OR leases.holder = $2",
        )
        .bind(name)
        .bind(holder)
        .bind(until)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(taken.rows_affected() == 1)
    }

    /// Projects either of whose kinds was never read or not since `before`,
    /// and that no job has queued or is reading.
    pub async fn stale_projects(&self, before: i64) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.id FROM projects p \
             LEFT JOIN snapshots c ON c.project_id = p.id AND c.kind = 'composition' \
             LEFT JOIN snapshots r ON r.project_id = p.id AND r.kind = 'recording' \
             WHERE (c.read_at IS NULL OR c.read_at < $1 OR r.read_at IS NULL OR r.read_at < $1) \
             AND NOT EXISTS (SELECT 1 FROM refresh_items i WHERE i.project_id = p.id AND i.state IN ('queued', 'running')) \
             ORDER BY p.id",
        )
        .bind(before)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|row| Ok(row.try_get("id")?)).collect()
    }
}
