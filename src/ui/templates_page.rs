//! `/templates`: the desired states projects can follow. Everyone signed
//! in reads them; admins add, change, delete, import and export them.

use super::fields::{checked_submit, error_for, TextField};
use super::loaded::loaded;
use super::notices::ErrorNotice;
use crate::api::templates::{list_templates, DeleteTemplate, ImportTemplates, SaveTemplate};
use crate::domain::template_form::TemplateInput;
use crate::domain::template_view::{TemplateView, TemplatesView};
use crate::domain::{AppError, Failure, Field, FieldErrors};
use crate::paths;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn field_id(field: Field) -> &'static str {
    match field {
        Field::TemplateKind => "template-kind",
        Field::TemplateEncryption => "template-encryption",
        Field::TemplateKeyName => "template-key-name",
        Field::TemplateStorage => "template-storage",
        Field::TemplatePattern => "template-pattern",
        Field::TemplateAwsName => "template-aws-name",
        _ => "template-name",
    }
}

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let save = ServerAction::<SaveTemplate>::new();
    let remove = ServerAction::<DeleteTemplate>::new();
    let import = ServerAction::<ImportTemplates>::new();
    let list = loaded(
        move || {
            (
                save.version().get(),
                remove.version().get(),
                import.version().get(),
            )
        },
        |_| list_templates(),
    );
    let query = use_query_map();
    let status = move || {
        if let Some(Ok(added)) = save.value().get() {
            return Some(
                if added {
                    "Template added."
                } else {
                    "Template saved."
                }
                .to_owned(),
            );
        }
        if let Some(Ok(())) = remove.value().get() {
            return Some("Template deleted.".into());
        }
        if let Some(Ok(summary)) = import.value().get() {
            return Some(summary.words());
        }
        match query.read().get("done").as_deref() {
            Some("template-saved") => Some("Template saved.".into()),
            Some("template-deleted") => Some("Template deleted.".into()),
            Some(done) if done.starts_with("imported.") => {
                let n: Vec<usize> = done
                    .split('.')
                    .skip(1)
                    .map(|v| v.parse().unwrap_or(0))
                    .collect();
                let n = |i: usize| n.get(i).copied().unwrap_or(0);
                Some(
                    crate::domain::template_view::ImportSummary {
                        added: n(0),
                        replaced: n(1),
                        unchanged: n(2),
                    }
                    .words(),
                )
            }
            _ => None,
        }
    };
    view! {
        <Title text="Templates · composition-admin" />
        <main class="page wide">
            <h1>"Templates"</h1>
            <p class="lede">
                "A template says once what a kind of settings should be. Credentials are named by rule, since their SIDs differ per account, and the bucket by a pattern. A project follows one template per kind (on its Template tab); the fleet shows how far each is from it."
            </p>
            <div role="status" class="status-region">
                {move || status().map(|text| view! { <p class="notice success">{text}</p> })}
            </div>
            <Transition fallback=|| view! { <p>"Loading templates…"</p> }>
                {move || {
                    list.get()
                        .map(|found| match found {
                            Ok(view) => view! { <TemplatesBody view save remove import /> }.into_any(),
                            Err(error) => {
                                view! { <ErrorNotice error context="The templates could not be read." /> }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </main>
    }
}

#[component]
fn TemplatesBody(
    view: TemplatesView,
    save: ServerAction<SaveTemplate>,
    remove: ServerAction<DeleteTemplate>,
    import: ServerAction<ImportTemplates>,
) -> impl IntoView {
    let query = use_query_map();
    // The template picked for editing: the id chooses among stored ones,
    // so nothing the URL says is put in the form.
    let editing = query.read_untracked().get("edit").and_then(|id| {
        view.templates
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.input.clone())
    });
    let can_edit = view.can_edit;
    let names: Vec<(String, String)> = view
        .templates
        .iter()
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect();
    view! {
        <TemplatesTable list=view.templates can_edit />
        <p>
            <a href=paths::TEMPLATES_EXPORT class="button secondary" download="templates.json">
                "Export templates (JSON)"
            </a>
        </p>
        {can_edit
            .then(move || {
                view! {
                    <SaveTemplateForm action=save editing />
                    <ImportForm action=import />
                    {(!names.is_empty()).then(|| view! { <DeleteForm action=remove names /> })}
                }
            })}
    }
}

#[component]
fn TemplatesTable(list: Vec<TemplateView>, can_edit: bool) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty">"No templates yet."</p> }.into_any();
    }
    let rows = list
        .into_iter()
        .map(|t| {
            let edit = format!("{}?edit={}#save-template-heading", paths::TEMPLATES, t.id);
            let label = format!("Edit {}", t.name);
            view! {
                <tr>
                    <th scope="row">{t.name.clone()}</th>
                    <td>{t.kind.title()}</td>
                    <td>
                        <ul class="plain">
                            {t.says.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                        </ul>
                    </td>
                    <td>{crate::domain::fleet::projects(t.followers as usize)}</td>
                    <td>{format!("by {} at {}", t.updated_by, crate::domain::project::utc_time(t.updated_at))}</td>
                    {can_edit
                        .then(|| view! { <td><a href=edit aria-label=label>"Edit"</a></td> })}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="templates">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"For"</th>
                        <th scope="col">"Says"</th>
                        <th scope="col">"Followed by"</th>
                        <th scope="col">"Last change"</th>
                        {can_edit.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// A labelled select.
#[component]
fn Choice(
    id: &'static str,
    label: &'static str,
    name: &'static str,
    options: &'static [(&'static str, &'static str)],
    selected: String,
    #[prop(optional)] help: &'static str,
) -> impl IntoView {
    let options = options
        .iter()
        .map(|(value, text)| view! { <option value=*value selected=selected == *value>{*text}</option> })
        .collect_view();
    let help_id = format!("{id}-help");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=name aria-describedby=help_id.clone()>{options}</select>
            <p class="help" id=help_id>{help}</p>
        </div>
    }
}

const MATCHES: &[(&str, &str)] = &[
    ("named", "named exactly"),
    ("prefix", "newest whose name starts with"),
];

#[component]
fn SaveTemplateForm(
    action: ServerAction<SaveTemplate>,
    editing: Option<TemplateInput>,
) -> impl IntoView {
    let typed = match action.value().get_untracked() {
        Some(Err(Failure {
            input: Some(input), ..
        })) => input,
        _ => editing.unwrap_or_else(|| TemplateInput {
            kind: "composition".into(),
            encryption: "unmanaged".into(),
            storage: "unmanaged".into(),
            ..TemplateInput::default()
        }),
    };
    let heading = if typed.id.is_empty() {
        "Add a template".to_owned()
    } else {
        format!("Change the template \u{201c}{}\u{201d}", typed.name)
    };
    let client = RwSignal::new(FieldErrors::default());
    let failure = move || action.value().get().and_then(Result::err).map(|f| f.error);
    let on_submit = checked_submit(
        action,
        client,
        |s: &SaveTemplate| s.input.parse().map(|_| ()),
        field_id,
    );
    let error = move |field| error_for(client, failure, field);
    view! {
        <form
            method="post"
            action=SaveTemplate::url()
            on:submit=on_submit
            novalidate
            class="add-form"
            aria-labelledby="save-template-heading"
        >
            <h2 id="save-template-heading">{heading}</h2>
            {move || {
                failure()
                    .filter(|e| !matches!(e, AppError::Invalid(_)))
                    .map(|error| view! { <ErrorNotice error context="Nothing was saved." /> })
            }}
            <input type="hidden" name="input[id]" value=typed.id.clone() />
            <TextField
                id=field_id(Field::TemplateName)
                label="Template name"
                name="input[name]"
                value=typed.name.clone()
                error=error(Field::TemplateName)
                help="Up to 64 characters, unique."
            />
            <Choice
                id="template-kind"
                label="For"
                name="input[kind]"
                options=&[("composition", "Composition settings"), ("recording", "Recording settings")]
                selected=typed.kind.clone()
                help="Fixed once the template is saved."
            />
            <fieldset class="group">
                <legend>"Encryption"</legend>
                <Choice
                    id="template-encryption"
                    label="Encryption"
                    name="input[encryption]"
                    options=&[("unmanaged", "Not managed"), ("off", "Off"), ("on", "On")]
                    selected=typed.encryption.clone()
                />
                <Choice
                    id="template-key-match"
                    label="Public key"
                    name="input[key_match]"
                    options=MATCHES
                    selected=typed.key_match.clone()
                    help="Used when encryption is on: which of each account's public keys to encrypt with."
                />
                <TextField
                    id=field_id(Field::TemplateKeyName)
                    label="Public key name"
                    name="input[key_name]"
                    value=typed.key_name.clone()
                    error=error(Field::TemplateKeyName)
                    help="The key's friendly name in each account, e.g. prod."
                />
            </fieldset>
            <fieldset class="group">
                <legend>"Storage"</legend>
                <Choice
                    id="template-storage"
                    label="Storage"
                    name="input[storage]"
                    options=&[("unmanaged", "Not managed"), ("cloud", "Twilio's cloud"), ("s3", "Your S3 bucket")]
                    selected=typed.storage.clone()
                />
                <TextField
                    id=field_id(Field::TemplatePattern)
                    label="S3 URL pattern"
                    name="input[url_pattern]"
                    value=typed.url_pattern.clone()
                    error=error(Field::TemplatePattern)
                    help="Used when storage is S3. Placeholders: {project_id}, {account_sid}, {project_name_slug}; e.g. https://media-archive.s3.amazonaws.com/{account_sid}/compositions"
                />
                <Choice
                    id="template-aws-match"
                    label="AWS credential"
                    name="input[aws_match]"
                    options=MATCHES
                    selected=typed.aws_match.clone()
                />
                <TextField
                    id=field_id(Field::TemplateAwsName)
                    label="AWS credential name"
                    name="input[aws_name]"
                    value=typed.aws_name.clone()
                    error=error(Field::TemplateAwsName)
                    help="The AWS credential's friendly name in each account."
                />
            </fieldset>
            <button type="submit">"Save template"</button>
        </form>
    }
}

#[component]
fn ImportForm(action: ServerAction<ImportTemplates>) -> impl IntoView {
    let failure = move || action.value().get().and_then(Result::err);
    view! {
        <section class="add-form" aria-labelledby="import-templates-heading">
            <h2 id="import-templates-heading">"Import templates"</h2>
            {move || failure().map(|error| view! { <ErrorNotice error context="Nothing was imported." /> })}
            <ActionForm action>
                <div class="field">
                    <label for="templates-file">"Templates file (JSON, as exported)"</label>
                    <textarea id="templates-file" name="file" rows="6" spellcheck="false" aria-describedby="templates-file-help"></textarea>
                    <p class="help" id="templates-file-help">
                        "Paste the file. Templates are matched by name: new ones are added, others replaced. A file with any problem imports nothing. At most 20 KiB and 100 templates."
                    </p>
                </div>
                <button type="submit">"Import"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn DeleteForm(action: ServerAction<DeleteTemplate>, names: Vec<(String, String)>) -> impl IntoView {
    let failure = move || action.value().get().and_then(Result::err);
    let options = names
        .into_iter()
        .map(|(id, name)| view! { <option value=id>{name}</option> })
        .collect_view();
    view! {
        <section class="danger-zone" aria-labelledby="delete-template-heading">
            <h2 id="delete-template-heading">"Delete a template"</h2>
            {move || failure().map(|error| view! { <ErrorNotice error context="Nothing was deleted." /> })}
            <ActionForm action>
                <div class="field">
                    <label for="delete-template-id">"Template to delete"</label>
                    <select id="delete-template-id" name="id">{options}</select>
                </div>
                <div class="field check">
                    <input id="delete-template-confirm" type="checkbox" name="confirm" value="true" />
                    <label for="delete-template-confirm">
                        "I understand: the projects following it will follow no template"
                    </label>
                </div>
                <button type="submit" class="danger">"Delete template"</button>
            </ActionForm>
        </section>
    }
}
