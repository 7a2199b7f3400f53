//! The audit table: rows are added, read and counted, never changed (the
//! database refuses UPDATE and DELETE). A change at Twilio is two rows: its
//! attempt, and a completion naming it; pages show the completion, or the
//! attempt alone when none came (its outcome unknown).

use super::{Store, StoreError};
use crate::domain::audit::{day_start, AuditEntry, AuditFilter, AuditOutcome};
use crate::domain::ProjectId;
use sqlx::Row;
use std::sync::atomic::{AtomicI64, Ordering};

static SEQ: AtomicI64 = AtomicI64::new(0);

/// Which entries a reader may see.
pub enum Scope<'a> {
    Everything,
    /// Only entries about these projects.
    Projects(&'a [ProjectId]),
}

impl Store {
    /// Adds an entry; `staff_id` is the staff member's id beside the name
    /// shown (none for the console's own entries and unknown names). The
    /// new entry's id.
    pub async fn add_audit(
        &self,
        entry: &AuditEntry,
        staff_id: Option<&str>,
    ) -> Result<String, StoreError> {
        self.write_audit(entry, staff_id, None).await
    }

    /// Adds the completion of the attempt `attempt_id`.
    pub async fn complete_audit(
        &self,
        attempt_id: &str,
        entry: &AuditEntry,
        staff_id: Option<&str>,
    ) -> Result<String, StoreError> {
        self.write_audit(entry, staff_id, Some(attempt_id)).await
    }

    /// Through the group commit: the entry is durable when this returns.
    async fn write_audit(
        &self,
        entry: &AuditEntry,
        staff_id: Option<&str>,
        attempt_id: Option<&str>,
    ) -> Result<String, StoreError> {
        let entry = entry.clone();
        let staff_id = staff_id.map(str::to_owned);
        let attempt_id = attempt_id.map(str::to_owned);
        let id = self
            .write(move |conn| {
                Box::pin(async move {
                    insert_audit(conn, &entry, staff_id.as_deref(), attempt_id.as_deref()).await
                })
            })
            .await?;
        Ok(id)
    }

    /// Entries matching `filter` within `scope`, newest first: `limit` of
    /// them after `offset`, and how many match in all. A date that cannot
    /// be read is an error naming it.
    pub async fn audit(
        &self,
        filter: &AuditFilter,
        scope: Scope<'_>,
        offset: usize,
        limit: usize,
    ) -> Result<Result<(Vec<AuditEntry>, usize), String>, StoreError> {
        let (filter_sql, binds) = match where_clause(filter, scope) {
            Ok(Some(found)) => found,
            Ok(None) => return Ok(Ok((Vec::new(), 0))),
            Err(e) => return Ok(Err(e)),
        };
        let count_sql = format!("SELECT COUNT(*) FROM audit{filter_sql}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for bind in &binds {
            count = match bind {
                Bind::Text(t) => count.bind(t.clone()),
                Bind::Int(i) => count.bind(*i),
            };
        }
        let matching = count.fetch_one(self.pool()).await? as usize;
        let rows_sql = format!("{SELECT}{filter_sql}{ORDER} LIMIT {limit} OFFSET {offset}");
        let rows = bound(sqlx::query(&rows_sql), &binds)
            .fetch_all(self.pool())
            .await?;
        let entries = rows.iter().map(entry_of).collect::<Result<Vec<_>, _>>()?;
        Ok(Ok((entries, matching)))
    }

    /// Every entry matching `filter` within `scope`, newest first, sent to
    /// `to` as the database reads it: nothing is gathered in memory, and
    /// the reading waits while `to` is full. Stops when `to` is closed.
    pub async fn send_audit(
        &self,
        filter: &AuditFilter,
        scope: Scope<'_>,
        to: &tokio::sync::mpsc::Sender<AuditEntry>,
    ) -> Result<Result<(), String>, StoreError> {
        use futures_util::TryStreamExt;
        let (filter_sql, binds) = match where_clause(filter, scope) {
            Ok(Some(found)) => found,
            Ok(None) => return Ok(Ok(())),
            Err(e) => return Ok(Err(e)),
        };
        let sql = format!("{SELECT}{filter_sql}{ORDER}");
        let mut rows = bound(sqlx::query(&sql), &binds).fetch(self.pool());
        while let Some(row) = rows.try_next().await? {
            if to.send(entry_of(&row)?).await.is_err() {
                break;
            }
        }
        Ok(Ok(()))
    }
}

const SELECT: &str = "SELECT at, staff_name, project_id, action, summary, before_value, after_value, outcome FROM audit";
const ORDER: &str = " ORDER BY at DESC, seq DESC";

fn bound<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &[Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for bind in binds {
        query = match bind {
            Bind::Text(t) => query.bind(t.clone()),
            Bind::Int(i) => query.bind(*i),
        };
    }
    query
}

fn entry_of(row: &sqlx::any::AnyRow) -> Result<AuditEntry, sqlx::Error> {
    Ok(AuditEntry {
        at: row.try_get("at")?,
        staff: row.try_get("staff_name")?,
        project: row.try_get("project_id")?,
        action: row.try_get("action")?,
        summary: row.try_get("summary")?,
        before: row.try_get("before_value")?,
        after: row.try_get("after_value")?,
        outcome: row
            .try_get::<Option<String>, _>("outcome")?
            .as_deref()
            .and_then(AuditOutcome::from_slug),
    })
}

/// The WHERE clause of `filter` within `scope`, with its values; `None`
/// when the scope holds no project (nothing can match), or the filter's
/// unreadable date.
fn where_clause(
    filter: &AuditFilter,
    scope: Scope<'_>,
) -> Result<Option<(String, Vec<Bind>)>, String> {
    let mut clauses: Vec<String> = Vec::new();
    let mut binds: Vec<Bind> = Vec::new();
    let mut add = |clause: &str, value: Bind| {
        binds.push(value);
        clauses.push(clause.replace('?', &format!("${}", binds.len())));
    };
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    if let Some(project) = text(&filter.project) {
        add("project_id = ?", Bind::Text(project));
    }
    if let Some(staff) = text(&filter.staff) {
        add("staff_name = ?", Bind::Text(staff));
    }
    if let Some(action) = text(&filter.action) {
        add("action = ?", Bind::Text(action));
    }
    if let Some(from) = text(&filter.from) {
        add(
            "at >= ?",
            Bind::Int(day_start(&from).map_err(|e| format!("From: {e}"))?),
        );
    }
    if let Some(to) = text(&filter.to) {
        let to = day_start(&to).map_err(|e| format!("To: {e}"))?;
        add("at < ?", Bind::Int(to + 86_400));
    }
    if let Scope::Projects(projects) = scope {
        if projects.is_empty() {
            return Ok(None);
        }
        let mut list = Vec::new();
        for project in projects {
            binds.push(Bind::Text(project.to_string()));
            list.push(format!("${}", binds.len()));
        }
        clauses.push(format!("project_id IN ({})", list.join(", ")));
    }
    // An attempt is shown through its completion, once there is one.
    clauses.push(
        "NOT (COALESCE(outcome, '') = 'attempted' AND EXISTS (SELECT 1 FROM audit completion WHERE completion.attempt_id = audit.id))"
            .to_owned(),
    );
    Ok(Some((format!(" WHERE {}", clauses.join(" AND ")), binds)))
}

/// Writes one row through `executor` (the writer, or a transaction of a
/// change that touches only the store, so both land or neither).
pub(super) async fn insert_audit<'e, E>(
    executor: E,
    entry: &AuditEntry,
    staff_id: Option<&str>,
    attempt_id: Option<&str>,
) -> Result<String, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let id = uuid::Uuid::new_v4().simple().to_string();
    sqlx::query(
        "INSERT INTO audit (id, at, seq, staff_name, project_id, action, summary, before_value, after_value, staff_id, outcome, attempt_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id.clone())
    .bind(entry.at)
    .bind(SEQ.fetch_add(1, Ordering::Relaxed))
    .bind(&entry.staff)
    .bind(entry.project.clone())
    .bind(&entry.action)
    .bind(&entry.summary)
    .bind(entry.before.clone())
    .bind(entry.after.clone())
    .bind(staff_id.map(str::to_owned))
    .bind(entry.outcome.map(|o| o.slug().to_owned()))
    .bind(attempt_id.map(str::to_owned))
    .execute(executor)
    .await?;
    Ok(id)
}

enum Bind {
    Text(String),
    Int(i64),
}
