//! Bringing a parent account's subaccounts in: discovery (stored as an
//! import to choose from), starting the import, and where it stands. For
//! admins only; each import is its discovering admin's alone.

use crate::domain::subaccount::{ImportView, ParentInput};
use crate::domain::{AppError, Failure};
use leptos::prelude::*;

/// Longest import id accepted.
#[cfg(feature = "ssr")]
const MAX_ID: usize = 40;

/// Lists the parent's subaccounts and stores them as an import: its id.
#[server(endpoint = "imports/discover")]
pub async fn discover_subaccounts(input: ParentInput) -> Result<String, Failure<ParentInput>> {
    let result = async {
        let caller = super::context::allowed(crate::services::Action::Administer, None)?;
        let state = super::context::app_state()?;
        let login = crate::services::import::ParentLogin::new(&input)?;
        let found = super::context::within_deadline(
            &state,
            state.projects.discover(&caller, &login, input.keeps()),
        )
        .await?;
        tracing::info!(
            staff = caller.name,
            parent = %found.parent,
            subaccounts = found.accounts.len(),
            "subaccounts discovered"
        );
        Ok(found.id)
    }
    .await;
    let id = result.map_err(|error| {
        super::context::report(&error);
        Failure {
            error,
            input: Some(input.for_echo()),
        }
    })?;
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(&crate::paths::import(&id));
    }
    Ok(id)
}

/// An import: what was found, what was chosen and each outcome so far.
#[server(endpoint = "imports/get")]
pub async fn read_import(id: String) -> Result<ImportView, AppError> {
    let caller = super::context::allowed(crate::services::Action::Administer, None)
        .inspect_err(super::context::report)?;
    let state = super::context::app_state()?;
    let id = crate::domain::error::clipped(&id, MAX_ID);
    state
        .projects
        .import_view(&caller, &id)
        .await
        .inspect_err(super::context::report)
}

/// Starts importing the ticked subaccounts (`account`, repeated).
#[server(endpoint = "imports/start")]
pub async fn start_import(id: String, account: Option<Vec<String>>) -> Result<(), AppError> {
    let id = crate::domain::error::clipped(&id, MAX_ID);
    let result = async {
        // Who asks is checked before anything they sent is read.
        let caller = super::context::allowed(crate::services::Action::Administer, None)?;
        let state = super::context::app_state()?;
        let mut chosen = Vec::new();
        for raw in account
            .unwrap_or_default()
            .iter()
            .take(crate::services::import::MAX_CHOSEN + 1)
        {
            let sid: crate::domain::AccountSid = raw.trim().parse().map_err(|e| {
                AppError::Request(format!("A ticked subaccount is not an account SID: {e}"))
            })?;
            chosen.push(sid);
        }
        state
            .projects
            .start_import(&caller, &id, &chosen, &state.console_name)
            .await
    }
    .await
    .inspect_err(super::context::report);
    result?;
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(&crate::paths::import(&id));
    }
    Ok(())
}

/// Reads a pasted file of projects and previews each row: its id.
#[server(endpoint = "imports/file")]
pub async fn preview_project_file(file: String) -> Result<String, AppError> {
    let result = async {
        let caller = super::context::allowed(crate::services::Action::Administer, None)?;
        let state = super::context::app_state()?;
        super::context::within_deadline(&state, state.projects.preview_file(&caller, &file)).await
    }
    .await
    .inspect_err(super::context::report)?;
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(&crate::paths::file_import(&result));
    }
    Ok(result)
}

/// A previewed file: each row and what stops it.
#[server(endpoint = "imports/file-get")]
pub async fn read_project_file(
    id: String,
) -> Result<crate::domain::project_file::FilePreview, AppError> {
    let caller = super::context::allowed(crate::services::Action::Administer, None)
        .inspect_err(super::context::report)?;
    let state = super::context::app_state()?;
    let id = crate::domain::error::clipped(&id, MAX_ID);
    state
        .projects
        .file_preview(&caller, &id)
        .await
        .inspect_err(super::context::report)
}

/// Stores a previewed file's valid rows, in one transaction: how many.
#[server(endpoint = "imports/file-confirm")]
pub async fn confirm_project_file(id: String) -> Result<usize, AppError> {
    let id = crate::domain::error::clipped(&id, MAX_ID);
    let result = async {
        let caller = super::context::allowed(crate::services::Action::Administer, None)?;
        let state = super::context::app_state()?;
        state.projects.confirm_file(&caller, &id).await
    }
    .await
    .inspect_err(super::context::report)?;
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(&crate::paths::file_import(&id));
    }
    Ok(result)
}
