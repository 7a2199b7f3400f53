//! The settings form. Checked in the browser before sending; the server
//! checks again with the same rules, which is all a no-JavaScript user gets.

use super::fields::{checked_submit_with, error_for, hydrated, CheckField, TextField};
use super::notices::ErrorNotice;
use super::pickers::{CredentialLists, CredentialPicker};
use super::project_scope::{can_change, ProjectField};
use super::settings_args::read_form;
use super::settings_notices::{ConfirmNotice, ConflictNotice, DiffTable, OriginalFields};
use crate::api::settings::SaveSettings;
use crate::domain::{
    s3_url, AppError, CredentialKind, Difference, Field, FieldErrors, MediaSettings, SaveFailure,
    SettingsInput, SettingsKind,
};
use leptos::ev::{Event, SubmitEvent};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::HtmlFormElement;

fn field_id(field: Field) -> &'static str {
    match field {
        Field::FriendlyName => "friendly-name",
        Field::EncryptionKeySid => "encryption-key-sid",
        Field::AwsCredentialsSid => "aws-credentials-sid",
        Field::AwsS3Url => "aws-s3-url",
        // Not on this form.
        _ => "friendly-name",
    }
}

/// The form being submitted, read as [`read_form`] does.
fn read_submitted(ev: &SubmitEvent) -> Result<SaveSettings, String> {
    ev.target()
        .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
        .as_ref()
        .and_then(read_form)
        .ok_or_else(|| "the settings form's fields could not be read".to_owned())
}

#[component]
pub fn SettingsForm(
    kind: SettingsKind,
    save: ServerAction<SaveSettings>,
    loaded: MediaSettings,
    lists: CredentialLists,
) -> impl IntoView {
    // After a failed save show what the user typed, not what Twilio holds.
    let initial = match save.value().get_untracked() {
        Some(Err(SaveFailure {
            input: Some(input), ..
        })) => input,
        _ => SettingsInput::from(&loaded),
    };
    let original = SettingsInput::from(&loaded);
    let client_errors = RwSignal::new(FieldErrors::default());
    let failure = move || save.value().get().and_then(Result::err).map(|f| f.error);

    // "What will change", kept up to date as the form is edited.
    let changes = RwSignal::new(initial.differences(&original));
    let on_edit = {
        let original = original.clone();
        move |ev: Event| {
            let form = ev
                .current_target()
                .and_then(|t| t.dyn_into::<HtmlFormElement>().ok());
            if let Some(args) = form.as_ref().and_then(read_form) {
                let input = args.input.with_pasted(args.pasted.as_ref());
                changes.set(input.differences(&original));
            }
        }
    };
    let on_submit = checked_submit_with(
        save,
        client_errors,
        read_submitted,
        |args: &SaveSettings| {
            let input = args.input.clone().with_pasted(args.pasted.as_ref());
            input.validate().map(drop)
        },
        field_id,
    );
    let pending = save.pending();
    let before = original.clone();
    let account_sid = loaded
        .account_sid
        .map(|s| s.to_string())
        .unwrap_or_default();
    let resource_url = loaded.url.unwrap_or_default();
    let js = hydrated();
    // A viewer sees the values, not controls that change them.
    let read_only = !can_change();

    view! {
        <form
            method="post"
            action=SaveSettings::url()
            on:submit=on_submit
            on:input=on_edit.clone()
            on:change=on_edit
            novalidate
            aria-busy=move || pending.get().to_string()
            class="settings-form"
        >
            <ProjectField />
            <input type="hidden" name="kind" value=kind.form_value() />
            // After a conflict, Twilio's version as the conflict reported it:
            // saving again then wins even before the page has re-read it.
            {move || {
                let original = match save.value().get() {
                    Some(Err(SaveFailure { error: AppError::Conflict { current }, .. })) => {
                        SettingsInput::from(&*current)
                    }
                    _ => original.clone(),
                };
                view! { <OriginalFields original /> }
            }}
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
            <fieldset disabled=read_only>
                <legend>"Resource"</legend>
                <label for="account-sid">"Account SID"</label>
                <input id="account-sid" type="text" readonly value=account_sid />
                <label for="resource-url">"Resource URL"</label>
                <input id="resource-url" type="text" readonly value=resource_url />
                <TextField
                    id=field_id(Field::FriendlyName)
                    label=Field::FriendlyName.label()
                    name="input[friendly_name]"
                    value=initial.friendly_name
                    error=error_for(client_errors, failure, Field::FriendlyName)
                    help="Required. A name for these settings, shown in Twilio's console."
                />
            </fieldset>
            <fieldset disabled=read_only>
                <legend>"Encryption"</legend>
                <CheckField
                    id="encryption-enabled"
                    name="input[encryption_enabled]"
                    label="Encryption enabled"
                    checked=initial.encryption_enabled
                />
                <CredentialPicker
                    kind=CredentialKind::PublicKey
                    id=field_id(Field::EncryptionKeySid)
                    label=Field::EncryptionKeySid.label()
                    name="input[encryption_key_sid]"
                    paste_name="pasted[encryption_key_sid]"
                    value=initial.encryption_key_sid
                    list=lists.public_keys.clone()
                    error=error_for(client_errors, failure, Field::EncryptionKeySid)
                    help="The public key Twilio encrypts media with; only the holder of its private key can decrypt them. Choosing none does not clear it at Twilio, which keeps a key it is not sent: switch encryption off instead."
                />
            </fieldset>
            <fieldset disabled=read_only>
                <legend>"External storage"</legend>
                <CheckField
                    id="aws-storage-enabled"
                    name="input[aws_storage_enabled]"
                    label="External storage enabled"
                    checked=initial.aws_storage_enabled
                />
                <CredentialPicker
                    kind=CredentialKind::Aws
                    id=field_id(Field::AwsCredentialsSid)
                    label=Field::AwsCredentialsSid.label()
                    name="input[aws_credentials_sid]"
                    paste_name="pasted[aws_credentials_sid]"
                    value=initial.aws_credentials_sid
                    list=lists.aws.clone()
                    error=error_for(client_errors, failure, Field::AwsCredentialsSid)
                    help="The AWS key pair Twilio writes to the bucket with. Choosing none does not clear it at Twilio, which keeps a credential it is not sent: switch external storage off instead."
                />
                <TextField
                    id=field_id(Field::AwsS3Url)
                    label=Field::AwsS3Url.label()
                    name="input[aws_s3_url]"
                    value=initial.aws_s3_url
                    error=error_for(client_errors, failure, Field::AwsS3Url)
                    help=format!("Virtual-hosted style, for example {}. Emptying it does not clear it at Twilio, which keeps a URL it is not sent.", s3_url::EXAMPLE)
                />
            </fieldset>
            <Show when=move || js.get()>
                <ChangeSummary changes />
            </Show>
            {can_change()
                .then(|| {
                    view! {
                        <button type="submit" disabled=move || pending.get()>
                            {move || if pending.get() { "Saving…" } else { "Save settings" }}
                        </button>
                    }
                })}
        </form>
    }
}

/// The live "what will change" section. Only shown with JavaScript, which
/// keeps it current; without it the server shows the same table on a review
/// step before saving.
#[component]
fn ChangeSummary(changes: RwSignal<Vec<Difference>>) -> impl IntoView {
    view! {
        <section class="summary" aria-labelledby="summary-heading">
            <h2 id="summary-heading">"What will change"</h2>
            {move || {
                let list = changes.get();
                if list.is_empty() {
                    view! { <p>"Nothing yet: the form matches what Twilio holds."</p> }.into_any()
                } else {
                    view! { <DiffTable changes=list mine_heading="After saving" theirs_heading="Now" /> }
                        .into_any()
                }
            }}
        </section>
    }
}
