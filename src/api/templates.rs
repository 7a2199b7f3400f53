//! Templates and drift: everyone signed in reads templates, anyone who may
//! read a project reads its drift; admins change templates and who follows
//! them.

use crate::domain::template_form::TemplateInput;
use crate::domain::template_view::{ImportSummary, ProjectDrift, TemplatesView};
use crate::domain::{AppError, Failure, ProjectId, SettingsKind};
use leptos::prelude::*;

#[server(endpoint = "templates/list")]
pub async fn list_templates() -> Result<TemplatesView, AppError> {
    let caller = super::context::caller()?;
    let state = super::context::app_state()?;
    crate::services::templates::list(state.projects.store(), &caller)
        .await
        .inspect_err(super::context::report)
}

/// Adds a template (empty id) or changes one; answers whether it was added.
#[server(endpoint = "templates/save")]
pub async fn save_template(input: TemplateInput) -> Result<bool, Failure<TemplateInput>> {
    let input = TemplateInput {
        id: crate::domain::error::clipped(&input.id, 40),
        ..input
    };
    let result = async {
        let caller = super::context::caller()?;
        let state = super::context::app_state()?;
        crate::services::templates::save(state.projects.store(), &caller, &input).await
    }
    .await;
    match result {
        Ok(added) => {
            if super::context::form_post_origin().is_some() {
                leptos_axum::redirect(&format!("{}?done=template-saved", crate::paths::TEMPLATES));
            }
            Ok(added)
        }
        Err(error) => {
            super::context::report(&error);
            Err(Failure {
                error,
                input: Some(input.for_echo()),
            })
        }
    }
}

/// Deletes a template; needs `confirm`.
#[server(endpoint = "templates/delete")]
pub async fn delete_template(id: String, confirm: Option<bool>) -> Result<(), AppError> {
    let result = async {
        let caller = super::context::caller()?;
        let state = super::context::app_state()?;
        let id = crate::domain::error::clipped(&id, 40);
        crate::services::templates::delete(
            state.projects.store(),
            &caller,
            &id,
            confirm == Some(true),
        )
        .await
    }
    .await
    .inspect_err(super::context::report);
    result?;
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(&format!(
            "{}?done=template-deleted",
            crate::paths::TEMPLATES
        ));
    }
    Ok(())
}

/// Reads a templates file (as exported), pasted into the form.
#[server(endpoint = "templates/import")]
pub async fn import_templates(file: String) -> Result<ImportSummary, AppError> {
    let result = async {
        let caller = super::context::caller()?;
        let state = super::context::app_state()?;
        crate::services::templates::import(state.projects.store(), &caller, &file).await
    }
    .await
    .inspect_err(super::context::report)?;
    if super::context::form_post_origin().is_some() {
        // In the signed `done` value: the redirect keeps no other key.
        leptos_axum::redirect(&format!(
            "{}?done=imported.{}.{}.{}",
            crate::paths::TEMPLATES,
            result.added,
            result.replaced,
            result.unchanged
        ));
    }
    Ok(result)
}

/// Makes a project follow a template for one kind (an empty template: none),
/// then reads the project again, so its drift rests on what Twilio holds.
#[server(endpoint = "templates/assign")]
pub async fn assign_template(
    project: ProjectId,
    kind: SettingsKind,
    template: Option<String>,
) -> Result<(), AppError> {
    let result = async {
        let caller = super::context::caller()?;
        let state = super::context::app_state()?;
        let template = template
            .map(|t| crate::domain::error::clipped(&t, 40))
            .filter(|t| !t.is_empty());
        crate::services::templates::assign(
            state.projects.store(),
            &caller,
            &project,
            kind,
            template.as_deref(),
        )
        .await?;
        if let Err(e) = state
            .refresh
            .request(&caller, &[project.as_str().to_owned()])
            .await
        {
            tracing::warn!(%project, "the refresh after an assignment did not start: {e}");
        }
        Ok(())
    }
    .await
    .inspect_err(super::context::report);
    result?;
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(&format!(
            "{}?done=template-assigned",
            crate::paths::drift(&project)
        ));
    }
    Ok(())
}

/// A project's drift from the templates it follows.
#[server(endpoint = "templates/drift")]
pub async fn drift_of_project(project: ProjectId) -> Result<ProjectDrift, AppError> {
    let caller = super::context::allowed(crate::services::Action::Read, Some(&project))
        .inspect_err(super::context::report)?;
    let state = super::context::app_state()?;
    crate::services::templates::project_drift(state.projects.store(), &caller, &project)
        .await
        .inspect_err(super::context::report)
}
