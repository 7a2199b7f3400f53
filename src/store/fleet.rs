//! The fleet query: projects joined to their two snapshots, filtered,
//! counted, sorted and paged in SQL, with who may see what in the same
//! query (never a list gathered in memory).

use super::{Store, StoreError};
use crate::domain::fleet::{
    Flag, FleetCounts, FleetFilter, FleetQuery, FleetRow, KindCell, KindCounts, SortKey,
    STALE_AFTER_SECONDS,
};
use crate::domain::StaffId;
use sqlx::Row;

/// Whose view it is.
pub enum FleetScope<'a> {
    Everything,
    /// The projects assigned to this staff member, as the database holds
    /// them now.
    AssignedTo(&'a StaffId),
}

const FROM: &str = " FROM projects p \
    LEFT JOIN snapshots c ON c.project_id = p.id AND c.kind = 'composition' \
    LEFT JOIN snapshots r ON r.project_id = p.id AND r.kind = 'recording' \
    LEFT JOIN drift dc ON dc.project_id = p.id AND dc.kind = 'composition' \
    LEFT JOIN drift dr ON dr.project_id = p.id AND dr.kind = 'recording'";

const COLUMNS: &str = "SELECT p.id, p.name, p.account_sid, \
    c.read_at AS c_read_at, c.state AS c_state, c.error AS c_error, c.changed_at AS c_changed_at, c.changed_by AS c_changed_by, c.outside AS c_outside, \
    r.read_at AS r_read_at, r.state AS r_state, r.error AS r_error, r.changed_at AS r_changed_at, r.changed_by AS r_changed_by, r.outside AS r_outside, \
    dc.differs AS c_drift, dr.differs AS r_drift";

/// A project with a problem, as `FleetRow::problems` words them.
const PROBLEM: &str = "(c.error IS NOT NULL OR r.error IS NOT NULL OR c.missing = 1 OR r.missing = 1 OR c.outside = 1 OR r.outside = 1)";

/// How long an export waits for its reader to take the next row.
const EXPORT_STALL: std::time::Duration = std::time::Duration::from_secs(30);

/// The WHERE clause and its text values.
fn where_clause(filter: &FleetFilter, scope: &FleetScope<'_>, now: i64) -> (String, Vec<String>) {
    let mut clauses = vec!["1 = 1".to_owned()];
    let mut binds = Vec::new();
    if let FleetScope::AssignedTo(staff) = scope {
        binds.push(staff.as_str().to_owned());
        clauses.push(format!(
            "p.id IN (SELECT project_id FROM staff_projects WHERE staff_id = ${})",
            binds.len()
        ));
    }
    let search = filter.search.trim().to_lowercase();
    if !search.is_empty() {
        let escaped = search
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        binds.push(format!("%{escaped}%"));
        let n = binds.len();
        clauses.push(format!(
            "(LOWER(p.name) LIKE ${n} ESCAPE '\\' OR LOWER(p.account_sid) LIKE ${n} ESCAPE '\\')"
        ));
    }
    for flag in &filter.flags {
        clauses.push(match flag {
            Flag::Unencrypted => "(c.encrypted = 0 OR r.encrypted = 0)".to_owned(),
            Flag::Cloud => "(c.external = 0 OR r.external = 0)".to_owned(),
            Flag::Problem => PROBLEM.to_owned(),
            Flag::Stale => {
                let before = now - STALE_AFTER_SECONDS;
                format!("(c.read_at IS NULL OR c.read_at < {before} OR r.read_at IS NULL OR r.read_at < {before})")
            }
            Flag::Outside => "(c.outside = 1 OR r.outside = 1)".to_owned(),
            Flag::Drifted => "(dc.differs > 0 OR dr.differs > 0)".to_owned(),
        });
    }
    (format!(" WHERE {}", clauses.join(" AND ")), binds)
}

/// ORDER BY for `key`: every expression is total (no NULL), so SQLite and
/// PostgreSQL, which place NULLs differently, sort alike.
fn order_by(key: SortKey, descending: bool) -> String {
    let earliest = "CASE WHEN COALESCE(c.read_at, 0) < COALESCE(r.read_at, 0) THEN COALESCE(c.read_at, 0) ELSE COALESCE(r.read_at, 0) END";
    let latest = "CASE WHEN COALESCE(c.changed_at, 0) > COALESCE(r.changed_at, 0) THEN COALESCE(c.changed_at, 0) ELSE COALESCE(r.changed_at, 0) END";
    let problem = format!("CASE WHEN {PROBLEM} THEN 0 ELSE 1 END");
    let expression = match key {
        SortKey::Name => "LOWER(p.name)",
        SortKey::Account => "p.account_sid",
        SortKey::CompositionEncryption => "COALESCE(c.encrypted, -1)",
        SortKey::CompositionStorage => "COALESCE(c.external, -1)",
        SortKey::RecordingEncryption => "COALESCE(r.encrypted, -1)",
        SortKey::RecordingStorage => "COALESCE(r.external, -1)",
        SortKey::Read => earliest,
        SortKey::Changed => latest,
        SortKey::Problem => problem.as_str(),
    };
    let direction = if descending { "DESC" } else { "ASC" };
    // Ties by name, then id; by name alone it can walk an index.
    match key {
        SortKey::Name => format!(" ORDER BY LOWER(p.name) {direction}, p.id {direction}"),
        _ => format!(
            " ORDER BY {expression} {direction}, LOWER(p.name) {direction}, p.id {direction}"
        ),
    }
}

fn bound<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &[String],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for bind in binds {
        query = query.bind(bind.clone());
    }
    query
}

fn cell(row: &sqlx::any::AnyRow, prefix: &str) -> Result<KindCell, StoreError> {
    let column = |name: &str| format!("{prefix}_{name}");
    let state = row
        .try_get::<Option<String>, _>(column("state").as_str())?
        .and_then(|text| serde_json::from_str(&text).ok());
    Ok(KindCell {
        read_at: row.try_get(column("read_at").as_str())?,
        state,
        error: row.try_get(column("error").as_str())?,
        changed_at: row.try_get(column("changed_at").as_str())?,
        changed_by: row.try_get(column("changed_by").as_str())?,
        outside: row
            .try_get::<Option<i64>, _>(column("outside").as_str())?
            .unwrap_or(0)
            == 1,
        drift: row.try_get(column("drift").as_str())?,
    })
}

fn row_of(row: &sqlx::any::AnyRow) -> Result<FleetRow, StoreError> {
    Ok(FleetRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        account_sid: row.try_get("account_sid")?,
        composition: cell(row, "c")?,
        recording: cell(row, "r")?,
    })
}

impl Store {
    /// One page of the fleet (`per_page` rows after the earlier pages) and
    /// the counts of every project the view matches.
    pub async fn fleet(
        &self,
        query: &FleetQuery,
        scope: &FleetScope<'_>,
        now: i64,
        per_page: usize,
    ) -> Result<(Vec<FleetRow>, FleetCounts), StoreError> {
        let (filter_sql, binds) = where_clause(&query.filter, scope, now);
        let offset = query.page.saturating_sub(1).saturating_mul(per_page);
        let sql = format!(
            "{COLUMNS}{FROM}{filter_sql}{} LIMIT {per_page} OFFSET {offset}",
            order_by(query.sort, query.descending)
        );
        // Two connections at once: the page takes the longer, not the sum.
        let (counts, rows) = tokio::try_join!(self.fleet_counts(&filter_sql, &binds), async {
            Ok::<_, StoreError>(
                bound(sqlx::query(&sql), &binds)
                    .fetch_all(self.pool())
                    .await?,
            )
        })?;
        let rows = rows.iter().map(row_of).collect::<Result<Vec<_>, _>>()?;
        Ok((rows, counts))
    }

    async fn fleet_counts(
        &self,
        filter_sql: &str,
        binds: &[String],
    ) -> Result<FleetCounts, StoreError> {
        let kind = |t: &str| {
            format!(
                "COALESCE(SUM(CASE WHEN {t}.encrypted = 1 THEN 1 ELSE 0 END), 0) AS {t}_encrypted, \
                 COALESCE(SUM(CASE WHEN {t}.encrypted = 0 THEN 1 ELSE 0 END), 0) AS {t}_unencrypted, \
                 COALESCE(SUM(CASE WHEN {t}.external = 1 THEN 1 ELSE 0 END), 0) AS {t}_s3, \
                 COALESCE(SUM(CASE WHEN {t}.external = 0 THEN 1 ELSE 0 END), 0) AS {t}_cloud, \
                 COALESCE(SUM(CASE WHEN {t}.encrypted IS NULL THEN 1 ELSE 0 END), 0) AS {t}_unknown"
            )
        };
        let sql = format!(
            "SELECT COUNT(*) AS projects, {}, {}, COALESCE(SUM(CASE WHEN {PROBLEM} THEN 1 ELSE 0 END), 0) AS problems{FROM}{filter_sql}",
            kind("c"),
            kind("r")
        );
        let row = bound(sqlx::query(&sql), binds)
            .fetch_one(self.pool())
            .await?;
        let get = |name: &str| -> Result<usize, StoreError> {
            Ok(row.try_get::<i64, _>(name)?.max(0) as usize)
        };
        let counts_of = |t: &str| -> Result<KindCounts, StoreError> {
            Ok(KindCounts {
                encrypted: get(&format!("{t}_encrypted"))?,
                unencrypted: get(&format!("{t}_unencrypted"))?,
                s3: get(&format!("{t}_s3"))?,
                cloud: get(&format!("{t}_cloud"))?,
                unknown: get(&format!("{t}_unknown"))?,
            })
        };
        Ok(FleetCounts {
            projects: get("projects")?,
            composition: counts_of("c")?,
            recording: counts_of("r")?,
            problems: get("problems")?,
        })
    }

    /// Every row the view matches, in its order, sent to `to` as the
    /// database reads them; stops when `to` is closed.
    pub async fn send_fleet(
        &self,
        query: &FleetQuery,
        scope: &FleetScope<'_>,
        now: i64,
        to: &tokio::sync::mpsc::Sender<FleetRow>,
    ) -> Result<(), StoreError> {
        use futures_util::TryStreamExt;
        let (filter_sql, binds) = where_clause(&query.filter, scope, now);
        let sql = format!(
            "{COLUMNS}{FROM}{filter_sql}{}",
            order_by(query.sort, query.descending)
        );
        let mut rows = bound(sqlx::query(&sql), &binds).fetch(self.pool());
        while let Some(row) = rows.try_next().await? {
            // A reader that stops reading (or left) frees the connection.
            if to.send_timeout(row_of(&row)?, EXPORT_STALL).await.is_err() {
                break;
            }
        }
        Ok(())
    }

    /// The ids of the projects the view matches, for a refresh of them.
    pub async fn fleet_ids(
        &self,
        filter: &FleetFilter,
        scope: &FleetScope<'_>,
        now: i64,
    ) -> Result<Vec<String>, StoreError> {
        let (filter_sql, binds) = where_clause(filter, scope, now);
        let sql = format!("SELECT p.id{FROM}{filter_sql} ORDER BY p.id");
        let rows = bound(sqlx::query(&sql), &binds)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|row| row.try_get("id"))
            .collect::<Result<_, _>>()?)
    }
}
