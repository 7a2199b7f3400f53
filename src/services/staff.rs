//! Managing staff: admins add staff, change their role, projects and
//! password, and remove them. Every change is audited (never a password),
//! its entry written in the change's own transaction.

use super::auth::{hash_password, Action, Caller};
use super::trail::Trail;
use crate::domain::audit::AuditAction;
use crate::domain::staff::{check_new_password, check_staff_name};
use crate::domain::{AppError, Field, FieldErrors, ProjectId, Role, StaffInput, StaffView};
use crate::store::{Audited, Store};

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
    let password_note = if hash.is_some() && existing.is_some() {
        "; password replaced"
    } else {
        ""
    };
    let projects_shown: Vec<String> = projects.iter().map(ToString::to_string).collect();
    let after = serde_json::json!({ "role": role.slug(), "projects": projects_shown }).to_string();
    let trail = Trail::of(store, caller);
    let (entry, staff_id) = trail.one_step(
        None,
        if existing.is_some() {
            AuditAction::StaffChanged
        } else {
            AuditAction::StaffAdded
        },
        format!("staff member {name}{password_note}"),
        before,
        Some(after),
    );
    let row = crate::store::StaffRow {
        id: existing
            .as_ref()
            .map_or_else(crate::store::new_staff_id, |row| row.id.clone()),
        name: name.clone(),
        password_hash: hash.unwrap_or_default(),
        role,
    };
    store
        .save_staff(
            existing.as_ref().map(|row| &row.id),
            &row,
            &projects,
            Audited {
                entry: &entry,
                staff_id,
            },
        )
        .await
        .map_err(|e| match e {
            crate::store::StoreError::DuplicateName(_) => {
                let mut errors = FieldErrors::default();
                errors.push(
                    Field::StaffName,
                    "is taken: another staff member was just added under it",
                );
                AppError::Invalid(errors)
            }
            e => super::projects::internal(e),
        })?;
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
    let trail = Trail::of(store, caller);
    let (entry, staff_id) = trail.one_step(
        None,
        AuditAction::StaffRemoved,
        format!("staff member {} removed", row.name),
        Some(before),
        None,
    );
    store
        .delete_staff(
            &row.id,
            Some(Audited {
                entry: &entry,
                staff_id,
            }),
        )
        .await
        .map_err(super::projects::internal)?;
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
