//! The settings form. Checked in the browser before sending; the server
//! checks again with the same rules, which is all a no-JavaScript user gets.

use super::notices::ErrorNotice;
use super::settings_page::page_href;
use crate::api::settings::SaveSettings;
use crate::domain::{
    s3_url, AppError, Difference, Field, FieldErrors, MediaSettings, SaveFailure, SettingsInput,
    SettingsKind,
};
use leptos::ev::SubmitEvent;
use leptos::form::FromFormData;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

fn field_id(field: Field) -> &'static str {
    match field {
        Field::FriendlyName => "friendly-name",
        Field::EncryptionKeySid => "encryption-key-sid",
        Field::AwsCredentialsSid => "aws-credentials-sid",
        Field::AwsS3Url => "aws-s3-url",
    }
}

/// Moves keyboard focus to the first field with a problem.
fn focus_first(errors: &FieldErrors) {
    use leptos::wasm_bindgen::JsCast;
    let Some(first) = errors.iter().next() else {
        return;
    };
    if let Some(el) = document()
        .get_element_by_id(field_id(first.field))
        .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

#[component]
pub fn SettingsForm(
    kind: SettingsKind,
    save: ServerAction<SaveSettings>,
    loaded: MediaSettings,
) -> impl IntoView {
    // After a failed save show what the user typed, not what Twilio holds.
    let initial = match save.value().get_untracked() {
        Some(Err(SaveFailure {
            input: Some(input), ..
        })) => input,
        _ => SettingsInput::from(&loaded),
    };
    let client_errors = RwSignal::new(FieldErrors::default());
    let failure = move || save.value().get().and_then(Result::err).map(|f| f.error);
    let error_for = move |field: Field| {
        client_errors
            .with(|e| e.message_for(field).map(str::to_owned))
            .or_else(|| match failure() {
                Some(AppError::Invalid(e)) => e.message_for(field).map(str::to_owned),
                Some(error @ AppError::Twilio { .. }) if error.field() == Some(field) => {
                    let AppError::Twilio { message, .. } = error else {
                        return None;
                    };
                    Some(format!("was refused by Twilio: {message}"))
                }
                _ => None,
            })
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match SaveSettings::from_event(&ev) {
            Ok(args) => match args.input.validate() {
                Ok(_) => {
                    client_errors.set(FieldErrors::default());
                    save.dispatch(args);
                }
                Err(errors) => {
                    focus_first(&errors);
                    client_errors.set(errors);
                }
            },
            Err(e) => leptos::logging::error!("could not read the settings form: {e}"),
        }
    };
    let pending = save.pending();
    let original = SettingsInput::from(&loaded);
    let before = original.clone();
    let account_sid = loaded
        .account_sid
        .map(|s| s.to_string())
        .unwrap_or_default();
    let resource_url = loaded.url.unwrap_or_default();

    view! {
        <form
            method="post"
            action=SaveSettings::url()
            on:submit=on_submit
            novalidate
            aria-busy=move || pending.get().to_string()
            class="settings-form"
        >
            <input type="hidden" name="kind" value=format!("{kind:?}") />
            <OriginalFields original />
            {move || {
                save.value()
                    .get()
                    .and_then(Result::err)
                    .map(|failure| match failure {
                        SaveFailure { error: AppError::Conflict { current }, input: Some(mine) } => {
                            view! { <ConflictNotice kind mine current=*current /> }.into_any()
                        }
                        SaveFailure { error: AppError::NeedsConfirmation(risks), input: Some(mine) } => {
                            let changes = mine.differences(&before);
                            view! { <ConfirmNotice risks changes /> }.into_any()
                        }
                        SaveFailure { error, .. } => {
                            view! { <ErrorNotice error context="The settings were not saved." /> }.into_any()
                        }
                    })
            }}
            <fieldset>
                <legend>"Resource"</legend>
                <label for="account-sid">"Account SID"</label>
                <input id="account-sid" type="text" readonly value=account_sid />
                <label for="resource-url">"Resource URL"</label>
                <input id="resource-url" type="text" readonly value=resource_url />
                <TextField
                    field=Field::FriendlyName
                    name="input[friendly_name]"
                    value=initial.friendly_name
                    error=Signal::derive(move || error_for(Field::FriendlyName))
                    help="Required. A name for these settings, shown in Twilio's console."
                />
            </fieldset>
            <fieldset>
                <legend>"Encryption"</legend>
                <CheckField
                    id="encryption-enabled"
                    name="input[encryption_enabled]"
                    label="Encryption enabled"
                    checked=initial.encryption_enabled
                />
                <TextField
                    field=Field::EncryptionKeySid
                    name="input[encryption_key_sid]"
                    value=initial.encryption_key_sid
                    error=Signal::derive(move || error_for(Field::EncryptionKeySid))
                    help="The Public Key credential (CR followed by 32 hex digits) Twilio encrypts media with."
                />
            </fieldset>
            <fieldset>
                <legend>"External storage"</legend>
                <CheckField
                    id="aws-storage-enabled"
                    name="input[aws_storage_enabled]"
                    label="External storage enabled"
                    checked=initial.aws_storage_enabled
                />
                <TextField
                    field=Field::AwsCredentialsSid
                    name="input[aws_credentials_sid]"
                    value=initial.aws_credentials_sid
                    error=Signal::derive(move || error_for(Field::AwsCredentialsSid))
                    help="The AWS credential (CR followed by 32 hex digits) Twilio writes to the bucket with."
                />
                <TextField
                    field=Field::AwsS3Url
                    name="input[aws_s3_url]"
                    value=initial.aws_s3_url
                    error=Signal::derive(move || error_for(Field::AwsS3Url))
                    help=format!("Virtual-hosted style, for example {}", s3_url::EXAMPLE)
                />
            </fieldset>
            <button type="submit" disabled=move || pending.get()>
                {move || if pending.get() { "Saving…" } else { "Save settings" }}
            </button>
        </form>
    }
}

/// A labelled text input with help text and an error announced with it.
#[component]
fn TextField(
    field: Field,
    name: &'static str,
    value: String,
    error: Signal<Option<String>>,
    #[prop(into)] help: String,
) -> impl IntoView {
    let id = field_id(field);
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let described_by = {
        let (help_id, error_id) = (help_id.clone(), error_id.clone());
        move || {
            if error.get().is_some() {
                format!("{error_id} {help_id}")
            } else {
                help_id.clone()
            }
        }
    };
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id>{field.label()}</label>
            <input
                id=id
                type="text"
                name=name
                value=value
                spellcheck="false"
                autocomplete="off"
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=described_by
            />
            <p class="help" id=help_id>
                {help}
            </p>
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field-error" id=error_id.clone()>
                                {format!("{} {message}", field.label())}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

#[component]
fn CheckField(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    checked: bool,
) -> impl IntoView {
    view! {
        <div class="field check">
            <input id=id type="checkbox" name=name value="true" checked=checked />
            <label for=id>{label}</label>
        </div>
    }
}

/// What the form was loaded with, sent back so the server can tell whether
/// someone else changed the settings in the meantime.
#[component]
fn OriginalFields(original: SettingsInput) -> impl IntoView {
    view! {
        <input type="hidden" name="original[friendly_name]" value=original.friendly_name />
        <input type="hidden" name="original[encryption_enabled]" value=original.encryption_enabled.to_string() />
        <input type="hidden" name="original[encryption_key_sid]" value=original.encryption_key_sid />
        <input type="hidden" name="original[aws_storage_enabled]" value=original.aws_storage_enabled.to_string() />
        <input type="hidden" name="original[aws_credentials_sid]" value=original.aws_credentials_sid />
        <input type="hidden" name="original[aws_s3_url]" value=original.aws_s3_url />
    }
}

/// Both versions side by side, and the two ways on.
#[component]
fn ConflictNotice(
    kind: SettingsKind,
    mine: SettingsInput,
    current: MediaSettings,
) -> impl IntoView {
    let changes = mine.differences(&SettingsInput::from(&current));
    view! {
        <div class="notice error conflict" role="alert">
            <p class="notice-title">"Someone else changed these settings since you opened them. Nothing was saved."</p>
            <DiffTable changes mine_heading="Your version (still in the form)" theirs_heading="Twilio now" />
            <p>
                "Save again to replace Twilio's version with yours, or "
                <a href=page_href(kind)>"load Twilio's version"</a>
                " to discard your changes."
            </p>
        </div>
    }
}

/// The consequences of switching on storage or encryption, what the save
/// will change, and the box that consents to it.
#[component]
fn ConfirmNotice(risks: Vec<String>, changes: Vec<Difference>) -> impl IntoView {
    let risks = risks
        .into_iter()
        .map(|r| view! { <li>{r}</li> })
        .collect_view();
    view! {
        <div class="notice warning" role="alert">
            <p class="notice-title">"Please confirm this change; nothing has been saved yet."</p>
            <ul>{risks}</ul>
            <DiffTable changes mine_heading="After saving" theirs_heading="Now" />
            <div class="field check">
                <input id="confirm" type="checkbox" name="confirm" value="true" autofocus />
                <label for="confirm">"I understand; save these settings"</label>
            </div>
            <p>"Then press Save settings again."</p>
        </div>
    }
}

/// Field by field, two versions of the settings.
#[component]
fn DiffTable(
    changes: Vec<Difference>,
    mine_heading: &'static str,
    theirs_heading: &'static str,
) -> impl IntoView {
    let rows = changes
        .into_iter()
        .map(|d| {
            view! {
                <tr>
                    <th scope="row">{d.label}</th>
                    <td>{shown(d.mine)}</td>
                    <td>{shown(d.theirs)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table>
            <thead>
                <tr>
                    <th scope="col">"Field"</th>
                    <th scope="col">{mine_heading}</th>
                    <th scope="col">{theirs_heading}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// An empty value, said in words so a blank cell is not mistaken for a gap.
fn shown(value: String) -> String {
    if value.is_empty() {
        "(empty)".to_owned()
    } else {
        value
    }
}
