//! Staff accounts and the projects assigned to them.

use super::{Audited, Store, StoreError};
use crate::domain::{ProjectId, Role, StaffId};
use sqlx::Row;

/// A staff member as stored: the password only as its argon2id hash.
#[derive(Clone, Debug)]
pub struct StaffRow {
    pub id: StaffId,
    pub name: String,
    pub password_hash: String,
    pub role: Role,
}

impl StaffRow {
    fn from_row(row: &sqlx::any::AnyRow) -> Result<Self, StoreError> {
        let bad = |column: &str, problem: String| {
            StoreError::Database(sqlx::Error::ColumnDecode {
                index: column.to_owned(),
                source: problem.into(),
            })
        };
        let role: String = row.try_get("role")?;
        Ok(Self {
            id: row
                .try_get::<String, _>("id")?
                .parse()
                .map_err(|e| bad("id", e))?,
            name: row.try_get("name")?,
            password_hash: row.try_get("password_hash")?,
            role: Role::from_slug(&role).ok_or_else(|| bad("role", role.clone()))?,
        })
    }
}

impl Store {
    pub async fn staff_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM staff")
            .fetch_one(self.pool())
            .await?)
    }

    pub async fn staff_by_name(&self, name: &str) -> Result<Option<StaffRow>, StoreError> {
        let row = sqlx::query("SELECT id, name, password_hash, role FROM staff WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(StaffRow::from_row).transpose()
    }

    /// A staff member with their assigned projects, in one query: this runs
    /// on every signed-in request.
    pub async fn staff_with_projects(
        &self,
        id: &StaffId,
    ) -> Result<Option<(StaffRow, Vec<ProjectId>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id AS id, s.name AS name, s.password_hash AS password_hash, \
             s.role AS role, a.project_id AS project_id FROM staff s \
             LEFT JOIN staff_projects a ON a.staff_id = s.id WHERE s.id = $1",
        )
        .bind(id.as_str())
        .fetch_all(self.pool())
        .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let staff = StaffRow::from_row(first)?;
        let mut projects = Vec::new();
        for row in &rows {
            if let Some(project) = row.try_get::<Option<String>, _>("project_id")? {
                projects.extend(project.parse().ok());
            }
        }
        Ok(Some((staff, projects)))
    }

    /// Adds a staff member; a name already taken is refused.
    pub async fn insert_staff(&self, staff: &StaffRow) -> Result<(), StoreError> {
        let result = sqlx::query(
            "INSERT INTO staff (id, name, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(staff.id.as_str())
        .bind(&staff.name)
        .bind(&staff.password_hash)
        .bind(staff.role.slug())
        .bind(super::now())
        .execute(self.writer())
        .await;
        result.map(drop).map_err(|e| duplicate_name(e, &staff.name))
    }

    /// Replaces a staff member's password hash.
    pub async fn set_password_hash(&self, id: &StaffId, hash: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE staff SET password_hash = $2 WHERE id = $1")
            .bind(id.as_str())
            .bind(hash)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Every staff member, by name.
    pub async fn list_staff(&self) -> Result<Vec<StaffRow>, StoreError> {
        let rows =
            sqlx::query("SELECT id, name, password_hash, role FROM staff ORDER BY LOWER(name)")
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(StaffRow::from_row).collect()
    }

    /// Removes a staff member (their assignments go with them; sessions
    /// end at their next request, when the account is not found), with
    /// `audit` in the same transaction.
    pub async fn delete_staff(
        &self,
        id: &StaffId,
        audit: Option<Audited<'_>>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer().begin().await?;
        let result = sqlx::query("DELETE FROM staff WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        if result.rows_affected() != 1 {
            return Ok(false);
        }
        if let Some(audit) = audit {
            audit.write(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Adds a staff member (`existing` None) or changes one: role, password
    /// hash (None keeps it), the projects assigned, and `audit`, all in one
    /// transaction, so a failure anywhere changes and records nothing.
    pub async fn save_staff(
        &self,
        existing: Option<&StaffId>,
        staff: &StaffRow,
        projects: &[ProjectId],
        audit: Audited<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer().begin().await?;
        match existing {
            Some(id) => {
                sqlx::query("UPDATE staff SET role = $2, password_hash = COALESCE($3, password_hash) WHERE id = $1")
                    .bind(id.as_str())
                    .bind(staff.role.slug())
                    .bind(Some(staff.password_hash.clone()).filter(|h| !h.is_empty()))
                    .execute(&mut *tx)
                    .await?;
            }
            None => {
                let inserted = sqlx::query(
                    "INSERT INTO staff (id, name, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(staff.id.as_str())
                .bind(&staff.name)
                .bind(&staff.password_hash)
                .bind(staff.role.slug())
                .bind(super::now())
                .execute(&mut *tx)
                .await;
                if let Err(e) = inserted {
                    return Err(duplicate_name(e, &staff.name));
                }
            }
        }
        let id = existing.unwrap_or(&staff.id);
        sqlx::query("DELETE FROM staff_projects WHERE staff_id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        for project in projects {
            sqlx::query("INSERT INTO staff_projects (staff_id, project_id) VALUES ($1, $2)")
                .bind(id.as_str())
                .bind(project.as_str())
                .execute(&mut *tx)
                .await?;
        }
        audit.write(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives an editor or viewer a project.
    pub async fn assign(&self, staff: &StaffId, project: &ProjectId) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO staff_projects (staff_id, project_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(staff.as_str())
        .bind(project.as_str())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// The projects assigned to a staff member.
    pub async fn assigned(&self, staff: &StaffId) -> Result<Vec<ProjectId>, StoreError> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT project_id FROM staff_projects WHERE staff_id = $1")
                .bind(staff.as_str())
                .fetch_all(self.pool())
                .await?;
        Ok(ids.into_iter().filter_map(|id| id.parse().ok()).collect())
    }
}

/// A fresh id for a staff member.
pub fn new_staff_id() -> StaffId {
    uuid::Uuid::new_v4().simple().to_string()[..12]
        .parse()
        .expect("hex digits are a valid id")
}

/// A name already taken, as PostgreSQL (the constraint) or SQLite (the
/// column) says it; any other error as it is.
fn duplicate_name(error: sqlx::Error, name: &str) -> StoreError {
    match &error {
        sqlx::Error::Database(e)
            if e.constraint() == Some("staff_name_key") || e.message().contains("staff.name") =>
        {
            StoreError::DuplicateName(name.to_owned())
        }
        _ => error.into(),
    }
}
