//! Templates: listing them for everyone signed in; creating, changing,
//! deleting, importing and assigning them for admins, each audited with
//! before and after, and the drift of the projects concerned computed
//! again at once.

use super::audit::{record, Record};
use super::auth::{Action, Caller};
use super::drift::recompute_after;
use super::projects::internal;
use crate::domain::audit::AuditAction;
use crate::domain::template_form::{
    read_templates_file, TemplateEntry, TemplateInput, TemplatesFile, TEMPLATES_FORMAT,
};
use crate::domain::template_view::{
    ImportSummary, KindDrift, ProjectDrift, TemplateView, TemplatesView,
};
use crate::domain::{AppError, Field, FieldErrors, ProjectId, SettingsKind};
use crate::store::{DriftOf, Store, TemplateRow};

fn as_json(row: &TemplateRow) -> String {
    serde_json::to_string(&TemplateEntry {
        kind: row.kind,
        template: row.template.clone(),
    })
    .unwrap_or_default()
}

fn audit<'a>(
    caller: &'a Caller,
    project: Option<&'a ProjectId>,
    action: AuditAction,
    summary: String,
) -> Record<'a> {
    Record {
        staff: &caller.name,
        staff_id: Some(&caller.id),
        project,
        action,
        summary,
        before: None,
        after: None,
    }
}

/// After a template was stored: its audit entry (before and after), and
/// the drift of the projects following it computed again.
async fn saved(
    store: &Store,
    caller: &Caller,
    row: &TemplateRow,
    before: Option<&TemplateRow>,
    how: &str,
) {
    let (action, verb) = match before {
        None => (AuditAction::TemplateCreated, "created"),
        Some(_) if how.is_empty() => (AuditAction::TemplateChanged, "changed"),
        Some(_) => (AuditAction::TemplateChanged, "replaced"),
    };
    record(
        store,
        Record {
            before: before.map(as_json),
            after: Some(as_json(row)),
            ..audit(
                caller,
                None,
                action,
                format!("Template \u{201c}{}\u{201d} {verb}{how}", row.template.name),
            )
        },
    )
    .await;
    recompute_after(store, DriftOf::Template(&row.id)).await;
}

/// Every template, for anyone signed in.
pub async fn list(store: &Store, caller: &Caller) -> Result<TemplatesView, AppError> {
    let rows = store.templates().await.map_err(internal)?;
    // Others see only their projects among the followers, and no staff name.
    let admin = caller.role == crate::domain::Role::Admin;
    let assignments = store.assignments().await.map_err(internal)?;
    let followers = |id: &str| {
        assignments
            .iter()
            .filter(|(project, template)| {
                template == id
                    && (admin || project.parse::<ProjectId>().is_ok_and(|p| caller.sees(&p)))
            })
            .count() as i64
    };
    let templates = rows
        .into_iter()
        .map(|row| TemplateView {
            followers: followers(&row.id),
            says: row.template.describe(),
            input: TemplateInput::of(&row.id, row.kind, &row.template),
            id: row.id,
            name: row.template.name,
            kind: row.kind,
            updated_at: row.updated_at,
            updated_by: if admin {
                row.updated_by
            } else {
                "an administrator".into()
            },
        })
        .collect();
    Ok(TemplatesView {
        templates,
        can_edit: caller.may(Action::Administer, None).is_ok(),
    })
}

fn invalid(field: Field, message: String) -> AppError {
    let mut errors = FieldErrors::default();
    errors.push(field, message);
    AppError::Invalid(errors)
}

/// Adds a template (no id) or changes one; answers whether it was added.
pub async fn save(store: &Store, caller: &Caller, input: &TemplateInput) -> Result<bool, AppError> {
    caller.may(Action::Administer, None)?;
    let (kind, template) = input.parse().map_err(AppError::Invalid)?;
    let before = if input.id.is_empty() {
        None
    } else {
        let found = store.template(&input.id).await.map_err(internal)?;
        let found = found.ok_or_else(|| {
            AppError::NotFound("There is no such template; it may have been deleted.".into())
        })?;
        if found.kind != kind {
            return Err(invalid(
                Field::TemplateKind,
                format!(
                    "cannot change: the template is for {}; make a new template for {}",
                    found.kind.title(),
                    kind.title()
                ),
            ));
        }
        Some(found)
    };
    let row = TemplateRow {
        id: before.as_ref().map_or_else(
            || uuid::Uuid::new_v4().simple().to_string(),
            |b| b.id.clone(),
        ),
        kind,
        template,
        updated_at: crate::store::now(),
        updated_by: caller.name.clone(),
    };
    if !store.save_template(&row).await.map_err(internal)? {
        return Err(invalid(
            Field::TemplateName,
            format!(
                "is taken: another template is named \u{201c}{}\u{201d}",
                row.template.name
            ),
        ));
    }
    saved(store, caller, &row, before.as_ref(), "").await;
    Ok(before.is_none())
}

/// Deletes a template; the projects following it follow none after.
pub async fn delete(
    store: &Store,
    caller: &Caller,
    id: &str,
    confirm: bool,
) -> Result<(), AppError> {
    caller.may(Action::Administer, None)?;
    if !confirm {
        return Err(AppError::NeedsConfirmation(vec![
            "Tick the box to confirm: the projects following the template will follow none; their settings at Twilio stay as they are.".into(),
        ]));
    }
    let found = store.template(id).await.map_err(internal)?.ok_or_else(|| {
        AppError::NotFound("There is no such template; it may have been deleted.".into())
    })?;
    store.delete_template(id).await.map_err(internal)?;
    record(
        store,
        Record {
            before: Some(as_json(&found)),
            ..audit(
                caller,
                None,
                AuditAction::TemplateDeleted,
                format!("Template \u{201c}{}\u{201d} deleted", found.template.name),
            )
        },
    )
    .await;
    recompute_after(store, DriftOf::Template(id)).await;
    Ok(())
}

/// Every template as a file to keep in version control.
pub async fn export(store: &Store) -> Result<String, AppError> {
    let rows = store.templates().await.map_err(internal)?;
    let file = TemplatesFile {
        format: TEMPLATES_FORMAT.into(),
        version: 1,
        templates: rows
            .into_iter()
            .map(|row| TemplateEntry {
                kind: row.kind,
                template: row.template,
            })
            .collect(),
    };
    Ok(serde_json::to_string_pretty(&file).unwrap_or_default())
}

/// Reads a templates file: templates are matched by name, added or
/// replaced. The whole file is checked before anything is stored; a file
/// with any problem stores nothing.
pub async fn import(store: &Store, caller: &Caller, text: &str) -> Result<ImportSummary, AppError> {
    caller.may(Action::Administer, None)?;
    let entries = read_templates_file(text).map_err(AppError::Request)?;
    let existing = store.templates().await.map_err(internal)?;
    let mut plan = Vec::new();
    for entry in entries {
        let before = existing
            .iter()
            .find(|row| row.template.name == entry.template.name)
            .cloned();
        if let Some(before) = &before {
            if before.kind != entry.kind {
                return Err(AppError::Request(format!(
                    "The template \u{201c}{}\u{201d} is for {} here and for {} in the file; nothing was imported.",
                    entry.template.name,
                    before.kind.title(),
                    entry.kind.title()
                )));
            }
        }
        plan.push((entry, before));
    }
    let mut summary = ImportSummary::default();
    let now = crate::store::now();
    let mut rows = Vec::new();
    for (entry, before) in plan {
        if before
            .as_ref()
            .is_some_and(|b| b.template == entry.template)
        {
            summary.unchanged += 1;
            continue;
        }
        if before.is_some() {
            summary.replaced += 1;
        } else {
            summary.added += 1;
        }
        let row = TemplateRow {
            id: before.as_ref().map_or_else(
                || uuid::Uuid::new_v4().simple().to_string(),
                |b| b.id.clone(),
            ),
            kind: entry.kind,
            template: entry.template,
            updated_at: now,
            updated_by: caller.name.clone(),
        };
        rows.push((row, before));
    }
    // All of them or none.
    let stored: Vec<TemplateRow> = rows.iter().map(|(row, _)| row.clone()).collect();
    if let Some(name) = store.save_templates(&stored).await.map_err(internal)? {
        return Err(AppError::Request(format!(
            "Another template was named \u{201c}{name}\u{201d} meanwhile; nothing was imported."
        )));
    }
    for (row, before) in rows {
        saved(store, caller, &row, before.as_ref(), " by an import").await;
    }
    Ok(summary)
}

/// Makes `project` follow `template` for `kind` (none: no template).
pub async fn assign(
    store: &Store,
    caller: &Caller,
    project: &ProjectId,
    kind: SettingsKind,
    template: Option<&str>,
) -> Result<(), AppError> {
    caller.may(Action::Administer, Some(project))?;
    let summary = store
        .project(project)
        .await
        .map_err(internal)?
        .ok_or_else(|| AppError::no_project(project.as_str()))?;
    let before = store
        .assigned_template(project, kind)
        .await
        .map_err(internal)?;
    let chosen = match template {
        Some(id) => Some(store.template(id).await.map_err(internal)?.ok_or_else(|| {
            AppError::NotFound("There is no such template; it may have been deleted.".into())
        })?),
        None => None,
    };
    if chosen.as_ref().is_some_and(|t| t.kind != kind) {
        return Err(AppError::Request(format!(
            "That template is not for {}.",
            kind.title()
        )));
    }
    if !store
        .assign_template(project, kind, template)
        .await
        .map_err(internal)?
    {
        return Err(AppError::NotFound(
            "There is no such template; it may have been deleted.".into(),
        ));
    }
    let name = |row: &Option<TemplateRow>| row.as_ref().map(|t| t.template.name.clone());
    let summary_words = match &chosen {
        Some(t) => format!(
            "{} of {} follow the template \u{201c}{}\u{201d}",
            kind.title(),
            summary.name,
            t.template.name
        ),
        None => format!("{} of {} follow no template", kind.title(), summary.name),
    };
    record(
        store,
        Record {
            before: name(&before),
            after: name(&chosen),
            ..audit(
                caller,
                Some(project),
                AuditAction::TemplateAssigned,
                summary_words,
            )
        },
    )
    .await;
    let ids = [project.as_str().to_owned()];
    recompute_after(store, DriftOf::Projects(&ids)).await;
    Ok(())
}

/// A project's drift per kind, for anyone who may read the project.
pub async fn project_drift(
    store: &Store,
    caller: &Caller,
    project: &ProjectId,
) -> Result<ProjectDrift, AppError> {
    caller.may(Action::Read, Some(project))?;
    let rows = store.project_drift(project).await.map_err(internal)?;
    let mut kinds = Vec::new();
    for kind in [SettingsKind::Composition, SettingsKind::Recording] {
        let assigned = store
            .assigned_template(project, kind)
            .await
            .map_err(internal)?;
        let computed = rows.iter().find(|r| r.kind == kind);
        kinds.push(KindDrift {
            kind,
            template: assigned.map(|t| (t.id, t.template.name)),
            fields: computed.and_then(|r| r.fields.clone()),
            computed_at: computed.map(|r| r.computed_at),
        });
    }
    let can_assign = caller.may(Action::Administer, Some(project)).is_ok();
    let choices = if can_assign {
        store
            .templates()
            .await
            .map_err(internal)?
            .into_iter()
            .map(|t| (t.id, t.template.name, t.kind))
            .collect()
    } else {
        Vec::new()
    };
    Ok(ProjectDrift {
        kinds,
        can_assign,
        choices,
    })
}
