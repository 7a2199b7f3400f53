//! Kept parent logins: which are kept, finding their new subaccounts (as an
//! import to choose from), and forgetting one. For admins only.

use crate::domain::subaccount::KeptParents;
use crate::domain::AppError;
use leptos::prelude::*;

/// The parent named by a form, checked before anything is looked up.
#[cfg(feature = "ssr")]
fn parent_sid(raw: &str) -> Result<crate::domain::AccountSid, AppError> {
    let raw = crate::domain::error::clipped(raw.trim(), 40);
    raw.parse()
        .map_err(|e| AppError::Request(format!("The parent is not an account SID: {e}")))
}

#[server(endpoint = "parents/list")]
pub async fn list_kept_parents() -> Result<KeptParents, AppError> {
    let caller = super::context::allowed(crate::services::Action::Administer, None)
        .inspect_err(super::context::report)?;
    let state = super::context::app_state()?;
    let parents = state
        .projects
        .kept_parents(&caller)
        .await
        .inspect_err(super::context::report)?;
    Ok(KeptParents {
        now: crate::store::now(),
        parents,
    })
}

/// Lists a kept parent's subaccounts that are not yet projects: the id of
/// the import to choose from (a no-JavaScript post is sent there).
#[server(endpoint = "parents/find-new")]
pub async fn find_new_subaccounts(parent: String) -> Result<String, AppError> {
    let result = async {
        let caller = super::context::allowed(crate::services::Action::Administer, None)?;
        let state = super::context::app_state()?;
        let parent = parent_sid(&parent)?;
        super::context::within_deadline(
            &state,
            state.projects.find_new_subaccounts(&caller, &parent),
        )
        .await
    }
    .await
    .inspect_err(super::context::report)?;
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(&crate::paths::import(&result));
    }
    Ok(result)
}

#[server(endpoint = "parents/forget")]
pub async fn forget_parent(parent: String) -> Result<(), AppError> {
    let result = async {
        let caller = super::context::allowed(crate::services::Action::Administer, None)?;
        let state = super::context::app_state()?;
        let parent = parent_sid(&parent)?;
        state.projects.forget_parent(&caller, &parent).await
    }
    .await
    .inspect_err(super::context::report);
    result?;
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(crate::paths::IMPORTS);
    }
    Ok(())
}
