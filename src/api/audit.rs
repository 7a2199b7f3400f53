//! The audit trail: one page of it, filtered.

use crate::domain::audit::{AuditFilter, AuditPage};
use crate::domain::AppError;
use leptos::prelude::*;

/// Longest filter value accepted.
pub const MAX_FILTER: usize = 100;

#[server(endpoint = "audit/list")]
pub async fn list_audit(
    filter: Option<AuditFilter>,
    page: Option<usize>,
) -> Result<AuditPage, AppError> {
    let caller = super::context::caller()?;
    let state = super::context::app_state()?;
    crate::services::audit::page(
        state.projects.store(),
        &caller,
        &clipped(filter.unwrap_or_default()),
        page.unwrap_or(1),
    )
    .await
    .inspect_err(super::context::report)
}

/// Every filter value cut to a sane length.
pub fn clipped(filter: AuditFilter) -> AuditFilter {
    let clip = |v: Option<String>| v.map(|v| crate::domain::error::clipped(&v, MAX_FILTER));
    AuditFilter {
        project: clip(filter.project),
        staff: clip(filter.staff),
        action: clip(filter.action),
        from: clip(filter.from),
        to: clip(filter.to),
    }
}
