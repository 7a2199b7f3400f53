//! The fleet: every project the person may see, with both kinds' settings
//! as last read, counted in a chart, filtered, sorted and paged (all in the
//! URL), exported, and refreshed live. Rendered from snapshots alone.

use super::fleet_chart::FleetChart;
use super::fleet_table::FleetTable;
use super::loaded::loaded;
use super::notices::ErrorNotice;
use crate::api::fleet::{list_fleet, RefreshFleet};
use crate::domain::fleet::{Flag, FleetPage, FleetQuery, JobProgress, MAX_SEARCH};
use crate::paths;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn FleetPage() -> impl IntoView {
    let params = use_query_map();
    let query = move || {
        let read = params.read();
        let mut pairs = Vec::new();
        for key in ["q", "only", "sort", "dir", "page"] {
            for value in read.get_all(key).unwrap_or_default() {
                pairs.push((key, value));
            }
        }
        FleetQuery::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
    };
    let refresh = ServerAction::<RefreshFleet>::new();
    // Bumped when the live stream says rows changed: the page is read again.
    let version = RwSignal::new(0u32);
    let live = RwSignal::new(None::<JobProgress>);
    let following = RwSignal::new(false);
    let fleet = loaded(
        move || (query(), version.get(), refresh.version().get()),
        |(query, _, _)| list_fleet(query),
    );
    // A refresh running when the page is read, or just started: follow it.
    Effect::new(move |_| {
        let running = fleet
            .get()
            .and_then(Result::ok)
            .and_then(|page| page.job)
            .is_some_and(|job| job.finished_at.is_none());
        let started = refresh.value().get().is_some_and(|v| v.is_ok());
        if (running || started) && !following.get_untracked() {
            following.set(true);
            super::fleet_live::follow(live, version, following);
        }
    });
    view! {
        <Title text="Fleet · composition-admin" />
        <main class="page wide">
            <h1>"Fleet"</h1>
            <p class="lede">
                "Every project you may see, with its Composition and Recording settings as the console last read them. Filter, sort and page in the address bar to share a view; refresh to read them from Twilio again."
            </p>
            <Filters query=query() />
            <Transition fallback=|| view! { <p>"Loading the fleet…"</p> }>
                {move || {
                    fleet
                        .get()
                        .map(|found| match found {
                            Ok(page) => view! { <Fleet page query=query() refresh live /> }.into_any(),
                            Err(error) => {
                                view! { <ErrorNotice error context="The fleet could not be read." /> }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </main>
    }
}

#[component]
fn Filters(query: FleetQuery) -> impl IntoView {
    let flags = Flag::ALL
        .into_iter()
        .map(|flag| {
            let id = format!("fleet-only-{}", flag.slug());
            view! {
                <span class="check">
                    <input
                        type="checkbox"
                        id=id.clone()
                        name="only"
                        value=flag.slug()
                        checked=query.filter.flags.contains(&flag)
                    />
                    <label for=id>{flag.label()}</label>
                </span>
            }
        })
        .collect_view();
    let sort = (query.sort != Default::default()).then(|| {
        view! { <input type="hidden" name="sort" value=query.sort.slug() /> }
    });
    let dir = query
        .descending
        .then(|| view! { <input type="hidden" name="dir" value="desc" /> });
    view! {
        <form method="get" action=paths::FLEET class="filters" role="search" aria-label="Filter the fleet">
            <div class="field inline">
                <label for="fleet-search">"Name or account SID"</label>
                <input
                    id="fleet-search"
                    type="search"
                    name="q"
                    maxlength=MAX_SEARCH
                    value=query.filter.search.clone()
                />
            </div>
            <fieldset class="flags">
                <legend>"Show only"</legend>
                {flags}
            </fieldset>
            {sort}
            {dir}
            <button type="submit">"Apply"</button>
            <a href=paths::FLEET class="button secondary">"Clear"</a>
        </form>
    }
}

#[component]
fn Fleet(
    page: FleetPage,
    query: FleetQuery,
    refresh: ServerAction<RefreshFleet>,
    live: RwSignal<Option<JobProgress>>,
) -> impl IntoView {
    let FleetPage {
        rows,
        matching,
        page: number,
        pages,
        counts,
        job,
        now,
        can_change,
        can_assign,
        templates,
        undelivered,
        new_subaccounts,
    } = page;
    let filter_only = FleetQuery {
        filter: query.filter.clone(),
        ..FleetQuery::default()
    }
    .to_query();
    let with = |extra: &str| {
        if filter_only.is_empty() {
            extra.to_owned()
        } else {
            format!("{filter_only}&{extra}")
        }
    };
    let csv = format!("/fleet/export?{}", with("format=csv"));
    let json = format!("/fleet/export?{}", with("format=json"));
    // The stream's word is newer than the page's while a refresh runs.
    let progress = move || {
        live.get()
            .filter(|l| job.as_ref().is_none_or(|j| j.id == l.id))
            .or_else(|| job.clone())
    };
    let label = format!("Refresh {}", crate::domain::fleet::projects(matching));
    let bulk_view = filter_only.clone();
    let pager_query = query.clone();
    let alerts = (!undelivered.is_empty()).then(|| {
        view! {
            <section class="notice warning" aria-labelledby="undelivered-heading">
                <h2 id="undelivered-heading">"Alerts not delivered"</h2>
                <ul>{undelivered.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
            </section>
        }
    });
    let news = (!new_subaccounts.is_empty()).then(|| {
        view! {
            <section class="notice" aria-labelledby="new-subaccounts-heading">
                <h2 id="new-subaccounts-heading">"New subaccounts"</h2>
                <ul>{new_subaccounts.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
                <p><a href=paths::IMPORTS>"Find and import them"</a></p>
            </section>
        }
    });
    view! {
        {alerts}
        {news}
        <FleetChart counts />
        <section class="refresh" aria-label="Refresh">
            <ActionForm action=refresh>
                <input type="hidden" name="view" value=filter_only.clone() />
                <button type="submit" disabled=move || refresh.pending().get()>
                    {label}
                </button>
            </ActionForm>
            {move || {
                refresh
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| view! { <p role="alert" class="notice error">{e.to_string()}</p> })
            }}
            <Progress progress=Signal::derive(progress) />
        </section>
        <p class="count">
            {format!("{}, page {number} of {pages}. ", crate::domain::fleet::projects(matching))}
            <a href=csv download="fleet.csv">"Export as CSV"</a>
            " · "
            <a href=json download="fleet.json">"Export as JSON"</a>
        </p>
        {can_change
            .then(|| {
                view! {
                    <super::fleet_bulk::BulkForm
                        templates
                        can_assign
                        view=bulk_view
                        matching
                    />
                }
            })}
        <FleetTable rows query now select=can_change />
        {super::pager::pager(
            number,
            pages,
            &|to| {
                let at = FleetQuery { page: to, ..pager_query.clone() };
                format!("{}?{}", paths::FLEET, at.to_query())
            },
            "Pages of the fleet",
        )}
    }
}

/// Without JavaScript, a page showing a running refresh reloads itself.
const RELOAD: &str = r#"<noscript><meta http-equiv="refresh" content="3"></noscript>"#;

/// The refresh's progress bar, and (without JavaScript) a reload every few
/// seconds until it ends.
#[component]
fn Progress(progress: Signal<Option<JobProgress>>) -> impl IntoView {
    move || {
        progress.get().map(|job| {
            let running = job.finished_at.is_none();
            let heading = if running {
                format!("Refreshing, started by {}", job.started_by)
            } else {
                "Refresh finished".to_owned()
            };
            view! {
                <div class="refresh-progress" role="status">
                    <p>
                        <strong>{heading}</strong>
                        ": "
                        {job.summary()}
                    </p>
                    <progress
                        max=job.total().max(1)
                        value=job.done + job.failed
                        aria-label="Projects read"
                    ></progress>
                    // As markup the hydration does not walk: with scripting on,
                    // a noscript's content is text in the browser's tree.
                    {running.then(|| view! { <div class="reload" inner_html=RELOAD></div> })}
                </div>
            }
        })
    }
}
