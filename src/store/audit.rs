//! The audit table: rows are added, read and counted, never changed.

use super::{Store, StoreError};
use crate::domain::audit::{day_start, AuditEntry, AuditFilter};
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
    pub async fn add_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit (id, at, seq, staff_name, project_id, action, summary, before_value, after_value) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(uuid::Uuid::new_v4().simple().to_string())
        .bind(entry.at)
        .bind(SEQ.fetch_add(1, Ordering::Relaxed))
        .bind(&entry.staff)
        .bind(entry.project.clone())
        .bind(&entry.action)
        .bind(&entry.summary)
        .bind(entry.before.clone())
        .bind(entry.after.clone())
        .execute(self.writer())
        .await?;
        Ok(())
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
            match day_start(&from) {
                Ok(at) => add("at >= ?", Bind::Int(at)),
                Err(e) => return Ok(Err(format!("From: {e}"))),
            }
        }
        if let Some(to) = text(&filter.to) {
            match day_start(&to) {
                Ok(at) => add("at < ?", Bind::Int(at + 86_400)),
                Err(e) => return Ok(Err(format!("To: {e}"))),
            }
        }
        if let Scope::Projects(projects) = scope {
            if projects.is_empty() {
                return Ok(Ok((Vec::new(), 0)));
            }
            let mut list = Vec::new();
            for project in projects {
                binds.push(Bind::Text(project.to_string()));
                list.push(format!("${}", binds.len()));
            }
            clauses.push(format!("project_id IN ({})", list.join(", ")));
        }
        let filter_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
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
        let rows_sql = format!(
            "SELECT at, staff_name, project_id, action, summary, before_value, after_value FROM audit{filter_sql} ORDER BY at DESC, seq DESC LIMIT {limit} OFFSET {offset}"
        );
        let mut rows = sqlx::query(&rows_sql);
        for bind in &binds {
            rows = match bind {
                Bind::Text(t) => rows.bind(t.clone()),
                Bind::Int(i) => rows.bind(*i),
            };
        }
        let rows = rows.fetch_all(self.pool()).await?;
        let entries = rows
            .iter()
            .map(|row| -> Result<AuditEntry, sqlx::Error> {
                Ok(AuditEntry {
                    at: row.try_get("at")?,
                    staff: row.try_get("staff_name")?,
                    project: row.try_get("project_id")?,
                    action: row.try_get("action")?,
                    summary: row.try_get("summary")?,
                    before: row.try_get("before_value")?,
                    after: row.try_get("after_value")?,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Ok((entries, matching)))
    }
}

enum Bind {
    Text(String),
    Int(i64),
}
