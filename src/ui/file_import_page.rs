//! Importing projects from a file: the form that takes it (on `/imports`)
//! and `/imports/file/<id>`, the preview of every row with what stops it,
//! then the confirmation that stores the valid ones, all together.

use super::loaded::loaded;
use super::notices::ErrorNotice;
use crate::api::imports::{read_project_file, ConfirmProjectFile, PreviewProjectFile};
use crate::domain::project_file::{FilePreview, PreviewRow, RowCheck, MAX_ROWS};
use crate::paths;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The file form, shown below the parent's login on `/imports`. With
/// JavaScript the text is sent by the action; without, the form posts
/// itself. (Not an `ActionForm`: its serde_qs decoder, in the chunk of
/// `/imports`, pulled shared code into the main bundle.)
#[component]
pub fn FileForm() -> impl IntoView {
    let action = ServerAction::<PreviewProjectFile>::new();
    Effect::new(move |_| {
        if let Some(Ok(id)) = action.value().get() {
            leptos_router::hooks::use_navigate()(&paths::file_import(&id), Default::default());
        }
    });
    let failure = move || action.value().get().and_then(Result::err);
    let pending = action.pending();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        use leptos::wasm_bindgen::JsCast;
        let file = ev
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlFormElement>().ok())
            .and_then(|form| leptos::web_sys::FormData::new_with_form(&form).ok())
            .and_then(|data| data.get("file").as_string());
        if let Some(file) = file {
            ev.prevent_default();
            action.dispatch(PreviewProjectFile { file });
        }
    };
    let help = format!("Paste a CSV file with a header row (name, account_sid, login, api_key_sid, secret; as the projects export writes it, with the secrets filled in) or its JSON twin. Nothing is stored until you confirm the preview. At most 32 KiB (about 300 projects) and {MAX_ROWS} rows.");
    view! {
        <section class="add-form" aria-labelledby="file-heading">
            <h2 id="file-heading">"Import from a file"</h2>
            {move || failure().map(|error| view! { <ErrorNotice error context="Nothing was read." /> })}
            <form method="post" action=PreviewProjectFile::url() on:submit=on_submit>
                <div class="field">
                    <label for="projects-file">"Projects file (CSV or JSON)"</label>
                    <textarea id="projects-file" name="file" rows="8" spellcheck="false" aria-describedby="projects-file-help"></textarea>
                    <p class="help" id="projects-file-help">{help}</p>
                </div>
                <button type="submit">
                    {move || if pending.get() { "Testing the logins…" } else { "Preview the file" }}
                </button>
            </form>
        </section>
    }
}

#[component]
pub fn FileImportPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let confirm = ServerAction::<ConfirmProjectFile>::new();
    let preview = loaded(
        move || (id(), confirm.version().get()),
        |(id, _)| read_project_file(id),
    );
    view! {
        <Title text="Import from a file · composition-admin" />
        <main class="page wide">
            <h1>"Import from a file"</h1>
            <Transition fallback=|| view! { <p>"Loading the preview…"</p> }>
                {move || {
                    preview.get().map(|found| match found {
                        Ok(preview) => view! { <PreviewBody preview confirm /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error context="This file cannot be shown." /> }.into_any(),
                    })
                }}
            </Transition>
            <p><a href=paths::PROJECTS>"Back to the projects"</a></p>
        </main>
    }
}

#[component]
fn PreviewBody(preview: FilePreview, confirm: ServerAction<ConfirmProjectFile>) -> impl IntoView {
    let valid = preview.valid();
    let total = preview.rows.len();
    let stage = match preview.stored {
        Some(n) => format!("Done: {n} project{} stored.", if n == 1 { "" } else { "s" }),
        None => {
            format!("Preview: {valid} of {total} rows can be stored; nothing has been stored yet.")
        }
    };
    let can_confirm = preview.can_confirm && valid > 0;
    let label = format!(
        "Store the {valid} valid project{}",
        if valid == 1 { "" } else { "s" }
    );
    let rows = preview
        .rows
        .into_iter()
        .map(|row| view! { <RowLine row /> })
        .collect_view();
    let id = preview.id;
    view! {
        <div role="status" class="status-region">
            <p><strong>{stage}</strong></p>
        </div>
        {move || confirm.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error context="Nothing was stored." /> })}
        <table class="file-rows">
            <thead>
                <tr>
                    <th scope="col">"Row"</th>
                    <th scope="col">"Project"</th>
                    <th scope="col">"Account SID"</th>
                    <th scope="col">"Login"</th>
                    <th scope="col">"Outcome"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {can_confirm.then(|| view! {
            <ActionForm action=confirm>
                <input type="hidden" name="id" value=id />
                <button type="submit">{label}</button>
            </ActionForm>
        })}
        {(!preview.can_confirm && preview.stored.is_none()).then(|| view! {
            <p class="notice">"The file's secrets are no longer held (they are kept 30 minutes): send the file again."</p>
        })}
    }
}

#[component]
fn RowLine(row: PreviewRow) -> impl IntoView {
    let outcome = match &row.check {
        RowCheck::Valid => "Valid: the login works".to_owned(),
        RowCheck::Malformed { field, message } => format!("Not stored: {field} {message}"),
        RowCheck::Duplicate { project } => {
            format!("Not stored: already the project \u{201c}{project}\u{201d}")
        }
        RowCheck::DuplicateInFile { line } => format!("Not stored: the same account as row {line}"),
        RowCheck::LoginFails { message } => {
            format!("Not stored: the login does not work: {message}")
        }
    };
    let login = row.login.map(|l| l.label()).unwrap_or("?");
    view! {
        <tr>
            <td>{row.line}</td>
            <th scope="row">{row.name}</th>
            <td class="sid">{row.account_sid}</td>
            <td>{login}</td>
            <td>{outcome}</td>
        </tr>
    }
}
