//! Renaming a project, replacing its login, or removing it.

use super::fields::{checked_submit, hydrated};
use super::loaded::loaded;
use super::notices::ErrorNotice;
use super::project_form::{field_id, ProjectFields};
use super::project_scope::{current_project, ProjectField};
use crate::api::projects::{project_details, EditProject, RemoveProject};
use crate::domain::{AppError, Failure, FieldErrors, ProjectInput};
use crate::paths;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ProjectEditPage() -> impl IntoView {
    let project = current_project();
    let edit = ServerAction::<EditProject>::new();
    let remove = ServerAction::<RemoveProject>::new();
    let summary = loaded(
        move || edit.version().get(),
        move |_| {
            let project = project.clone();
            async move { project_details(project).await }
        },
    );
    let query = use_query_map();
    let saved = move || {
        matches!(edit.value().get(), Some(Ok(_)))
            || query.read().get("done").as_deref() == Some("project-saved")
    };
    // With JavaScript, a removed project's pages are gone: back to the list.
    Effect::new(move |_| {
        if matches!(remove.value().get(), Some(Ok(()))) {
            let navigate = leptos_router::hooks::use_navigate();
            navigate(
                &format!("{}?done=project-removed", paths::PROJECTS),
                Default::default(),
            );
        }
    });
    view! {
        <main class="page">
            <h1>"Edit project"</h1>
            <div role="status" class="status-region">
                {move || {
                    saved().then(|| view! { <p class="notice success">"Saved."</p> })
                }}
            </div>
            <Transition fallback=|| view! { <p>"Loading the project…"</p> }>
                {move || {
                    summary
                        .get()
                        .map(|found| match found {
                            Ok(summary) => {
                                let typed = match edit.value().get_untracked() {
                                    Some(Err(Failure { input: Some(input), .. })) => input,
                                    _ => summary.to_input(),
                                };
                                view! { <EditForm action=edit typed /> }.into_any()
                            }
                            Err(error) => {
                                view! { <ErrorNotice error context="The project could not be read." /> }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
            <RemoveForm action=remove />
        </main>
    }
}

#[component]
fn EditForm(action: ServerAction<EditProject>, typed: ProjectInput) -> impl IntoView {
    let client = RwSignal::new(FieldErrors::default());
    let failure =
        Signal::derive(move || action.value().get().and_then(Result::err).map(|f| f.error));
    let on_submit = checked_submit(
        action,
        client,
        |args: &EditProject| args.input.validate(false).map(drop),
        field_id,
    );
    let pending = action.pending();
    let js = hydrated();
    view! {
        <form
            method="post"
            action=EditProject::url()
            on:submit=on_submit
            novalidate
            class="settings-form"
            aria-label="Project"
        >
            <ProjectField />
            {move || {
                failure
                    .get()
                    .filter(|e| !matches!(e, AppError::Invalid(_)))
                    .map(|error| view! { <ErrorNotice error context="The project was not saved." /> })
            }}
            <ProjectFields typed client failure editing=true />
            <button type="submit" disabled=move || js.get() && pending.get()>
                {move || if pending.get() { "Saving…" } else { "Save project" }}
            </button>
        </form>
    }
}

/// Removing needs the box ticked; the server refuses it otherwise.
#[component]
fn RemoveForm(action: ServerAction<RemoveProject>) -> impl IntoView {
    let failure = move || action.value().get().and_then(Result::err);
    view! {
        <section class="danger-zone" aria-labelledby="remove-heading">
            <h2 id="remove-heading">"Remove this project"</h2>
            <p>
                "The console forgets this project and its stored login. Nothing changes at Twilio: its settings, keys and credentials stay as they are, and you can add the project again later."
            </p>
            {move || {
                failure()
                    .map(|error| match error {
                        AppError::NeedsConfirmation(_) => {
                            view! {
                                <div class="notice error" role="alert">
                                    <p>"Nothing was removed: tick the box to confirm."</p>
                                </div>
                            }
                                .into_any()
                        }
                        error => {
                            view! { <ErrorNotice error context="The project was not removed." /> }
                                .into_any()
                        }
                    })
            }}
            <ActionForm action>
                <ProjectField />
                <div class="field check">
                    <input id="remove-confirm" type="checkbox" name="confirm" value="true" />
                    <label for="remove-confirm">
                        "I understand: the console forgets this project and its login"
                    </label>
                </div>
                <button type="submit" class="danger">
                    "Remove project"
                </button>
            </ActionForm>
        </section>
    }
}
