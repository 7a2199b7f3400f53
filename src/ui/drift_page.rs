//! A project's Template tab: the template each kind follows and, field by
//! field, what it says beside what Twilio holds; admins choose the template.

use super::loaded::loaded;
use super::notices::ErrorNotice;
use super::project_scope::{current_project, ProjectField};
use crate::api::templates::{drift_of_project, AssignTemplate};
use crate::domain::template::FieldDrift;
use crate::domain::template_view::{differ_words, KindDrift, ProjectDrift};
use crate::domain::SettingsKind;
use crate::paths;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn DriftPage() -> impl IntoView {
    let project = current_project();
    let assign = ServerAction::<AssignTemplate>::new();
    let drift = loaded(
        move || (project.clone(), assign.version().get()),
        |(project, _)| drift_of_project(project),
    );
    let query = use_query_map();
    let status = move || {
        let assigned = matches!(assign.value().get(), Some(Ok(())))
            || query.read().get("done").as_deref() == Some("template-assigned");
        assigned.then_some("Saved. The project is being read again; its drift follows.")
    };
    view! {
        <main class="page">
            <h1>"Template"</h1>
            <div role="status" class="status-region">
                {move || status().map(|text| view! { <p class="notice success">{text}</p> })}
                {move || {
                    assign
                        .value()
                        .get()
                        .and_then(Result::err)
                        .map(|error| view! { <ErrorNotice error context="Nothing was changed." /> })
                }}
            </div>
            <Transition fallback=|| view! { <p>"Loading the drift…"</p> }>
                {move || {
                    drift
                        .get()
                        .map(|found| match found {
                            Ok(drift) => view! { <DriftBody drift assign /> }.into_any(),
                            Err(error) => {
                                view! { <ErrorNotice error context="The drift could not be read." /> }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </main>
    }
}

#[component]
fn DriftBody(drift: ProjectDrift, assign: ServerAction<AssignTemplate>) -> impl IntoView {
    let ProjectDrift {
        kinds,
        can_assign,
        choices,
    } = drift;
    kinds
        .into_iter()
        .map(|kind| {
            let choices: Vec<(String, String)> = choices
                .iter()
                .filter(|(_, _, k)| *k == kind.kind)
                .map(|(id, name, _)| (id.clone(), name.clone()))
                .collect();
            view! { <KindSection kind can_assign choices assign /> }
        })
        .collect_view()
}

#[component]
fn KindSection(
    kind: KindDrift,
    can_assign: bool,
    choices: Vec<(String, String)>,
    assign: ServerAction<AssignTemplate>,
) -> impl IntoView {
    let heading_id = format!("drift-{}", kind.kind.slug());
    let title = kind.kind.title();
    let following = kind.template.clone();
    let body = match (&kind.template, kind.fields) {
        (None, _) => view! { <p>"Follows no template."</p> }.into_any(),
        (Some((_, name)), None) => view! {
            <p>{format!("Follows the template \u{201c}{name}\u{201d}.")}</p>
            <p class="notice info">
                "Its settings have not been read yet, so its drift is not known: refresh the project from the "
                <a href=paths::FLEET>"fleet"</a>"."
            </p>
        }
        .into_any(),
        (Some((_, name)), Some(fields)) => view! {
            <p>
                {format!("Follows the template \u{201c}{name}\u{201d}: ")}
                <strong>{differ_words(fields.len())}</strong>
                "."
            </p>
            {(!fields.is_empty()).then(|| view! { <DriftTable fields /> })}
        }
        .into_any(),
    };
    let labelled = heading_id.clone();
    view! {
        <section class="drift-kind" aria-labelledby=labelled>
            <h2 id=heading_id>{title}</h2>
            {body}
            {can_assign.then(|| view! { <AssignForm kind=kind.kind following choices assign /> })}
        </section>
    }
}

#[component]
fn DriftTable(fields: Vec<FieldDrift>) -> impl IntoView {
    let rows = fields
        .into_iter()
        .map(|f| {
            let wanted = match f.wanted {
                Ok(value) => view! { <span>{value}</span> }.into_any(),
                Err(why) => {
                    view! { <span class="problem">{format!("Cannot be resolved: {why}")}</span> }
                        .into_any()
                }
            };
            view! {
                <tr>
                    <th scope="row">{f.field.label()}</th>
                    <td>{wanted} {f.note.map(|note| view! { <br /><small>{note}</small> })}</td>
                    <td>{f.held}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="drift">
                <thead>
                    <tr>
                        <th scope="col">"Field"</th>
                        <th scope="col">"Template says"</th>
                        <th scope="col">"Twilio holds"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn AssignForm(
    kind: SettingsKind,
    following: Option<(String, String)>,
    choices: Vec<(String, String)>,
    assign: ServerAction<AssignTemplate>,
) -> impl IntoView {
    let id = format!("assign-{}", kind.slug());
    let current = following.map(|(id, _)| id).unwrap_or_default();
    let options = choices
        .into_iter()
        .map(|(value, name)| {
            let selected = value == current;
            view! { <option value=value selected=selected>{name}</option> }
        })
        .collect_view();
    let label = format!("Template for {}", kind.title());
    view! {
        <ActionForm action=assign attr:class="assign-form">
            <ProjectField />
            <input type="hidden" name="kind" value=format!("{kind:?}") />
            <div class="field">
                <label for=id.clone()>{label}</label>
                <select id=id name="template">
                    <option value="" selected=current.is_empty()>"No template"</option>
                    {options}
                </select>
            </div>
            <button type="submit">"Follow"</button>
        </ActionForm>
    }
}
