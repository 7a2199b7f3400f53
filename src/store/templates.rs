//! Templates and which projects follow them (issue 24): one row per
//! template, its desired state as JSON; one row per project and kind that
//! follows one.

use super::{Store, StoreError};
use crate::domain::template::Template;
use crate::domain::{ProjectId, SettingsKind};
use sqlx::Row;

/// A stored template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateRow {
    pub id: String,
    pub kind: SettingsKind,
    pub template: Template,
    pub updated_at: i64,
    pub updated_by: String,
}

pub(super) fn kind_of(slug: &str) -> SettingsKind {
    match slug {
        "recording" => SettingsKind::Recording,
        _ => SettingsKind::Composition,
    }
}

pub(super) fn row_of(row: &sqlx::any::AnyRow) -> Result<TemplateRow, StoreError> {
    let body: String = row.try_get("body")?;
    let template = serde_json::from_str(&body).map_err(|e| {
        StoreError::Database(sqlx::Error::ColumnDecode {
            index: "body".into(),
            source: e.to_string().into(),
        })
    })?;
    Ok(TemplateRow {
        id: row.try_get("id")?,
        kind: kind_of(&row.try_get::<String, _>("kind")?),
        template,
        updated_at: row.try_get("updated_at")?,
        updated_by: row.try_get("updated_by")?,
    })
}

impl Store {
    /// Adds template `id`, or replaces it; false when another template has
    /// the name already.
    pub async fn save_template(&self, row: &TemplateRow) -> Result<bool, StoreError> {
        Ok(self
            .save_templates(std::slice::from_ref(row))
            .await?
            .is_none())
    }

    /// Adds or replaces every template of `rows` in one transaction; the
    /// name of one another template has already (then nothing is stored).
    pub async fn save_templates(&self, rows: &[TemplateRow]) -> Result<Option<String>, StoreError> {
        let mut tx = self.writer().begin().await?;
        for row in rows {
            let taken: Option<String> =
                sqlx::query_scalar("SELECT id FROM templates WHERE name = $1 AND id <> $2")
                    .bind(&row.template.name)
                    .bind(&row.id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if taken.is_some() {
                return Ok(Some(row.template.name.clone()));
            }
            sqlx::query(
                "INSERT INTO templates (id, name, kind, body, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (id) DO UPDATE SET name = $2, kind = $3, body = $4, updated_at = $5, updated_by = $6",
            )
            .bind(&row.id)
            .bind(&row.template.name)
            .bind(row.kind.slug())
            .bind(serde_json::to_string(&row.template).unwrap_or_default())
            .bind(row.updated_at)
            .bind(&row.updated_by)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(None)
    }

    /// Every template, by name.
    pub async fn templates(&self) -> Result<Vec<TemplateRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, kind, body, updated_at, updated_by FROM templates ORDER BY LOWER(name), id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(row_of).collect()
    }

    pub async fn template(&self, id: &str) -> Result<Option<TemplateRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, kind, body, updated_at, updated_by FROM templates WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(row_of).transpose()
    }

    /// Removes a template and every project's following of it, at once.
    pub async fn delete_template(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.writer().begin().await?;
        let removed = sqlx::query("DELETE FROM templates WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM project_templates WHERE template_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(removed == 1)
    }

    /// Makes `project` follow `template` for `kind` (none: no template).
    /// False when the template does not exist or is of the other kind.
    pub async fn assign_template(
        &self,
        project: &ProjectId,
        kind: SettingsKind,
        template: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer().begin().await?;
        sqlx::query("DELETE FROM project_templates WHERE project_id = $1 AND kind = $2")
            .bind(project.as_str())
            .bind(kind.slug())
            .execute(&mut *tx)
            .await?;
        if let Some(template) = template {
            let added = sqlx::query(
                "INSERT INTO project_templates (project_id, kind, template_id) \
                 SELECT $1, $2, id FROM templates WHERE id = $3 AND kind = $2",
            )
            .bind(project.as_str())
            .bind(kind.slug())
            .bind(template)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if added != 1 {
                return Ok(false);
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The template `project` follows for `kind`, if any.
    pub async fn assigned_template(
        &self,
        project: &ProjectId,
        kind: SettingsKind,
    ) -> Result<Option<TemplateRow>, StoreError> {
        let row = sqlx::query(
            "SELECT t.id, t.kind, t.body, t.updated_at, t.updated_by FROM project_templates a \
             JOIN templates t ON t.id = a.template_id WHERE a.project_id = $1 AND a.kind = $2",
        )
        .bind(project.as_str())
        .bind(kind.slug())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(row_of).transpose()
    }

    /// Every assignment, as (project id, kind slug, template id).
    pub async fn template_assignments(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        let rows = sqlx::query("SELECT project_id, kind, template_id FROM project_templates")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("project_id")?,
                    row.try_get("kind")?,
                    row.try_get("template_id")?,
                ))
            })
            .collect()
    }
}
