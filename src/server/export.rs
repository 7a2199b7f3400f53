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
    let body = streamed(received, ExportWriter::new(format), failed);
    attachment(content_type, name, body)
}

/// `/templates/export.json`: every template, as the import reads it.
pub async fn templates_export(
    State(state): State<super::AppState>,
    caller: Option<Extension<Caller>>,
) -> Response {
    if caller.is_none() {
        return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response();
    }
    match crate::services::templates::export(state.projects.store()).await {
        Ok(text) => attachment("application/json", "templates.json", Body::from(text)),
        Err(error) => {
            let status = StatusCode::from_u16(error.status_code())
                .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            (status, error.to_string()).into_response()
        }
    }
}

/// `/projects/export?format=csv|json`: every project, never a secret, in
/// the format a file import reads (admins only).
pub async fn projects_export(
    State(state): State<super::AppState>,
    caller: Option<Extension<Caller>>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let Some(Extension(caller)) = caller else {
        return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response();
    };
    let json = query.iter().any(|(k, v)| k == "format" && v == "json");
    match crate::services::project_file::export(state.projects.store(), &caller, json).await {
        Ok(text) if json => attachment("application/json", "projects.json", Body::from(text)),
        Ok(text) => attachment("text/csv; charset=utf-8", "projects.csv", Body::from(text)),
        Err(error) => {
            let status = StatusCode::from_u16(error.status_code())
                .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            (status, error.to_string()).into_response()
        }
    }
}

/// A file download of `body`, never cached.
pub fn attachment(content_type: &str, name: &str, body: Body) -> Response {
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

/// Writes an export file piece by piece.
pub trait FileWriter<T>: Send + 'static {
    fn start(&self) -> String;
    fn item(&mut self, item: &T) -> String;
    fn end(&self) -> String;
}

impl FileWriter<crate::domain::audit::AuditEntry> for ExportWriter {
    fn start(&self) -> String {
        ExportWriter::start(self).to_owned()
    }
    fn item(&mut self, item: &crate::domain::audit::AuditEntry) -> String {
        self.entry(item)
    }
    fn end(&self) -> String {
        ExportWriter::end(self).to_owned()
    }
}

impl FileWriter<crate::domain::fleet::FleetRow> for crate::services::fleet::FleetWriter {
    fn start(&self) -> String {
        crate::services::fleet::FleetWriter::start(self).to_owned()
    }
    fn item(&mut self, item: &crate::domain::fleet::FleetRow) -> String {
        self.row(item)
    }
    fn end(&self) -> String {
        crate::services::fleet::FleetWriter::end(self).to_owned()
    }
}

/// The file `writer` makes of what arrives on `received`, in pieces of up
/// to 16 KiB; cut off (seen as broken, not short) if `failed` says the
/// reading stopped.
pub fn streamed<T: Send + 'static, W: FileWriter<T>>(
    received: tokio::sync::mpsc::Receiver<T>,
    writer: W,
    failed: tokio::sync::oneshot::Receiver<Result<(), crate::domain::AppError>>,
) -> Body {
    let start = writer.start();
    let body =
        futures_util::stream::unfold(Some((received, writer, Some(failed))), |state| async move {
            let (mut received, mut writer, mut failed) = state?;
            let mut piece = String::new();
            while piece.len() < 16 * 1024 {
                let next = if piece.is_empty() {
                    received.recv().await
                } else {
                    match received.try_recv() {
                        Ok(item) => Some(item),
                        Err(_) => break,
                    }
                };
                match next {
                    Some(item) => piece.push_str(&writer.item(&item)),
                    None => break,
                }
            }
            if !piece.is_empty() {
                return Some((Ok(piece), Some((received, writer, failed))));
            }
            match failed.take()?.await {
                Ok(Ok(())) => Some((Ok(writer.end()), None)),
                Ok(Err(error)) => {
                    tracing::error!(%error, "an export stopped");
                    Some((Err(std::io::Error::other("the export stopped")), None))
                }
                Err(_) => Some((Err(std::io::Error::other("the export stopped")), None)),
            }
        });
    Body::from_stream(
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(start) }).chain(body),
    )
}
