//! Bulk changes: a dry run from the fleet (selected rows, or every row of
//! the view), its page, applying it once confirmed, and resuming one that
//! was interrupted. Editors change only their projects: a job naming
//! another is refused whole; viewers read jobs of their projects.

use crate::domain::bulk::{BulkJob, BulkRequest};
use crate::domain::AppError;
use leptos::prelude::*;

/// Plans a bulk change (see [`BulkRequest`]): the job's id.
#[server(endpoint = "bulk/plan")]
pub async fn plan_bulk(plan: BulkRequest) -> Result<String, AppError> {
    use crate::domain::bulk::{single_change, MAX_BULK_PROJECTS};
    use crate::domain::error::clipped;
    use crate::domain::fleet::FleetQuery;
    use crate::domain::SettingsKind;
    use crate::services::bulk::Change;
    let BulkRequest {
        kind,
        template,
        change,
        key_name,
        ids,
        every,
        view,
        follow,
    } = plan;
    let result = async {
        let caller = super::context::caller()?;
        if follow {
            // Who follows which template is for admins, checked first.
            caller.may(crate::services::Action::Administer, None)?;
        }
        let state = super::context::app_state()?;
        let store = state.projects.store();
        let template = Some(clipped(&template, 40)).filter(|t| !t.is_empty());
        let change = match &template {
            Some(id) => {
                let row = store
                    .template(id)
                    .await
                    .map_err(crate::services::projects::internal)?
                    .ok_or_else(|| AppError::NotFound("There is no such template.".into()))?;
                Change {
                    kind: row.kind,
                    source: format!("the template \u{201c}{}\u{201d}", row.template.name),
                    template: row.template,
                    follow: None,
                }
            }
            None => {
                let kind = match kind.as_str() {
                    "recording" => SettingsKind::Recording,
                    "composition" => SettingsKind::Composition,
                    _ => {
                        return Err(AppError::Request(
                            "Choose Composition or Recording settings for the change.".into(),
                        ))
                    }
                };
                let template =
                    single_change(&change, &clipped(&key_name, 80)).map_err(AppError::Request)?;
                Change {
                    kind,
                    source: template.name.clone(),
                    template,
                    follow: None,
                }
            }
        };
        let ids = if every {
            let view = clipped(&view, super::fleet::MAX_VIEW);
            let pairs = super::fleet::pairs(&view);
            let query = FleetQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            store
                .fleet_ids(
                    &query.filter,
                    &crate::services::refresh::scope_of(&caller),
                    crate::store::now(),
                )
                .await
                .map_err(crate::services::projects::internal)?
        } else {
            let mut ids = ids;
            ids.truncate(MAX_BULK_PROJECTS + 1);
            ids.into_iter().map(|id| clipped(&id, 40)).collect()
        };
        let change = Change {
            follow: if follow { template.clone() } else { None },
            ..change
        };
        let job = crate::services::bulk::dry_run(store, &caller, &change, &ids).await?;
        tracing::info!(
            staff = caller.name,
            job,
            projects = ids.len(),
            "bulk change planned"
        );
        Ok(job)
    }
    .await
    .inspect_err(super::context::report)?;
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(&crate::paths::bulk(&result));
    }
    Ok(result)
}

/// A bulk change: its plan and where each project stands.
#[server(endpoint = "bulk/job")]
pub async fn read_bulk_job(id: String) -> Result<BulkJob, AppError> {
    let caller = super::context::caller()?;
    let state = super::context::app_state()?;
    let id = crate::domain::error::clipped(&id, 40);
    crate::services::bulk::job(state.projects.store(), &caller, &id)
        .await
        .inspect_err(super::context::report)
}

/// Applies a dry run; needs `confirm`.
#[server(endpoint = "bulk/apply")]
pub async fn apply_bulk(id: String, confirm: Option<bool>) -> Result<(), AppError> {
    let id = crate::domain::error::clipped(&id, 40);
    let result = async {
        let caller = super::context::caller()?;
        let state = super::context::app_state()?;
        state.bulk.apply(&caller, &id, confirm == Some(true)).await
    }
    .await
    .inspect_err(super::context::report);
    result?;
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(&crate::paths::bulk(&id));
    }
    Ok(())
}

/// A fresh dry run of what an interrupted bulk change left: its id.
#[server(endpoint = "bulk/resume")]
pub async fn resume_bulk(id: String) -> Result<String, AppError> {
    let id = crate::domain::error::clipped(&id, 40);
    let result = async {
        let caller = super::context::caller()?;
        let state = super::context::app_state()?;
        crate::services::bulk::resume(state.projects.store(), &caller, &id).await
    }
    .await
    .inspect_err(super::context::report)?;
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(&crate::paths::bulk(&result));
    }
    Ok(result)
}
