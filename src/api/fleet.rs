//! The fleet: one page of every project's settings as last read, and
//! starting (or joining) a refresh of the projects a view shows.

use crate::domain::fleet::{FleetPage, FleetQuery, JobProgress};
use crate::domain::AppError;
use leptos::prelude::*;

/// Longest view (a query string) a refresh accepts.
pub const MAX_VIEW: usize = 1_000;

#[server(endpoint = "fleet/list")]
pub async fn list_fleet(query: FleetQuery) -> Result<FleetPage, AppError> {
    let caller = super::context::allowed(crate::services::Action::ListProjects, None)?;
    let state = super::context::app_state()?;
    let query = FleetQuery::from_pairs(
        pairs(&query.to_query())
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let mut page = crate::services::fleet::page(state.projects.store(), &caller, &query)
        .await
        .inspect_err(super::context::report)?;
    page.new_subaccounts = state.projects.parent_notices(&caller).await;
    Ok(page)
}

/// Refreshes every project the view (`view`, a fleet query string) shows
/// to the caller, on every page; joins the refresh running, if any.
/// Without JavaScript, the fleet page follows with plain reloads.
#[server(endpoint = "fleet/refresh")]
pub async fn refresh_fleet(view: String) -> Result<JobProgress, AppError> {
    let result = async {
        let caller = super::context::allowed(crate::services::Action::ListProjects, None)?;
        let state = super::context::app_state()?;
        let view = crate::domain::error::clipped(&view, MAX_VIEW);
        let query =
            FleetQuery::from_pairs(pairs(&view).iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let store = state.projects.store();
        let ids = store
            .fleet_ids(
                &query.filter,
                &crate::services::refresh::scope_of(&caller),
                crate::store::now(),
            )
            .await
            .map_err(crate::services::projects::internal)?;
        let progress = state.refresh.request(&caller, &ids).await?;
        tracing::info!(
            staff = caller.name,
            projects = ids.len(),
            job = progress.id,
            "refresh asked for"
        );
        Ok((progress, query))
    }
    .await
    .inspect_err(super::context::report);
    let (progress, query) = result?;
    if super::context::form_post_origin().is_some() {
        // Rebuilt from what was understood: nothing foreign reaches the URL.
        let view = query.to_query();
        let separator = if view.is_empty() { "" } else { "?" };
        leptos_axum::redirect(&format!("{}{separator}{view}", crate::paths::FLEET));
    }
    Ok(progress)
}

/// The pairs of a query string.
#[cfg(feature = "ssr")]
pub(super) fn pairs(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
        .into_owned()
        .collect()
}
