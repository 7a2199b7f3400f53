//! The audit trail: who changed what, when, with before and after; filters
//! in the URL (a plain GET form), paged, exported as CSV or JSON.

use super::loaded::loaded;
use super::notices::ErrorNotice;
use crate::api::audit::{list_audit, MAX_FILTER};
use crate::domain::audit::{AuditAction, AuditEntry, AuditFilter, AuditOutcome, AuditPage};
use crate::domain::LoginCheck;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The filter's query string (without `?`), for page and export links.
fn query_of(filter: &AuditFilter) -> String {
    let pairs = [
        ("project", &filter.project),
        ("staff", &filter.staff),
        ("action", &filter.action),
        ("from", &filter.from),
        ("to", &filter.to),
    ];
    pairs
        .iter()
        .filter_map(|(key, value)| {
            let value = value.as_deref()?.trim();
            (!value.is_empty()).then(|| format!("{key}={}", encode(value)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let read = query.read();
        let get = |key: &str| {
            read.get(key)
                .map(|v| crate::domain::error::clipped(&v, MAX_FILTER))
        };
        AuditFilter {
            project: get("project"),
            staff: get("staff"),
            action: get("action"),
            from: get("from"),
            to: get("to"),
        }
    };
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(1)
    };
    let entries = loaded(
        move || (filter(), page()),
        |(f, p)| list_audit(Some(f), Some(p)),
    );
    view! {
        <Title text="Audit trail · composition-admin" />
        <main class="page wide">
            <h1>"Audit trail"</h1>
            <p class="lede">
                "Every sign-in, settings save, credential and project change: who, when, which project, and the values before and after. Secrets are never kept here, only that one was replaced."
            </p>
            <Filters filter=filter() />
            <Transition fallback=|| view! { <p>"Loading the audit trail…"</p> }>
                {move || {
                    entries
                        .get()
                        .map(|found| match found {
                            Ok(found) => view! { <Entries found filter=filter() /> }.into_any(),
                            Err(error) => {
                                view! { <ErrorNotice error context="The audit trail could not be read." /> }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </main>
    }
}

#[component]
fn Filters(filter: AuditFilter) -> impl IntoView {
    let text =
        |id: &'static str, label: &'static str, value: Option<String>, kind: &'static str| {
            view! {
                <div class="field inline">
                    <label for=format!("audit-{id}")>{label}</label>
                    <input
                        id=format!("audit-{id}")
                        name=id
                        type=kind
                        maxlength=MAX_FILTER
                        value=value.unwrap_or_default()
                    />
                </div>
            }
        };
    let chosen = filter.action.clone().unwrap_or_default();
    let options = AuditAction::ALL
        .into_iter()
        .map(|a| {
            view! {
                <option value=a.slug() selected=chosen == a.slug()>
                    {a.label()}
                </option>
            }
        })
        .collect_view();
    view! {
        <form method="get" action="/audit" class="filters" aria-label="Filter the audit trail">
            {text("project", "Project id", filter.project.clone(), "text")}
            {text("staff", "Person", filter.staff.clone(), "text")}
            <div class="field inline">
                <label for="audit-action">"Action"</label>
                <select id="audit-action" name="action">
                    <option value="">"Any"</option>
                    {options}
                </select>
            </div>
            {text("from", "From (YYYY-MM-DD)", filter.from.clone(), "date")}
            {text("to", "To (YYYY-MM-DD)", filter.to.clone(), "date")}
            <button type="submit">"Filter"</button>
        </form>
    }
}

#[component]
fn Entries(found: AuditPage, filter: AuditFilter) -> impl IntoView {
    let AuditPage {
        entries,
        matching,
        page,
        pages,
    } = found;
    let query = query_of(&filter);
    let with = |extra: &str| {
        if query.is_empty() {
            extra.to_owned()
        } else if extra.is_empty() {
            query.clone()
        } else {
            format!("{query}&{extra}")
        }
    };
    let csv = format!("/audit/export?{}", with("format=csv"));
    let json = format!("/audit/export?{}", with("format=json"));
    let rows = entries
        .into_iter()
        .map(|e| view! { <EntryRow entry=e /> })
        .collect_view();
    view! {
        <p class="count">
            {format!("{matching} entries, page {page} of {pages}. ")}
            <a href=csv download="audit.csv">"Export as CSV"</a>
            " · "
            <a href=json download="audit.json">"Export as JSON"</a>
        </p>
        <table class="audit">
            <thead>
                <tr>
                    <th scope="col">"When (UTC)"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"Project"</th>
                    <th scope="col">"What"</th>
                    <th scope="col">"Before"</th>
                    <th scope="col">"After"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {super::pager::pager(
            page,
            pages,
            &|to| format!("/audit?{}", with(&format!("page={to}"))),
            "Pages of the audit trail",
        )}
    }
}

#[component]
fn EntryRow(entry: AuditEntry) -> impl IntoView {
    let when = LoginCheck {
        at: entry.at,
        worked: true,
        message: None,
    }
    .when();
    let what = AuditAction::from_slug(&entry.action)
        .map_or(entry.action.clone(), |a| a.label().to_owned());
    // A change at Twilio that did not end as done says how it ended.
    let outcome = entry
        .outcome
        .filter(|o| *o != AuditOutcome::Done)
        .map(|o| view! { " " <em class="outcome">{format!("({})", o.label())}</em> });
    view! {
        <tr>
            <td>{when}</td>
            <td>{entry.staff}</td>
            <td>{entry.project.unwrap_or_default()}</td>
            <td>
                <strong>{what}</strong>
                ": "
                {entry.summary}
                {outcome}
            </td>
            <td class="value">{entry.before.unwrap_or_default()}</td>
            <td class="value">{entry.after.unwrap_or_default()}</td>
        </tr>
    }
}
