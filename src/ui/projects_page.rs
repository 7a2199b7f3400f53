//! Every project the console manages, with search, the outcome of each
//! one's last connection test, and the form that adds one.

use super::fields::{checked_submit, hydrated};
use super::loaded::loaded;
use super::notices::ErrorNotice;
use super::project_form::{field_id, ProjectFields};
use crate::api::projects::{list_projects, AddProject, CheckProject, MAX_SEARCH};
use crate::domain::{
    AppError, Failure, FieldErrors, LoginCheck, ProjectInput, ProjectPage, ProjectSummary,
};
use crate::paths;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn outcome_from_query(done: &str) -> Option<&'static str> {
    match done {
        "project-removed" => {
            Some("Done: the project was removed. Its settings at Twilio are unchanged.")
        }
        "project-checked" => Some("Tested: the list shows the outcome."),
        _ => None,
    }
}

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let add = ServerAction::<AddProject>::new();
    let check = ServerAction::<CheckProject>::new();
    let query = use_query_map();
    let search = move || {
        crate::domain::error::clipped(&query.read().get("q").unwrap_or_default(), MAX_SEARCH)
    };
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(1)
    };
    let projects = loaded(
        move || (add.version().get(), check.version().get(), search(), page()),
        |(_, _, search, page)| list_projects(Some(search), Some(page)),
    );
    let status = move || {
        if let Some(Ok(added)) = add.value().get() {
            return Some(format!(
                "Added \u{201c}{}\u{201d}: the login works. Open it from the list.",
                added.name
            ));
        }
        if let Some(Ok(check)) = check.value().get() {
            return Some(if check.worked {
                "Tested: the login works.".to_owned()
            } else {
                format!(
                    "Tested: the login does not work. {}",
                    check.message.unwrap_or_default()
                )
            });
        }
        query
            .read()
            .get("done")
            .as_deref()
            .and_then(outcome_from_query)
            .map(str::to_owned)
    };
    view! {
        <Title text="Projects · composition-admin" />
        <main class="page wide">
            <h1>"Projects"</h1>
            <p class="lede">
                "The Twilio accounts this console manages. Open one to see and change where its recordings and compositions go."
            </p>
            <div role="status" class="status-region">
                {move || status().map(|text| view! { <p class="notice success">{text}</p> })}
            </div>
            <form method="get" action=paths::PROJECTS class="search-form" role="search">
                <label for="project-search">"Search projects"</label>
                <input
                    id="project-search"
                    type="search"
                    name="q"
                    maxlength=MAX_SEARCH
                    value=search
                    aria-describedby="project-search-help"
                />
                <button type="submit">"Search"</button>
                <p class="help" id="project-search-help">
                    "Part of a name or an account SID."
                </p>
            </form>
            <Transition fallback=|| view! { <p>"Loading projects…"</p> }>
                {move || {
                    projects
                        .get()
                        .map(|found| match found {
                            Ok(found) => view! { <ProjectTable found search=search() check /> }.into_any(),
                            Err(error) => {
                                view! { <ErrorNotice error context="The projects could not be read." /> }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
            // Only admins add projects. Made inside the transition, so the
            // server waits for the list's answer; the last known answer
            // decides, so a reload of the list keeps the form (and what was
            // typed in it).
            <Transition fallback=|| ()>
                {
                    let administers = Memo::new(move |before: Option<&bool>| {
                        projects
                            .get()
                            .and_then(Result::ok)
                            .map(|p| p.administers)
                            .or(before.copied())
                            .unwrap_or(false)
                    });
                    move || {
                        administers
                            .get()
                            .then(|| {
                                view! {
                                    <section class="import-link" aria-labelledby="import-heading">
                                        <h2 id="import-heading">"Projects in bulk"</h2>
                                        <p>
                                            <a href=paths::IMPORTS>"Import from a parent account"</a>
                                            ": list its subaccounts and give each one a key of its own."
                                        </p>
                                        <p>
                                            "Export every project (never a secret): "
                                            <a href=format!("{}?format=csv", paths::PROJECTS_EXPORT) download="projects.csv" aria-label="Export every project as CSV">"CSV"</a>
                                            " · "
                                            <a href=format!("{}?format=json", paths::PROJECTS_EXPORT) download="projects.json" aria-label="Export every project as JSON">"JSON"</a>
                                        </p>
                                    </section>
                                    <AddProjectForm action=add />
                                }
                            })
                    }
                }
            </Transition>
        </main>
    }
}

#[component]
fn ProjectTable(
    found: ProjectPage,
    search: String,
    check: ServerAction<CheckProject>,
) -> impl IntoView {
    let ProjectPage {
        projects,
        total,
        matching,
        page,
        pages,
        administers,
    } = found;
    let mut count = if search.trim().is_empty() {
        format!("{total} project{}", if total == 1 { "" } else { "s" })
    } else {
        format!("{matching} of {total} projects match \u{201c}{search}\u{201d}")
    };
    if pages > 1 {
        count.push_str(&format!(", page {page} of {pages}"));
    }
    if total == 0 {
        return view! { <p>"No projects yet: add the first one below."</p> }.into_any();
    }
    let rows = projects
        .into_iter()
        .map(|p| view! { <ProjectRow project=p check administers /> })
        .collect_view();
    let pager = super::pager::pager(
        page,
        pages,
        &|to| paths::projects_search(&search, to),
        "Pages of projects",
    );
    view! {
        <p class="count">{count}</p>
        <table class="projects">
            <thead>
                <tr>
                    <th scope="col">"Project"</th>
                    <th scope="col">"Account SID"</th>
                    <th scope="col">"Login"</th>
                    <th scope="col">"Last connection test"</th>
                    {administers.then(|| view! { <th scope="col">"Actions"</th> })}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {pager}
    }
    .into_any()
}

#[component]
fn ProjectRow(
    project: ProjectSummary,
    check: ServerAction<CheckProject>,
    administers: bool,
) -> impl IntoView {
    let test_label = format!("Test again: the login of {}", project.name);
    let settings_href = paths::settings(&project.id, crate::domain::SettingsKind::Composition);
    let edit_href = paths::edit_project(&project.id);
    let edit_label = format!("Edit {}", project.name);
    view! {
        <tr>
            <th scope="row">
                <a href=settings_href>
                    {project.name.clone()}
                </a>
            </th>
            <td class="sid">{project.account_sid.to_string()}</td>
            <td>{project.login.label()}</td>
            <td>{check_text(project.check.as_ref())}</td>
            {administers
                .then(|| {
                    view! {
                        <td class="actions">
                            <ActionForm action=check attr:class="inline-form">
                                <input type="hidden" name="project" value=project.id.to_string() />
                                <button type="submit" aria-label=test_label>
                                    "Test again"
                                </button>
                            </ActionForm>
                            <a href=edit_href aria-label=edit_label>
                                "Edit"
                            </a>
                        </td>
                    }
                })}
        </tr>
    }
}

fn check_text(check: Option<&LoginCheck>) -> String {
    match check {
        None => "Not tested".to_owned(),
        Some(c) if c.worked => format!("Works ({})", c.when()),
        Some(c) => format!(
            "Failed ({}): {}",
            c.when(),
            c.message.as_deref().unwrap_or("no answer")
        ),
    }
}

#[component]
fn AddProjectForm(action: ServerAction<AddProject>) -> impl IntoView {
    let typed = match action.value().get_untracked() {
        Some(Err(Failure {
            input: Some(input), ..
        })) => input,
        _ => ProjectInput::default(),
    };
    let client = RwSignal::new(FieldErrors::default());
    let failure =
        Signal::derive(move || action.value().get().and_then(Result::err).map(|f| f.error));
    let on_submit = checked_submit(
        action,
        client,
        |args: &AddProject| args.input.validate(true).map(drop),
        field_id,
    );
    let pending = action.pending();
    let js = hydrated();
    view! {
        <form
            method="post"
            action=AddProject::url()
            on:submit=on_submit
            novalidate
            class="add-form"
            aria-labelledby="add-project-heading"
        >
            <h2 id="add-project-heading">"Add a project"</h2>
            <p class="help">
                "The login is tested with Twilio before anything is stored; a login that does not work is not saved."
            </p>
            {move || {
                failure
                    .get()
                    .filter(|e| !matches!(e, AppError::Invalid(_)))
                    .map(|error| view! { <ErrorNotice error context="The project was not added." /> })
            }}
            <ProjectFields typed client failure editing=false />
            <button type="submit" disabled=move || js.get() && pending.get()>
                {move || if pending.get() { "Testing the connection…" } else { "Test connection and add project" }}
            </button>
        </form>
    }
}
