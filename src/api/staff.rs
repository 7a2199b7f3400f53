//! Staff accounts, for admins.

use crate::domain::{AppError, Failure, StaffInput, StaffView};
use leptos::prelude::*;

#[server(endpoint = "staff/list")]
pub async fn list_staff() -> Result<Vec<StaffView>, AppError> {
    let caller = super::context::caller()?;
    let state = super::context::app_state()?;
    crate::services::staff::list(state.projects.store(), &caller)
        .await
        .inspect_err(super::context::report)
}

/// Adds a staff member, or changes the one with this name; answers whether
/// one was added.
#[server(endpoint = "staff/save")]
pub async fn save_staff(input: StaffInput) -> Result<bool, Failure<StaffInput>> {
    let result = async {
        let caller = super::context::caller()?;
        let state = super::context::app_state()?;
        crate::services::staff::save(state.projects.store(), &caller, &input).await
    }
    .await;
    match result {
        Ok(added) => {
            if super::context::form_post_origin().is_some() {
                leptos_axum::redirect("/staff?done=staff-saved");
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

/// Removes a staff member; needs `confirm`.
#[server(endpoint = "staff/remove")]
pub async fn remove_staff(name: String, confirm: Option<bool>) -> Result<(), AppError> {
    let result = async {
        let caller = super::context::caller()?;
        caller.may(crate::services::Action::Administer, None)?;
        if confirm != Some(true) {
            return Err(AppError::NeedsConfirmation(vec![
                "Tick the box to confirm the removal.".into(),
            ]));
        }
        let state = super::context::app_state()?;
        crate::services::staff::remove(state.projects.store(), &caller, &name).await
    }
    .await
    .inspect_err(super::context::report);
    result?;
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect("/staff?done=staff-removed");
    }
    Ok(())
}
