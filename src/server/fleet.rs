//! `/fleet/export?format=csv|json&…`: the fleet view as a file (every row,
//! streamed); `/fleet/events`: the running refresh as server-sent events.
//! Plain axum routes: an SSE response is streamed as written (the
//! compression layer leaves `text/event-stream` alone), where a streaming
//! server function's body would be buffered by it. The sign-in layer has
//! put the caller in the request.

use super::export::{attachment, streamed};
use crate::domain::fleet::{FleetEvent, FleetQuery};
use crate::services::audit::ExportFormat;
use crate::services::fleet::FleetWriter;
use crate::services::refresh::scope_of;
use crate::services::Caller;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use std::time::Duration;

fn view_of(pairs: &[(String, String)]) -> FleetQuery {
    FleetQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

pub async fn fleet_export(
    State(state): State<super::AppState>,
    caller: Option<Extension<Caller>>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let Some(Extension(caller)) = caller else {
        return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response();
    };
    let query = view_of(&pairs);
    let json = pairs.iter().any(|(k, v)| k == "format" && v == "json");
    let (format, content_type, name) = if json {
        (ExportFormat::Json, "application/json", "fleet.json")
    } else {
        (ExportFormat::Csv, "text/csv; charset=utf-8", "fleet.csv")
    };
    let (rows, received) = tokio::sync::mpsc::channel(256);
    let store = state.projects.store().clone();
    let (done, failed) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let sent = crate::services::fleet::export(&store, &caller, &query, &rows).await;
        let _ = done.send(sent);
    });
    attachment(
        content_type,
        name,
        streamed(received, FleetWriter::new(format), failed),
    )
}

/// How often the stream looks at the job's progress in the database.
const EVERY: Duration = Duration::from_millis(400);
/// The longest one stream runs: its caller was checked when it began, and
/// a page left open must not poll the database for ever. (A refresh of ten
/// thousand projects at the default pace takes a few minutes.)
const LONGEST: Duration = Duration::from_secs(30 * 60);

/// Where the running refresh stands, every `EVERY`, with the projects the
/// caller sees whose rows changed; a last `finished` event when it ends
/// (or at once, `idle`, when none runs). Read from the database, so a page
/// served by one instance follows a job another runs.
pub async fn fleet_events(
    State(state): State<super::AppState>,
    caller: Option<Extension<Caller>>,
) -> Response {
    let Some(Extension(caller)) = caller else {
        return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response();
    };
    let store = state.projects.store().clone();
    struct Follow {
        store: crate::store::Store,
        caller: Caller,
        job: Option<String>,
        since: i64,
        first: bool,
        over: bool,
        until: std::time::Instant,
    }
    let start = Follow {
        store,
        caller,
        job: None,
        since: 0,
        first: true,
        over: false,
        until: std::time::Instant::now() + LONGEST,
    };
    let events = futures_util::stream::unfold(start, |mut follow| async move {
        if follow.over || std::time::Instant::now() > follow.until {
            return None;
        }
        if !follow.first {
            tokio::time::sleep(EVERY).await;
        }
        follow.first = false;
        let scope = scope_of(&follow.caller);
        let progress = follow
            .store
            .job_progress(follow.job.as_deref(), &scope)
            .await;
        let event = match progress {
            Ok(None) => {
                follow.over = true;
                Event::default().event("idle").data("{}")
            }
            Ok(Some(job)) => {
                let job = crate::services::refresh::shown_to(&follow.caller, job);
                let now = crate::store::now();
                let updated = follow
                    .store
                    .finished_since(&job.id, follow.since, &scope)
                    .await
                    .map(|found| found.into_iter().map(|(id, _)| id).collect())
                    .unwrap_or_default();
                // One second back: the store counts whole seconds.
                follow.since = now - 1;
                follow.job = Some(job.id.clone());
                let name = if job.finished_at.is_some() {
                    follow.over = true;
                    "finished"
                } else {
                    "progress"
                };
                let data = serde_json::to_string(&FleetEvent { job, updated }).unwrap_or_default();
                Event::default().event(name).data(data)
            }
            Err(e) => {
                crate::store::outage::note_unavailable(&e);
                Event::default()
                    .event("unavailable")
                    .data(crate::domain::AppError::database_unavailable().to_string())
            }
        };
        Some((Ok::<_, std::convert::Infallible>(event), follow))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}
