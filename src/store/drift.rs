//! What drift is computed from and where it is kept: each account's
//! credentials as its last refresh listed them, and each project's drift
//! from the templates it follows.

use super::{Store, StoreError, TemplateRow};
use crate::domain::fleet::SettingsState;
use crate::domain::template::FieldDrift;
use crate::domain::{Credential, CredentialKind, ProjectId, SettingsKind};
use sqlx::Row;

/// Whose drift to compute again.
#[derive(Clone, Copy, Debug)]
pub enum DriftOf<'a> {
    Everyone,
    Projects(&'a [String]),
    /// The projects following this template.
    Template(&'a str),
}

/// Everything one project's drift from one template is computed from.
#[derive(Clone, Debug)]
pub struct DriftInput {
    pub project_id: String,
    pub name: String,
    pub account_sid: String,
    pub template: TemplateRow,
    /// The last state read, and whether the console ever read one.
    pub state: Option<SettingsState>,
    pub keys: Option<Vec<Credential>>,
    pub aws: Option<Vec<Credential>>,
}

/// One project's drift from one template, computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DriftRow {
    pub project_id: String,
    pub kind: SettingsKind,
    pub template_id: String,
    pub template_name: String,
    /// `None`: cannot be told, the settings were never read.
    pub fields: Option<Vec<FieldDrift>>,
    pub computed_at: i64,
}

fn list_slug(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::PublicKey => "public_key",
        CredentialKind::Aws => "aws",
    }
}

fn json_list(text: Option<String>) -> Option<Vec<Credential>> {
    serde_json::from_str(&text?).ok()
}

/// The rows per multi-row INSERT.
const CHUNK: usize = 200;

impl Store {
    /// Keeps what an account's credentials of `kind` were at `at`.
    pub async fn record_credentials(
        &self,
        project: &ProjectId,
        kind: CredentialKind,
        listed: &[Credential],
        at: i64,
    ) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO credential_lists (project_id, kind, body, read_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (project_id, kind) DO UPDATE SET body = $3, read_at = $4",
        )
        .bind(project.as_str().to_owned())
        .bind(list_slug(kind))
        .bind(serde_json::to_string(listed).unwrap_or_else(|_| "[]".into()))
        .bind(at);
        self.execute(query).await?;
        Ok(())
    }

    /// What the drift of `of` is computed from, one entry per project and
    /// template it follows.
    pub async fn drift_inputs(&self, of: DriftOf<'_>) -> Result<Vec<DriftInput>, StoreError> {
        let mut sql = String::from(
            "SELECT a.project_id, p.name, p.account_sid, t.id, t.kind, t.body, t.updated_at, t.updated_by, \
             s.state, k.body AS keys, w.body AS aws FROM project_templates a \
             JOIN projects p ON p.id = a.project_id \
             JOIN templates t ON t.id = a.template_id \
             LEFT JOIN snapshots s ON s.project_id = a.project_id AND s.kind = a.kind \
             LEFT JOIN credential_lists k ON k.project_id = a.project_id AND k.kind = 'public_key' \
             LEFT JOIN credential_lists w ON w.project_id = a.project_id AND w.kind = 'aws'",
        );
        let mut binds: Vec<&str> = Vec::new();
        match of {
            DriftOf::Everyone => {}
            DriftOf::Projects(ids) => {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let marks: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
                sql.push_str(&format!(" WHERE a.project_id IN ({})", marks.join(", ")));
                binds.extend(ids.iter().map(String::as_str));
            }
            DriftOf::Template(id) => {
                sql.push_str(" WHERE a.template_id = $1");
                binds.push(id);
            }
        }
        let mut query = sqlx::query(&sql);
        for bind in binds {
            query = query.bind(bind);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                Ok(DriftInput {
                    project_id: row.try_get("project_id")?,
                    name: row.try_get("name")?,
                    account_sid: row.try_get("account_sid")?,
                    template: super::templates::row_of(row)?,
                    state: row
                        .try_get::<Option<String>, _>("state")?
                        .and_then(|s| serde_json::from_str(&s).ok()),
                    keys: json_list(row.try_get("keys")?),
                    aws: json_list(row.try_get("aws")?),
                })
            })
            .collect()
    }

    /// Replaces the drift of `of` with `rows`, in one transaction (one
    /// commit however many projects).
    pub async fn replace_drift(
        &self,
        of: DriftOf<'_>,
        rows: &[DriftRow],
    ) -> Result<(), StoreError> {
        let (everyone, ids, template) = match of {
            DriftOf::Everyone => (true, Vec::new(), String::new()),
            DriftOf::Projects(ids) => (false, ids.to_vec(), String::new()),
            DriftOf::Template(id) => (false, Vec::new(), id.to_owned()),
        };
        let rows = rows.to_vec();
        self.write(move |conn| {
            Box::pin(async move {
                let of = match (everyone, template.is_empty()) {
                    (true, _) => DriftOf::Everyone,
                    (false, true) => DriftOf::Projects(&ids),
                    (false, false) => DriftOf::Template(&template),
                };
                replace_drift_on(conn, of, &rows).await
            })
        })
        .await?;
        Ok(())
    }

    /// A project's drift, per kind it follows a template for.
    pub async fn project_drift(&self, project: &ProjectId) -> Result<Vec<DriftRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.kind, d.template_id, t.name, d.differs, d.body, d.computed_at FROM drift d \
             JOIN templates t ON t.id = d.template_id WHERE d.project_id = $1 ORDER BY d.kind",
        )
        .bind(project.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let differs: i64 = row.try_get("differs")?;
                let body: String = row.try_get("body")?;
                Ok(DriftRow {
                    project_id: project.as_str().to_owned(),
                    kind: super::templates::kind_of(&row.try_get::<String, _>("kind")?),
                    template_id: row.try_get("template_id")?,
                    template_name: row.try_get("name")?,
                    fields: (differs >= 0).then(|| serde_json::from_str(&body).unwrap_or_default()),
                    computed_at: row.try_get("computed_at")?,
                })
            })
            .collect()
    }

    /// Which template each project follows: (project id, template id).
    pub async fn assignments(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT project_id, template_id FROM project_templates")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("project_id")?, row.try_get("template_id")?)))
            .collect()
    }
}

/// [`Store::replace_drift`] inside the writer's transaction.
async fn replace_drift_on(
    conn: &mut sqlx::AnyConnection,
    of: DriftOf<'_>,
    rows: &[DriftRow],
) -> Result<(), sqlx::Error> {
    match of {
        DriftOf::Everyone => {
            sqlx::query("DELETE FROM drift").execute(&mut *conn).await?;
        }
        DriftOf::Projects(ids) => {
            for chunk in ids.chunks(CHUNK) {
                let marks: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
                let sql = format!(
                    "DELETE FROM drift WHERE project_id IN ({})",
                    marks.join(", ")
                );
                let mut query = sqlx::query(&sql);
                for id in chunk {
                    query = query.bind(id.as_str());
                }
                query.execute(&mut *conn).await?;
            }
        }
        DriftOf::Template(id) => {
            sqlx::query("DELETE FROM drift WHERE template_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    for chunk in rows.chunks(CHUNK) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let n = i * 6;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${})",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5,
                    n + 6
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO drift (project_id, kind, template_id, differs, body, computed_at) VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            let (differs, body) = match &row.fields {
                Some(fields) => (
                    fields.len() as i64,
                    serde_json::to_string(fields).unwrap_or_else(|_| "[]".into()),
                ),
                None => (-1, "[]".to_owned()),
            };
            query = query
                .bind(row.project_id.as_str())
                .bind(row.kind.slug())
                .bind(row.template_id.as_str())
                .bind(differs)
                .bind(body)
                .bind(row.computed_at);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
