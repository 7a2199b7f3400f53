//! What the console last read of each project's settings, and the history
//! of their changes (one row per change, not per read), so the fleet can
//! answer "what does each project hold" and "who changed it" without a
//! Twilio call.

use super::{Store, StoreError};
use crate::domain::fleet::SettingsState;
use crate::domain::{ProjectId, SettingsKind};
use sqlx::Row;

/// The last read of one kind of a project's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub read_at: i64,
    /// The last state read successfully, kept when a later read fails.
    pub state: Option<SettingsState>,
    /// Why the last read failed; `None` when it worked.
    pub error: Option<String>,
}

/// A change seen by a read: the state from then on and who made it
/// (`None`: no audit entry explains it, so it was made outside the console).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub seen_at: i64,
    pub state: SettingsState,
    pub changed_by: Option<String>,
}

fn to_json(state: &SettingsState) -> String {
    serde_json::to_string(state).unwrap_or_default()
}

fn from_json(column: &str, text: &str) -> Result<SettingsState, StoreError> {
    serde_json::from_str(text).map_err(|e| {
        StoreError::Database(sqlx::Error::ColumnDecode {
            index: column.to_owned(),
            source: e.to_string().into(),
        })
    })
}

impl Store {
    /// Records a read made at `at`: what it found, or why it failed.
    /// A state unlike the last one in the history is a change, credited to
    /// `by` (the staff member whose change the audit trail shows) or to
    /// nobody (outside the console). Answers whether it was a change.
    pub async fn record_read(
        &self,
        project: &ProjectId,
        kind: SettingsKind,
        at: i64,
        read: Result<&SettingsState, &str>,
        by: Option<&str>,
    ) -> Result<bool, StoreError> {
        let project = project.as_str().to_owned();
        let read = read.cloned().map_err(str::to_owned);
        let by = by.map(str::to_owned);
        let changed = self
            .write(move |conn| {
                Box::pin(async move {
                    record_read_on(conn, &project, kind.slug(), at, read, by.as_deref())
                        .await
                        .map_err(super::into_sqlx)
                })
            })
            .await?;
        Ok(changed)
    }

    /// The last read of `kind` of `project`, if there was one.
    pub async fn snapshot(
        &self,
        project: &ProjectId,
        kind: SettingsKind,
    ) -> Result<Option<Snapshot>, StoreError> {
        let row = sqlx::query(
            "SELECT read_at, state, error FROM snapshots WHERE project_id = $1 AND kind = $2",
        )
        .bind(project.as_str())
        .bind(kind.slug())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Snapshot {
            read_at: row.try_get("read_at")?,
            state: row
                .try_get::<Option<String>, _>("state")?
                .map(|s| from_json("state", &s))
                .transpose()?,
            error: row.try_get("error")?,
        }))
    }

    /// The changes seen of `kind` of `project`, oldest first.
    pub async fn state_history(
        &self,
        project: &ProjectId,
        kind: SettingsKind,
    ) -> Result<Vec<Change>, StoreError> {
        let rows = sqlx::query(
            "SELECT seen_at, state, changed_by FROM state_history WHERE project_id = $1 AND kind = $2 ORDER BY n",
        )
        .bind(project.as_str())
        .bind(kind.slug())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Change {
                    seen_at: row.try_get("seen_at")?,
                    state: from_json("state", &row.try_get::<String, _>("state")?)?,
                    changed_by: row.try_get("changed_by")?,
                })
            })
            .collect()
    }
}

/// [`Store::record_read`] inside the writer's transaction.
async fn record_read_on(
    conn: &mut sqlx::AnyConnection,
    project: &str,
    kind: &str,
    at: i64,
    read: Result<SettingsState, String>,
    by: Option<&str>,
) -> Result<bool, StoreError> {
    let changed = match read {
        Ok(state) => {
            let last = sqlx::query(
                "SELECT n, state FROM state_history WHERE project_id = $1 AND kind = $2 ORDER BY n DESC LIMIT 1",
            )
            .bind(project)
            .bind(kind)
            .fetch_optional(&mut *conn)
            .await?;
            let (n, same) = match &last {
                Some(row) => {
                    let held = from_json("state", &row.try_get::<String, _>("state")?)?;
                    (
                        row.try_get::<i64, _>("n")?,
                        held.essence() == state.essence(),
                    )
                }
                None => (0, false),
            };
            // A read that looked up no names keeps those an earlier one did.
            let earlier = sqlx::query_scalar::<_, Option<String>>(
                "SELECT state FROM snapshots WHERE project_id = $1 AND kind = $2",
            )
            .bind(project)
            .bind(kind)
            .fetch_optional(&mut *conn)
            .await?
            .flatten();
            let state = match earlier {
                Some(text) => state.clone().with_names_from(&from_json("state", &text)?),
                None => state.clone(),
            };
            let json = to_json(&state);
            if !same {
                // No name given: the audit trail may still explain it (a
                // save whose own snapshot was not written).
                let by = match by {
                    Some(by) => Some(by.to_owned()),
                    None if n > 0 => saved_by(conn, project, kind, &last).await?,
                    None => None,
                };
                // The first read is where the history starts, no change.
                let outside = i64::from(n > 0 && by.is_none());
                sqlx::query(
                    "INSERT INTO state_history (project_id, kind, n, seen_at, state, changed_by) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(project)
                .bind(kind)
                .bind(n + 1)
                .bind(at)
                .bind(json.clone())
                .bind(by.clone())
                .execute(&mut *conn)
                .await?;
                sqlx::query(
                    "INSERT INTO snapshots (project_id, kind, read_at, state, encrypted, external, error, changed_at, changed_by, outside, missing) \
                     VALUES ($1, $2, $3, $4, $5, $6, NULL, $3, $7, $8, $9) \
                     ON CONFLICT (project_id, kind) DO UPDATE SET read_at = $3, state = $4, encrypted = $5, external = $6, error = NULL, changed_at = $3, changed_by = $7, outside = $8, missing = $9",
                )
                .bind(project)
                .bind(kind)
                .bind(at)
                .bind(json)
                .bind(i64::from(state.encryption_enabled))
                .bind(i64::from(state.storage_enabled))
                .bind(by)
                .bind(outside)
                .bind(i64::from(!state.missing.is_empty()))
                .execute(&mut *conn)
                .await?;
            } else {
                sqlx::query(
                    "UPDATE snapshots SET read_at = $3, state = $4, encrypted = $5, external = $6, error = NULL, missing = $7 WHERE project_id = $1 AND kind = $2",
                )
                .bind(project)
                .bind(kind)
                .bind(at)
                .bind(json)
                .bind(i64::from(state.encryption_enabled))
                .bind(i64::from(state.storage_enabled))
                .bind(i64::from(!state.missing.is_empty()))
                .execute(&mut *conn)
                .await?;
            }
            !same
        }
        Err(why) => {
            // The last good state stays: the fleet shows it with the error.
            sqlx::query(
                "INSERT INTO snapshots (project_id, kind, read_at, error) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (project_id, kind) DO UPDATE SET read_at = $3, error = $4",
            )
            .bind(project)
            .bind(kind)
            .bind(at)
            .bind(why)
            .execute(&mut *conn)
            .await?;
            false
        }
    };
    Ok(changed)
}

/// Who saved `kind` of `project` since the history's last row (`last`),
/// as the audit trail says: the newest settings save that ended done.
async fn saved_by(
    tx: &mut sqlx::AnyConnection,
    project: &str,
    kind: &str,
    last: &Option<sqlx::any::AnyRow>,
) -> Result<Option<String>, StoreError> {
    let (since, credited): (i64, Option<String>) = match last {
        Some(row) => {
            let n: i64 = row.try_get("n")?;
            let row = sqlx::query(
                "SELECT seen_at, changed_by FROM state_history WHERE project_id = $1 AND kind = $2 AND n = $3",
            )
            .bind(project)
            .bind(kind)
            .bind(n)
            .fetch_one(&mut *tx)
            .await?;
            (row.try_get("seen_at")?, row.try_get("changed_by")?)
        }
        None => return Ok(None),
    };
    // Times are whole seconds: a save in the second of the last row is the
    // one that row already credits, unless that row was a plain read.
    let since = if credited.is_some() { since + 1 } else { since };
    let title = match kind {
        "recording" => SettingsKind::Recording.title(),
        _ => SettingsKind::Composition.title(),
    };
    Ok(sqlx::query_scalar(
        "SELECT staff_name FROM audit WHERE project_id = $1 AND action = 'settings-saved' AND summary = $2 \
         AND at >= $3 AND COALESCE(outcome, 'done') = 'done' ORDER BY at DESC, seq DESC LIMIT 1",
    )
    .bind(project)
    .bind(format!("{title} saved"))
    .bind(since)
    .fetch_optional(&mut *tx)
    .await?)
}
