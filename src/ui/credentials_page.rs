//! The account's public keys and AWS credentials: list, add, rename and
//! delete, with a refusal to delete one the settings still use unless the
//! user confirms.

use super::credential_forms::{AddAwsCredentialForm, AddPublicKeyForm};
use super::fields::focus_on_load;
use super::loaded::loaded;
use super::notices::{unrecorded_in, DoneNotice, ErrorNotice};
use super::pickers::CredentialLists;
use super::project_scope::{can_change, current_project, ProjectField};
use crate::api::credentials::{
    CreateAwsCredential, CreatePublicKey, DeleteCredential, RenameCredential,
};
use crate::domain::{AppError, Credential, CredentialKind, CredentialTarget, Failure};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What the last action did, for the status line. Without JavaScript the
/// server's redirect names it in the URL instead.
fn outcome_from_query(done: &str) -> Option<String> {
    let (slug, what) = done.rsplit_once('-')?;
    let kind = [CredentialKind::PublicKey, CredentialKind::Aws]
        .into_iter()
        .find(|k| k.slug() == slug)?;
    let noun = kind.noun();
    let what = match what {
        "created" => "added",
        "renamed" => "renamed",
        "deleted" => "deleted",
        _ => return None,
    };
    Some(format!("Done: the {noun} was {what}."))
}

#[component]
pub fn CredentialsPage() -> impl IntoView {
    let create_key = ServerAction::<CreatePublicKey>::new();
    let create_aws = ServerAction::<CreateAwsCredential>::new();
    let rename = ServerAction::<RenameCredential>::new();
    let delete = ServerAction::<DeleteCredential>::new();
    let versions = move || {
        (
            create_key.version().get(),
            create_aws.version().get(),
            rename.version().get(),
            delete.version().get(),
        )
    };
    let project = current_project();
    let lists = loaded(versions, move |_| CredentialLists::load(project.clone()));
    // Only the latest action's outcome is shown: starting one clears the
    // others' messages.
    Effect::new(move |_| {
        let busy = create_key.pending().get()
            || create_aws.pending().get()
            || rename.pending().get()
            || delete.pending().get();
        if busy {
            create_key.value().set(None);
            create_aws.value().set(None);
            rename.value().set(None);
            delete.value().set(None);
        }
    });
    let query = use_query_map();
    let status = move || {
        let named = |c: &Credential| format!("\u{2018}{}\u{2019} ({})", c.name(), c.sid);
        if let Some(Ok(c)) = create_key.value().get() {
            return Some((format!("Public key {} added.", named(&c.value)), c.recorded));
        }
        if let Some(Ok(c)) = create_aws.value().get() {
            return Some((
                format!(
                    "AWS credential {} added. Its secret is with Twilio only.",
                    named(&c.value)
                ),
                c.recorded,
            ));
        }
        if let Some(Ok(c)) = rename.value().get() {
            return Some((format!("Renamed to {}.", named(&c.value)), c.recorded));
        }
        if let Some(Ok(done)) = delete.value().get() {
            return Some(("Deleted.".to_owned(), done.recorded));
        }
        let query = query.read();
        let text = query.get("done").as_deref().and_then(outcome_from_query)?;
        Some((text, !unrecorded_in(&query)))
    };

    view! {
        <main class="page wide">
            <h1>"Keys and credentials"</h1>
            <p class="lede">
                "The public keys Twilio encrypts media with and the AWS credentials it writes to your bucket with. Secrets and private keys are never shown: Twilio does not give them back."
            </p>
            <div role="status" class="status-region">
                {move || status().map(|(text, recorded)| view! { <DoneNotice text recorded /> })}
            </div>
            <Transition fallback=|| view! { <p>"Loading credentials from Twilio…"</p> }>
                {move || {
                    lists
                        .get()
                        .map(|lists| {
                            view! {
                                <CredentialSection kind=CredentialKind::PublicKey list=lists.public_keys rename delete />
                                {can_change().then(|| view! { <AddPublicKeyForm action=create_key /> })}
                                <CredentialSection kind=CredentialKind::Aws list=lists.aws rename delete />
                                {can_change().then(|| view! { <AddAwsCredentialForm action=create_aws /> })}
                            }
                        })
                }}
            </Transition>
        </main>
    }
}

/// The failure of the last rename or delete, if it was about this kind.
fn failure_for(
    kind: CredentialKind,
    rename: ServerAction<RenameCredential>,
    delete: ServerAction<DeleteCredential>,
) -> Option<Failure<CredentialTarget>> {
    [
        rename.value().get().and_then(Result::err),
        delete.value().get().and_then(Result::err),
    ]
    .into_iter()
    .flatten()
    .find(|f| f.input.as_ref().is_none_or(|t| t.kind == kind))
}

#[component]
fn CredentialSection(
    kind: CredentialKind,
    list: Result<Vec<Credential>, AppError>,
    rename: ServerAction<RenameCredential>,
    delete: ServerAction<DeleteCredential>,
) -> impl IntoView {
    let heading_id = format!("{}-heading", kind.slug());
    let names = list.clone().unwrap_or_default();
    let problem = move || {
        failure_for(kind, rename, delete).map(|failure| {
            let name = failure
                .input
                .as_ref()
                .and_then(|t| names.iter().find(|c| c.sid.as_str() == t.sid))
                .map_or_else(
                    || {
                        failure
                            .input
                            .as_ref()
                            .map(|t| t.sid.clone())
                            .unwrap_or_default()
                    },
                    |c| c.name().to_owned(),
                );
            match (failure.error, failure.input) {
                (AppError::NeedsConfirmation(uses), Some(target)) => {
                    view! { <DeleteAnyway target name uses delete /> }.into_any()
                }
                // The row's input has no room for a message: say it here.
                (AppError::Invalid(errors), _) => {
                    let text = format!("\u{2018}{name}\u{2019} was not renamed: {errors}.");
                    view! {
                        <div class="notice error" role="alert">
                            <p>{text}</p>
                        </div>
                    }
                    .into_any()
                }
                (error, _) => {
                    let context = format!("The change to \u{2018}{name}\u{2019} was not made.");
                    view! { <ErrorNotice error context /> }.into_any()
                }
            }
        })
    };
    let body = match list {
        Err(error) => {
            let context = format!("The {}s could not be read from Twilio.", kind.noun());
            view! { <ErrorNotice error context /> }.into_any()
        }
        Ok(list) if list.is_empty() => {
            view! { <p class="empty">{format!("This account has no {}s yet.", kind.noun())}</p> }
                .into_any()
        }
        Ok(list) => {
            let rows = list
                .into_iter()
                .map(|c| view! { <CredentialRow kind credential=c rename delete /> })
                .collect_view();
            view! {
                <table class="credentials">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"SID"</th>
                            <th scope="col">"Created"</th>
                            <th scope="col">"Rename"</th>
                            <th scope="col">"Delete"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any()
        }
    };
    let labelled_by = heading_id.clone();
    view! {
        <section class="credential-section" aria-labelledby=labelled_by>
            <h2 id=heading_id>{kind.plural_title()}</h2>
            {problem}
            {body}
        </section>
    }
}

#[component]
fn CredentialRow(
    kind: CredentialKind,
    credential: Credential,
    rename: ServerAction<RenameCredential>,
    delete: ServerAction<DeleteCredential>,
) -> impl IntoView {
    let sid = credential.sid.to_string();
    let name = credential.name().to_owned();
    let rename_id = format!("rename-{sid}");
    let (sid_cell, sid_for_rename, sid_for_delete) = (sid.clone(), sid.clone(), sid);
    let (rename_label, rename_button, delete_button) = (
        format!("New name for {name}"),
        format!("Rename {name}"),
        format!("Delete {name}"),
    );
    let (name_cell, name_value) = (name.clone(), name);
    let created = credential.created_on().unwrap_or_default();
    if !can_change() {
        // Read-only: no rename or delete controls.
        return view! {
            <tr>
                <th scope="row">{name_cell}</th>
                <td class="sid">{sid_cell}</td>
                <td>{created}</td>
                <td></td>
                <td></td>
            </tr>
        }
        .into_any();
    }
    let label_for = rename_id.clone();
    view! {
        <tr>
            <th scope="row">{name_cell}</th>
            <td class="sid">{sid_cell}</td>
            <td>{created}</td>
            <td>
                <ActionForm action=rename attr:class="inline-form">
                    <ProjectField />
                    <input type="hidden" name="kind" value=kind_value(kind) />
                    <input type="hidden" name="sid" value=sid_for_rename />
                    <label for=label_for class="visually-hidden">
                        {rename_label}
                    </label>
                    <input id=rename_id type="text" name="friendly_name" value=name_value autocomplete="off" />
                    <button type="submit" aria-label=rename_button>"Rename"</button>
                </ActionForm>
            </td>
            <td>
                <ActionForm action=delete attr:class="inline-form">
                    <ProjectField />
                    <input type="hidden" name="kind" value=kind_value(kind) />
                    <input type="hidden" name="sid" value=sid_for_delete />
                    <button type="submit" class="danger" aria-label=delete_button>
                        "Delete"
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
    .into_any()
}

/// How a kind travels in a form field.
fn kind_value(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::PublicKey => "public_key",
        CredentialKind::Aws => "aws",
    }
}

/// The settings still use the credential: say where, and offer deleting it
/// anyway or keeping it. The confirming button gets focus.
#[component]
fn DeleteAnyway(
    target: CredentialTarget,
    name: String,
    uses: Vec<String>,
    delete: ServerAction<DeleteCredential>,
) -> impl IntoView {
    let uses = uses
        .into_iter()
        .map(|u| view! { <li>{u}</li> })
        .collect_view();
    let button = focus_on_load::<leptos::html::Button>();
    view! {
        <div class="notice warning" role="alert">
            <p class="notice-title">
                {format!("\u{2018}{name}\u{2019} is still in use; nothing was deleted.")}
            </p>
            <ul>{uses}</ul>
            <ActionForm action=delete attr:class="inline-form">
                <ProjectField />
                <input type="hidden" name="kind" value=kind_value(target.kind) />
                <input type="hidden" name="sid" value=target.sid />
                <input type="hidden" name="confirm" value="true" />
                <button type="submit" class="danger" autofocus node_ref=button>
                    {format!("Delete \u{2018}{name}\u{2019} anyway")}
                </button>
                " "
                <a href=crate::paths::credentials(&current_project())>"Keep it"</a>
            </ActionForm>
        </div>
    }
}
