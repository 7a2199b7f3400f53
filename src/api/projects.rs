//! The projects the console manages: listing, adding (after a connection
//! test), editing, testing again and removing.

use crate::domain::{
    AppError, Failure, LoginCheck, ProjectAccess, ProjectId, ProjectInput, ProjectPage,
    ProjectSummary,
};
use leptos::prelude::*;

/// Longest search accepted.
pub const MAX_SEARCH: usize = 100;

/// One page of the projects a search matches (all of them without one).
#[server(endpoint = "projects/list")]
pub async fn list_projects(
    search: Option<String>,
    page: Option<usize>,
) -> Result<ProjectPage, AppError> {
    use crate::services::Action;
    let caller = super::context::allowed(Action::ListProjects, None)?;
    let state = super::context::app_state()?;
    let search = crate::domain::error::clipped(search.as_deref().unwrap_or_default(), MAX_SEARCH);
    let mut all = state
        .projects
        .list()
        .await
        .inspect_err(super::context::report)?;
    all.retain(|p| caller.sees(&p.id));
    Ok(ProjectPage {
        administers: caller.may(Action::Administer, None).is_ok(),
        ..ProjectPage::of(all, &search, page.unwrap_or(1))
    })
}

/// One project, for its pages' header; a 404 when there is none.
#[server(endpoint = "projects/get")]
pub async fn get_project(project: ProjectId) -> Result<ProjectAccess, AppError> {
    use crate::services::Action;
    let caller = super::context::allowed(Action::Read, Some(&project))
        .inspect_err(super::context::report)?;
    let summary = read_summary(&project).await?;
    Ok(ProjectAccess {
        id: summary.id,
        name: summary.name,
        account_sid: summary.account_sid,
        can_change: caller.may(Action::Change, Some(&project)).is_ok(),
        can_administer: caller.may(Action::Administer, Some(&project)).is_ok(),
    })
}

/// One project in full (its login, the last test of it), for the edit
/// page; a 404 when there is none.
#[server(endpoint = "projects/details")]
pub async fn project_details(project: ProjectId) -> Result<ProjectSummary, AppError> {
    super::context::allowed(crate::services::Action::Read, Some(&project))
        .inspect_err(super::context::report)?;
    read_summary(&project).await
}

#[cfg(feature = "ssr")]
async fn read_summary(project: &ProjectId) -> Result<ProjectSummary, AppError> {
    let state = super::context::app_state()?;
    state
        .projects
        .summary(project)
        .await
        .inspect_err(super::context::report)
}

/// Tests the login against Twilio and stores the project only if it works.
#[server(endpoint = "projects/add")]
pub async fn add_project(input: ProjectInput) -> Result<ProjectSummary, Failure<ProjectInput>> {
    let result = async {
        super::context::allowed(crate::services::Action::Administer, None)?;
        let state = super::context::app_state()?;
        let trail = super::context::trail(None)?;
        super::context::within_deadline(&state, state.projects.add(&input, &trail)).await
    }
    .await;
    let added = result.map_err(failure(&input))?;
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(&format!(
            "{}?done=project-added",
            crate::paths::settings(&added.id, crate::domain::SettingsKind::Composition)
        ));
    }
    Ok(added)
}

/// Renames a project or replaces its login (tested first). An empty secret
/// keeps the stored one.
#[server(endpoint = "projects/edit")]
pub async fn edit_project(
    project: ProjectId,
    input: ProjectInput,
) -> Result<ProjectSummary, Failure<ProjectInput>> {
    let result = async {
        super::context::allowed(crate::services::Action::Administer, Some(&project))?;
        let state = super::context::app_state()?;
        let trail = super::context::trail(Some(&project))?;
        super::context::within_deadline(&state, state.projects.edit(&project, &input, &trail)).await
    }
    .await;
    let saved = result.map_err(failure(&input))?;
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(&format!(
            "{}?done=project-saved",
            crate::paths::edit_project(&project)
        ));
    }
    Ok(saved)
}

/// Forgets a project and its login; its settings at Twilio stay as they
/// are. Needs `confirm`.
#[server(endpoint = "projects/remove")]
pub async fn remove_project(project: ProjectId, confirm: Option<bool>) -> Result<(), AppError> {
    let result = async {
        super::context::allowed(crate::services::Action::Administer, Some(&project))?;
        let state = super::context::app_state()?;
        let summary = state.projects.summary(&project).await?;
        if confirm != Some(true) {
            return Err(AppError::NeedsConfirmation(vec![format!(
                "Removing \u{201c}{}\u{201d} forgets its login here; its settings at Twilio stay as they are.",
                summary.name
            )]));
        }
        let trail = super::context::trail(Some(&project))?;
        state.projects.remove(&project, &trail).await
    }
    .await
    .inspect_err(super::context::report);
    result?;
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(&format!("{}?done=project-removed", crate::paths::PROJECTS));
    }
    Ok(())
}

/// Tests the stored login again; the list shows the outcome.
#[server(endpoint = "projects/check")]
pub async fn check_project(project: ProjectId) -> Result<LoginCheck, AppError> {
    let result = async {
        super::context::allowed(crate::services::Action::Administer, Some(&project))?;
        let state = super::context::app_state()?;
        super::context::within_deadline(&state, state.projects.check(&project)).await
    }
    .await
    .inspect_err(super::context::report)?;
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(&format!("{}?done=project-checked", crate::paths::PROJECTS));
    }
    Ok(result)
}

/// Reports a failure and hands back the form without its secret.
#[cfg(feature = "ssr")]
fn failure(input: &ProjectInput) -> impl FnOnce(AppError) -> Failure<ProjectInput> + '_ {
    move |error| {
        super::context::report(&error);
        Failure {
            error,
            input: Some(input.for_echo()),
        }
    }
}
