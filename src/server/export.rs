//! `/audit/export?format=csv|json&…`: the filtered audit trail as a file,
//! streamed from the database as it is read (every matching entry, in
//! memory that does not grow with them). The sign-in layer has put the
//! caller in the request.

use crate::domain::audit::AuditFilter;
use crate::services::audit::{ExportFormat, ExportWriter};
use crate::services::Caller;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::StreamExt;
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
    if let Err(error) = crate::services::audit::check_export(&caller, &filter) {
        let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
        return (status, error.to_string()).into_response();
    }
    let (format, content_type, name) = match query.format.as_deref() {
        Some("json") => (ExportFormat::Json, "application/json", "audit.json"),
        _ => (ExportFormat::Csv, "text/csv; charset=utf-8", "audit.csv"),
    };
    // The database is read as fast as the client takes the file, no
    // faster: a few hundred entries in flight at most.
    let (entries, received) = tokio::sync::mpsc::channel(256);
    let store = state.projects.store().clone();
    let (done, failed) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let sent = crate::services::audit::export(&store, &caller, &filter, &entries).await;
        let _ = done.send(sent);
    });
    let writer = ExportWriter::new(format);
    let start = writer.start().to_owned();
    let body =
        futures_util::stream::unfold(Some((received, writer, Some(failed))), |state| async move {
            let (mut received, mut writer, mut failed) = state?;
            // Up to 16 KiB a piece.
            let mut piece = String::new();
            while piece.len() < 16 * 1024 {
                let next = if piece.is_empty() {
                    received.recv().await
                } else {
                    match received.try_recv() {
                        Ok(entry) => Some(entry),
                        Err(_) => break,
                    }
                };
                match next {
                    Some(entry) => piece.push_str(&writer.entry(&entry)),
                    None => break,
                }
            }
            if !piece.is_empty() {
                return Some((Ok(piece), Some((received, writer, failed))));
            }
            // Every entry sent: the file ends, or is cut off if the export
            // stopped, so it is seen as broken rather than short.
            match failed.take()?.await {
                Ok(Ok(())) => Some((Ok(writer.end().to_owned()), None)),
                Ok(Err(error)) => {
                    tracing::error!(%error, "the audit export stopped");
                    Some((Err(std::io::Error::other("the audit export stopped")), None))
                }
                Err(_) => Some((Err(std::io::Error::other("the audit export stopped")), None)),
            }
        });
    let body = Body::from_stream(
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(start) }).chain(body),
    );
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
