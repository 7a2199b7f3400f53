//! Following a running refresh in the browser: server-sent events from
//! `/fleet/events`, read with gloo-net's `EventSource`. Each message moves
//! the progress bar; one that names changed rows has the page read again.

use crate::domain::fleet::JobProgress;
use leptos::prelude::*;

/// Follows the running refresh until it ends, then sets `following` false.
#[cfg(feature = "hydrate")]
pub fn follow(
    live: RwSignal<Option<JobProgress>>,
    version: RwSignal<u32>,
    following: RwSignal<bool>,
) {
    use crate::domain::fleet::FleetEvent;
    use futures_util::StreamExt;
    use gloo_net::eventsource::futures::EventSource;
    let Ok(mut source) = EventSource::new("/fleet/events") else {
        following.set(false);
        return;
    };
    let (Ok(progress), Ok(finished), Ok(idle)) = (
        source.subscribe("progress"),
        source.subscribe("finished"),
        source.subscribe("idle"),
    ) else {
        following.set(false);
        return;
    };
    leptos::task::spawn_local(async move {
        let mut events =
            futures_util::stream::select(futures_util::stream::select(progress, finished), idle);
        while let Some(Ok((name, message))) = events.next().await {
            let event = message
                .data()
                .as_string()
                .and_then(|text| serde_json::from_str::<FleetEvent>(&text).ok());
            if let Some(event) = event {
                let changed = !event.updated.is_empty();
                live.set(Some(event.job));
                if changed || name == "finished" {
                    version.update(|v| *v += 1);
                }
            }
            if name != "progress" {
                break;
            }
        }
        source.close();
        following.set(false);
    });
}

/// On the server there is nothing to follow: the page shows where the
/// refresh stood when it was made.
#[cfg(not(feature = "hydrate"))]
pub fn follow(
    _live: RwSignal<Option<JobProgress>>,
    _version: RwSignal<u32>,
    _following: RwSignal<bool>,
) {
}
