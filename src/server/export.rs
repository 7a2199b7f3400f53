//! `/audit/export?format=csv|json&…`: the filtered audit trail as a file.
//! The sign-in layer has put the caller in the request.

use crate::domain::audit::AuditFilter;
use crate::services::Caller;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    format: Option<String>,
    #[serde(flatten)]
    filter: AuditFilter,
}

pub async fn audit_export(
    State(state): State<super::AppState>,
    caller: Option<Extension<Caller>>,
    Query(query): Query<ExportQuery>,
) -> Response {
    let Some(Extension(caller)) = caller else {
        return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response();
    };
    let filter = crate::api::audit::clipped(query.filter);
    let entries =
        match crate::services::audit::export(state.projects.store(), &caller, &filter).await {
            Ok(entries) => entries,
            Err(error) => {
                let status =
                    StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
                return (status, error.to_string()).into_response();
            }
        };
    let (body, content_type, name) = match query.format.as_deref() {
        Some("json") => (
            serde_json::to_string_pretty(&entries).unwrap_or_default(),
            "application/json",
            "audit.json",
        ),
        _ => (
            crate::services::audit::to_csv(&entries),
            "text/csv; charset=utf-8",
            "audit.csv",
        ),
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}
