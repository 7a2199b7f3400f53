//! Staff accounts, for admins: who can sign in, with which role and
//! projects; add or change one, or remove one.

use super::fields::{checked_submit, error_for, TextField};
use super::loaded::loaded;
use super::notices::ErrorNotice;
use crate::api::staff::{list_staff, RemoveStaff, SaveStaff};
use crate::domain::{AppError, Failure, Field, FieldErrors, Role, StaffInput, StaffView};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn field_id(field: Field) -> &'static str {
    match field {
        Field::StaffRole => "staff-role",
        Field::StaffProjects => "staff-projects",
        Field::Password => "staff-new-password",
        _ => "staff-new-name",
    }
}

#[component]
pub fn StaffPage() -> impl IntoView {
    let save = ServerAction::<SaveStaff>::new();
    let remove = ServerAction::<RemoveStaff>::new();
    let staff = loaded(
        move || (save.version().get(), remove.version().get()),
        |_| list_staff(),
    );
    let query = use_query_map();
    let status = move || {
        if let Some(Ok(added)) = save.value().get() {
            return Some(if added {
                "Staff member added."
            } else {
                "Staff member changed."
            });
        }
        if let Some(Ok(())) = remove.value().get() {
            return Some("Staff member removed.");
        }
        match query.read().get("done").as_deref() {
            Some("staff-saved") => Some("Saved."),
            Some("staff-removed") => Some("Staff member removed."),
            _ => None,
        }
    };
    view! {
        <Title text="Staff · composition-admin" />
        <main class="page wide">
            <h1>"Staff"</h1>
            <p class="lede">
                "Who can sign in. Admins manage staff and projects; editors change the settings and credentials of their projects; viewers read their projects."
            </p>
            <div role="status" class="status-region">
                {move || status().map(|text| view! { <p class="notice success">{text}</p> })}
            </div>
            <Transition fallback=|| view! { <p>"Loading staff…"</p> }>
                {move || {
                    staff
                        .get()
                        .map(|found| match found {
                            Ok(list) => view! { <StaffTable list /> }.into_any(),
                            Err(error) => {
                                view! { <ErrorNotice error context="The staff list could not be read." /> }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
            <SaveStaffForm action=save />
            <RemoveStaffForm action=remove />
        </main>
    }
}

#[component]
fn StaffTable(list: Vec<StaffView>) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|s| {
            view! {
                <tr>
                    <th scope="row">{s.name}</th>
                    <td>{s.role.label()}</td>
                    <td>{s.projects.join(", ")}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="staff">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Projects"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn SaveStaffForm(action: ServerAction<SaveStaff>) -> impl IntoView {
    let typed = match action.value().get_untracked() {
        Some(Err(Failure {
            input: Some(input), ..
        })) => input,
        _ => StaffInput {
            role: Role::Editor.slug().into(),
            ..StaffInput::default()
        },
    };
    let client = RwSignal::new(FieldErrors::default());
    let failure = move || action.value().get().and_then(Result::err).map(|f| f.error);
    let on_submit = checked_submit(action, client, |_: &SaveStaff| Ok(()), field_id);
    let error = move |field| error_for(client, failure, field);
    let options = Role::ALL
        .into_iter()
        .map(|role| {
            view! {
                <option value=role.slug() selected=typed.role == role.slug()>
                    {role.label()}
                </option>
            }
        })
        .collect_view();
    view! {
        <form
            method="post"
            action=SaveStaff::url()
            on:submit=on_submit
            novalidate
            class="add-form"
            aria-labelledby="save-staff-heading"
        >
            <h2 id="save-staff-heading">"Add or change a staff member"</h2>
            {move || {
                failure()
                    .filter(|e| !matches!(e, AppError::Invalid(_)))
                    .map(|error| view! { <ErrorNotice error context="Nothing was saved." /> })
            }}
            <TextField
                id=field_id(Field::StaffName)
                label="Staff name"
                name="input[name]"
                value=typed.name.clone()
                error=error(Field::StaffName)
                help="The name they sign in with. A name that exists changes that staff member."
            />
            <div class="field">
                <label for=field_id(Field::StaffRole)>"Role"</label>
                <select id=field_id(Field::StaffRole) name="input[role]">
                    {options}
                </select>
            </div>
            <TextField
                id=field_id(Field::StaffProjects)
                label="Projects"
                name="input[projects]"
                value=typed.projects.clone()
                error=error(Field::StaffProjects)
                help="For editors and viewers: project ids (as in the project's address, e.g. demo-acme), separated by commas."
            />
            <TextField
                id=field_id(Field::Password)
                label="New password"
                name="input[password]"
                value=""
                error=error(Field::Password)
                help="At least 12 characters; tell it to them yourself. Required for a new staff member; leave empty to keep the current one."
                password=true
            />
            <button type="submit">"Save staff member"</button>
        </form>
    }
}

#[component]
fn RemoveStaffForm(action: ServerAction<RemoveStaff>) -> impl IntoView {
    let failure = move || action.value().get().and_then(Result::err);
    view! {
        <section class="danger-zone" aria-labelledby="remove-staff-heading">
            <h2 id="remove-staff-heading">"Remove a staff member"</h2>
            {move || {
                failure().map(|error| view! { <ErrorNotice error context="Nobody was removed." /> })
            }}
            <ActionForm action>
                <div class="field">
                    <label for="remove-staff-name">"Name of the staff member to remove"</label>
                    <input id="remove-staff-name" type="text" name="name" maxlength="64" autocomplete="off" />
                </div>
                <div class="field check">
                    <input id="remove-staff-confirm" type="checkbox" name="confirm" value="true" />
                    <label for="remove-staff-confirm">"I understand: they can no longer sign in"</label>
                </div>
                <button type="submit" class="danger">
                    "Remove staff member"
                </button>
            </ActionForm>
        </section>
    }
}
