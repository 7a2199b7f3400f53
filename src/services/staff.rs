//! Managing staff: admins add staff, change their role, projects and
//! password, and remove them. Every change is audited (never a password).

use super::audit::{self, Record};
use super::auth::{hash_password, Action, Caller};
use crate::domain::audit::AuditAction;
use crate::domain::staff::{check_new_password, check_staff_name};
use crate::domain::{AppError, Field, FieldErrors, ProjectId, Role, StaffInput, StaffView};
use crate::store::Store;

pub async fn list(store: &Store, caller: &Caller) -> Result<Vec<StaffView>, AppError> {
    caller.may(Action::Administer, None)?;
    let rows = store
        .list_staff()
        .await
        .map_err(super::projects::internal)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let projects = store
            .assigned(&row.id)
            .await
            .map_err(super::projects::internal)?;
        out.push(StaffView {
            name: row.name,
            role: row.role,
            projects: projects.iter().map(ToString::to_string).collect(),
        });
    }
    Ok(out)
}

/// Adds a staff member, or changes the one with this name. Answers whether
/// one was added.
pub async fn save(store: &Store, caller: &Caller, input: &StaffInput) -> Result<bool, AppError> {
    caller.may(Action::Administer, None)?;
    let mut errors = FieldErrors::default();
    let name = check_staff_name(&input.name)
        .map_err(|e| errors.push(Field::StaffName, e))
        .ok();
    let role = Role::from_slug(input.role.trim());
    if role.is_none() {
        errors.push(Field::StaffRole, "must be admin, editor or viewer");
    }
    let mut projects = Vec::new();
    for raw in input
        .projects
        .split([',', ' '])
        .filter(|p| !p.trim().is_empty())
    {
        match raw.trim().parse::<ProjectId>() {
            Ok(id)
                if store
                    .project(&id)
                    .await
                    .map_err(super::projects::internal)?
                    .is_some() =>
            {
                projects.push(id)
            }
            _ => {
                errors.push(
                    Field::StaffProjects,
                    format!(
                        "names {} , which is not a project id",
                        crate::domain::error::clipped(raw.trim(), 40)
                    ),
                );
                break;
            }
        }
    }
    let existing = match &name {
        Some(name) => store
            .staff_by_name(name)
            .await
            .map_err(super::projects::internal)?,
        None => None,
    };
    if !input.password.is_empty() || existing.is_none() {
        if let Err(e) = check_new_password(&input.password) {
            errors.push(Field::Password, e);
        }
    }
    let (Some(name), Some(role), true) = (name, role, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    if existing.as_ref().is_some_and(|e| e.id == caller.id) && role != Role::Admin {
        return Err(AppError::Forbidden(
            "You cannot take away your own admin role; ask another admin.".into(),
        ));
    }
    let hash = if input.password.is_empty() {
        None
    } else {
        Some(
            hash_password(input.password.clone())
                .await
                .map_err(super::projects::internal)?,
        )
    };
    let before = match &existing {
        Some(row) => Some(describe(store, &row.id, row.role).await?),
        None => None,
    };
    let id = match &existing {
        Some(row) => {
            store
                .set_role(&row.id, role)
                .await
                .map_err(super::projects::internal)?;
            if let Some(hash) = &hash {
                store
                    .set_password_hash(&row.id, hash)
                    .await
                    .map_err(super::projects::internal)?;
            }
            row.id.clone()
        }
        None => {
            crate::server::ensure_staff(store, &name, role, hash.as_deref().unwrap_or_default())
                .await
                .map_err(super::projects::internal)?
        }
    };
    store
        .set_assigned(&id, &projects)
        .await
        .map_err(super::projects::internal)?;
    let after = describe(store, &id, role).await?;
    let password_note = if hash.is_some() && existing.is_some() {
        "; password replaced"
    } else {
        ""
    };
    audit::record(
        store,
        Record {
            staff: &caller.name,
            project: None,
            action: if existing.is_some() {
                AuditAction::StaffChanged
            } else {
                AuditAction::StaffAdded
            },
            summary: format!("staff member {name}{password_note}"),
            before,
            after: Some(after),
        },
    )
    .await;
    Ok(existing.is_none())
}

/// Removes a staff member; never oneself.
pub async fn remove(store: &Store, caller: &Caller, name: &str) -> Result<(), AppError> {
    caller.may(Action::Administer, None)?;
    let row = store
        .staff_by_name(name.trim())
        .await
        .map_err(super::projects::internal)?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no staff member {}.",
                crate::domain::error::clipped(name, 64)
            ))
        })?;
    if row.id == caller.id {
        return Err(AppError::Forbidden(
            "You cannot remove yourself; ask another admin.".into(),
        ));
    }
    let before = describe(store, &row.id, row.role).await?;
    store
        .delete_staff(&row.id)
        .await
        .map_err(super::projects::internal)?;
    audit::record(
        store,
        Record {
            staff: &caller.name,
            project: None,
            action: AuditAction::StaffRemoved,
            summary: format!("staff member {} removed", row.name),
            before: Some(before),
            after: None,
        },
    )
    .await;
    Ok(())
}

/// Role and projects, as the audit trail keeps them.
async fn describe(
    store: &Store,
    id: &crate::domain::StaffId,
    role: Role,
) -> Result<String, AppError> {
    let projects = store
        .assigned(id)
        .await
        .map_err(super::projects::internal)?;
    let projects: Vec<String> = projects.iter().map(ToString::to_string).collect();
    Ok(serde_json::json!({ "role": role.slug(), "projects": projects }).to_string())
}
