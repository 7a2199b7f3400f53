//! The frame of a project's pages: which project (from the path), its name
//! in the header, and a way to another project. Pages below read the
//! project from context; every form sends it back in a hidden field.

use super::loaded::loaded;
use super::notices::ErrorNotice;
use crate::api::projects::get_project;
use crate::domain::{AppError, ProjectId, SettingsKind};
use crate::paths;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The project whose page this is. Only valid below `ProjectFrame`.
pub fn current_project() -> ProjectId {
    use_context::<ProjectId>().expect("project pages are rendered inside ProjectFrame")
}

/// Whether the signed-in staff member may change the current project.
#[derive(Clone, Copy, Debug)]
pub struct CanChange(pub bool);

/// False below `ProjectFrame` for a viewer: forms show read-only.
pub fn can_change() -> bool {
    use_context::<CanChange>().is_some_and(|c| c.0)
}

/// `<input type="hidden" name="project">` for the current project.
#[component]
pub fn ProjectField() -> impl IntoView {
    view! { <input type="hidden" name="project" value=current_project().to_string() /> }
}

/// Renders the page for the project named in the path, once it is known to
/// exist; a page of a project that does not exist is a 404. A change of
/// project (same route, other id) renders the page afresh. (Children, not
/// a generic page: one copy of this code in the bundle for every page.)
#[component]
pub fn ProjectFrame(here: Here, children: ChildrenFn) -> impl IntoView {
    let params = use_params_map();
    // Set by the redirect after adding a project without JavaScript.
    let query = use_query_map();
    let just_added = move || query.read().get("done").as_deref() == Some("project-added");
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|raw| raw.parse::<ProjectId>().ok())
    });
    let project = loaded(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_project(id).await,
                None => Err(AppError::no_project("")),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading the project…"</p> }>
            {move || {
                let page = children.clone();
                project
                    .get()
                    .map(move |found| match found {
                        Ok(access) => {
                            provide_context(access.id.clone());
                            provide_context(CanChange(access.can_change));
                            let title = format!("{} · composition-admin", access.name);
                            view! {
                                <Title text=title />
                                <ProjectBar access=access.clone() here />
                                {(!access.can_change)
                                    .then(|| {
                                        view! {
                                            <p class="notice info">
                                                "Read-only: your role lets you see this project, not change it."
                                            </p>
                                        }
                                    })}
                                {just_added()
                                    .then(|| {
                                        view! {
                                            <p class="notice success" role="status">
                                                "Project added: its login works."
                                            </p>
                                        }
                                    })}
                                {page()}
                            }
                                .into_any()
                        }
                        Err(error) => view! { <MissingProject error /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

/// Which of a project's pages is shown, for the project bar to mark.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Here {
    Settings(SettingsKind),
    Credentials,
    History,
    Template,
    Edit,
}

/// The project's name and account SID, the tabs of its pages and the ways
/// to its edit page and to another project; the current page is marked.
#[component]
fn ProjectBar(access: crate::domain::ProjectAccess, here: Here) -> impl IntoView {
    let tab = move |page: Here, href: String, title: &'static str| {
        view! {
            <a href=href aria-current=(page == here).then_some("page") class="tab">
                {title}
            </a>
        }
    };
    let id = &access.id;
    let settings = |kind: SettingsKind| {
        tab(
            Here::Settings(kind),
            paths::settings(id, kind),
            kind.title(),
        )
    };
    let editing = (here == Here::Edit).then_some("page");
    view! {
        <div class="project-bar">
            <div class="project-head">
                <p class="project-id">
                    <span class="project-label">"Project "</span>
                    <strong class="project-name">{access.name.clone()}</strong>
                    " "
                    <code class="sid" title="Account SID">{access.account_sid.to_string()}</code>
                </p>
                <nav aria-label="Projects" class="project-links">
                    {access
                        .can_administer
                        .then(|| {
                            view! {
                                <a href=paths::edit_project(id) aria-current=editing class="button secondary">
                                    "Edit project"
                                </a>
                            }
                        })}
                    <a href=paths::PROJECTS class="button secondary">"Switch project"</a>
                </nav>
            </div>
            <nav class="tabs" aria-label="Project pages">
                {settings(SettingsKind::Composition)}
                {settings(SettingsKind::Recording)}
                {tab(Here::Credentials, paths::credentials(id), "Keys and credentials")}
                {tab(Here::History, paths::history(id), "History")}
                {tab(Here::Template, paths::drift(id), "Template")}
            </nav>
        </div>
    }
}

#[component]
fn MissingProject(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::StatusCode::from_u16(error.status_code()),
    ) {
        response.set_status(status);
    }
    view! {
        <main class="page">
            <h1>"Project not found"</h1>
            <ErrorNotice error context="This project cannot be shown." />
            <p>
                <a href=paths::PROJECTS>"See all projects"</a>
            </p>
        </main>
    }
}
