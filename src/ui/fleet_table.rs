//! The fleet's table: one row per project, each column a link that sorts
//! by it (the view stays in the URL).

use crate::domain::fleet::{ago, FleetQuery, FleetRow, KindCell, SortKey};
use crate::domain::ProjectId;
use crate::paths;
use leptos::prelude::*;

/// A column header that sorts by `key` (again: the other way).
fn header(query: &FleetQuery, key: SortKey, title: &'static str) -> impl IntoView {
    let current = query.sort == key;
    let next = FleetQuery {
        sort: key,
        descending: current && !query.descending,
        page: 1,
        ..query.clone()
    };
    let href = format!("{}?{}", paths::FLEET, next.to_query());
    let sort = current.then_some({
        if query.descending {
            "descending"
        } else {
            "ascending"
        }
    });
    let arrow = current.then_some(if query.descending { " ↓" } else { " ↑" });
    view! {
        <th scope="col" aria-sort=sort>
            <a href=href>{title}{arrow}</a>
        </th>
    }
}

/// A cell never read successfully: never tried, or every read failed (the
/// problem column says why).
fn unread(cell: &KindCell) -> String {
    match cell.error {
        Some(_) => "Unknown".into(),
        None => "Not read yet".into(),
    }
}

fn encryption(cell: &KindCell) -> String {
    match &cell.state {
        None => unread(cell),
        Some(state) if !state.encryption_enabled => "Off".into(),
        Some(state) => {
            let sid = state.encryption_key_sid.clone().unwrap_or_default();
            match &state.encryption_key_name {
                Some(name) => format!("On: {name} ({sid})"),
                None => format!("On: {sid}"),
            }
        }
    }
}

fn storage(cell: &KindCell) -> String {
    match &cell.state {
        None => unread(cell),
        Some(state) if !state.storage_enabled => "Twilio's cloud".into(),
        Some(state) => {
            let url = state.aws_s3_url.clone().unwrap_or_default();
            match &state.aws_credentials_name {
                Some(name) => format!("S3: {url} ({name})"),
                None => format!("S3: {url}"),
            }
        }
    }
}

/// A bucket URL is shown in the code face; words are not.
fn in_s3(cell: &KindCell) -> bool {
    cell.state.as_ref().is_some_and(|s| s.storage_enabled)
}

/// The older of the two reads, in words.
fn last_read(row: &FleetRow, now: i64) -> String {
    match (row.composition.read_at, row.recording.read_at) {
        (Some(a), Some(b)) => ago(now, a.min(b)),
        _ => "Never".into(),
    }
}

/// The newer of the two changes, with who made it.
fn last_change(row: &FleetRow, now: i64) -> String {
    let newest = [&row.composition, &row.recording]
        .into_iter()
        .filter(|c| c.changed_at.is_some())
        .max_by_key(|c| c.changed_at);
    let Some(cell) = newest else {
        return "None seen".into();
    };
    let when = ago(now, cell.changed_at.unwrap_or_default());
    match crate::domain::fleet::changed_by_words(cell) {
        Some(who) => format!("{when} {who}"),
        None => format!("First read {when}"),
    }
}

#[component]
pub fn FleetTable(
    rows: Vec<FleetRow>,
    query: FleetQuery,
    now: i64,
    /// Rows get a tick box for the bulk change form.
    select: bool,
) -> impl IntoView {
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let tick = select.then(|| {
                let label = format!("Select {}", row.name);
                view! {
                    <td class="select">
                        <input
                            type="checkbox"
                            form=super::fleet_bulk::BULK_FORM
                            name=format!("plan[ids][{i}]")
                            value=row.id.clone()
                            aria-label=label
                        />
                    </td>
                }
            });
            let id = row.id.parse::<ProjectId>().ok();
            let href = id
                .as_ref()
                .map(|id| paths::settings(id, crate::domain::SettingsKind::Composition))
                .unwrap_or_default();
            let history = id.as_ref().map(paths::history).unwrap_or_default();
            let drift_href = id.as_ref().map(paths::drift).unwrap_or_default();
            let drift = match row.drift_words() {
                Some(words) => view! { <a href=drift_href>{words}</a> }.into_any(),
                None => view! { <span class="quiet">"No template"</span> }.into_any(),
            };
            let problems = row.problems();
            let problems = if problems.is_empty() {
                view! { <span class="quiet">"None"</span> }.into_any()
            } else {
                view! {
                    <ul class="problems">
                        {problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                    </ul>
                }
                .into_any()
            };
            view! {
                <tr data-project=row.id.clone()>
                    {tick}
                    <td class="project">
                        <a href=href>{row.name.clone()}</a>
                        <span class="sid">{row.account_sid.clone()}</span>
                    </td>
                    <td class="c-encryption">{encryption(&row.composition)}</td>
                    <td class="c-storage" class:value=in_s3(&row.composition)>{storage(&row.composition)}</td>
                    <td class="r-encryption">{encryption(&row.recording)}</td>
                    <td class="r-storage" class:value=in_s3(&row.recording)>{storage(&row.recording)}</td>
                    <td class="read-at">{last_read(&row, now)}</td>
                    <td class="changed-at">
                        <a href=history>{last_change(&row, now)}</a>
                    </td>
                    <td class="drift">{drift}</td>
                    <td class="problems">{problems}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="fleet">
                <caption class="visually-hidden">"Projects and their media settings"</caption>
                <thead>
                    <tr>
                        {select
                            .then(|| {
                                view! {
                                    <th scope="col">
                                        <span class="visually-hidden">"Select"</span>
                                    </th>
                                }
                            })}
                        {header(&query, SortKey::Name, "Project")}
                        {header(&query, SortKey::CompositionEncryption, "Compositions: encryption")}
                        {header(&query, SortKey::CompositionStorage, "Compositions: storage")}
                        {header(&query, SortKey::RecordingEncryption, "Recordings: encryption")}
                        {header(&query, SortKey::RecordingStorage, "Recordings: storage")}
                        {header(&query, SortKey::Read, "Last read")}
                        {header(&query, SortKey::Changed, "Last change")}
                        <th scope="col">"Drift"</th>
                        {header(&query, SortKey::Problem, "Problems")}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
