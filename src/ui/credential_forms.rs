//! Adding a public key or an AWS credential. Checked in the browser with
//! the same rules the server applies again.

use super::fields::{checked_submit, error_for, hydrated, TextField};
use super::notices::ErrorNotice;
use super::project_scope::ProjectField;
use crate::api::credentials::{CreateAwsCredential, CreatePublicKey};
use crate::domain::{AppError, AwsCredentialInput, Failure, Field, FieldErrors, PublicKeyInput};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// A failure that is not about one field gets a notice above the form.
fn general(error: &AppError) -> bool {
    match error {
        AppError::Invalid(_) => false,
        twilio @ AppError::Twilio { .. } => twilio.field().is_none(),
        _ => true,
    }
}

/// Empties the form once what it sent was created. (Re-rendering alone
/// would keep the typed text: the DOM nodes are reused.)
fn clear_after_success(created: impl Fn() -> bool + 'static) -> NodeRef<leptos::html::Form> {
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let (true, Some(form)) = (created(), form.get_untracked()) {
            form.reset();
        }
    });
    form
}

#[component]
pub fn AddPublicKeyForm(action: ServerAction<CreatePublicKey>) -> impl IntoView {
    let typed = match action.value().get_untracked() {
        Some(Err(Failure {
            input: Some(input), ..
        })) => input,
        _ => PublicKeyInput::default(),
    };
    let client = RwSignal::new(FieldErrors::default());
    let failure = move || action.value().get().and_then(Result::err).map(|f| f.error);
    let ids = |field: Field| match field {
        Field::PublicKey => "public-key-pem",
        _ => "public-key-name",
    };
    let on_submit = checked_submit(
        action,
        client,
        |args: &CreatePublicKey| args.input.validate().map(drop),
        ids,
    );
    let pending = action.pending();
    let js = hydrated();
    let form = clear_after_success(move || matches!(action.value().get(), Some(Ok(_))));
    view! {
        <form
            node_ref=form
            method="post"
            action=CreatePublicKey::url()
            on:submit=on_submit
            novalidate
            class="add-form"
            aria-labelledby="add-public-key-heading"
        >
            <h3 id="add-public-key-heading">"Add a public key"</h3>
            <ProjectField />
            {move || {
                failure()
                    .filter(general)
                    .map(|error| view! { <ErrorNotice error context="The public key was not added." /> })
            }}
            <TextField
                id=ids(Field::FriendlyName)
                label="Key name"
                name="input[friendly_name]"
                value=typed.friendly_name
                error=error_for(client, failure, Field::FriendlyName)
                help="Shown in the pickers, for example prod-2026. At most 64 characters."
            />
            <TextField
                id=ids(Field::PublicKey)
                label="Public key (PEM)"
                name="input[public_key]"
                value=typed.public_key
                error=error_for(client, failure, Field::PublicKey)
                help="An RSA 2048-bit public key with exponent 65537, from -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY-----. Make one with: openssl genrsa -out private.pem 2048; openssl rsa -in private.pem -pubout -out public.pem"
                multiline=true
            />
            <Show when=move || js.get()>
                <PemFilePicker target="public-key-pem" />
            </Show>
            <button type="submit" disabled=move || pending.get()>
                {move || if pending.get() { "Adding…" } else { "Add public key" }}
            </button>
        </form>
    }
}

/// Loads a `.pem` file into the text area. Needs JavaScript, so it is only
/// offered once the page runs; pasting works everywhere.
#[component]
fn PemFilePicker(target: &'static str) -> impl IntoView {
    let on_change = move |ev: leptos::ev::Event| {
        use leptos::wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await else {
                return;
            };
            if let Some(area) = document()
                .get_element_by_id(target)
                .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlTextAreaElement>().ok())
            {
                area.set_value(&text.as_string().unwrap_or_default());
                let _ = area.focus();
            }
        });
    };
    view! {
        <div class="field">
            <label for="public-key-file">"Or load a PEM file"</label>
            <input id="public-key-file" type="file" accept=".pem,.pub,.txt" on:change=on_change />
        </div>
    }
}

#[component]
pub fn AddAwsCredentialForm(action: ServerAction<CreateAwsCredential>) -> impl IntoView {
    let typed = match action.value().get_untracked() {
        Some(Err(Failure {
            input: Some(input), ..
        })) => input,
        _ => AwsCredentialInput::default(),
    };
    let retyping = !typed.access_key_id.is_empty();
    let client = RwSignal::new(FieldErrors::default());
    let failure = move || action.value().get().and_then(Result::err).map(|f| f.error);
    let ids = |field: Field| match field {
        Field::AccessKeyId => "aws-access-key-id",
        Field::SecretAccessKey => "aws-secret-access-key",
        _ => "aws-name",
    };
    let on_submit = checked_submit(
        action,
        client,
        |args: &CreateAwsCredential| args.input.validate().map(drop),
        ids,
    );
    let pending = action.pending();
    let secret_help = if retyping {
        "Enter the secret again: it is sent to Twilio only and never kept or shown, not even after a failed attempt."
    } else {
        "Sent to Twilio only; it is never kept or shown again."
    };
    let form = clear_after_success(move || matches!(action.value().get(), Some(Ok(_))));
    view! {
        <form
            node_ref=form
            method="post"
            action=CreateAwsCredential::url()
            on:submit=on_submit
            novalidate
            class="add-form"
            aria-labelledby="add-aws-heading"
        >
            <h3 id="add-aws-heading">"Add an AWS credential"</h3>
            <ProjectField />
            {move || {
                failure()
                    .filter(general)
                    .map(|error| view! { <ErrorNotice error context="The AWS credential was not added." /> })
            }}
            <TextField
                id=ids(Field::FriendlyName)
                label="Credential name"
                name="input[friendly_name]"
                value=typed.friendly_name
                error=error_for(client, failure, Field::FriendlyName)
                help="Shown in the pickers, for example media-bucket-writer. At most 64 characters."
            />
            <TextField
                id=ids(Field::AccessKeyId)
                label="Access key ID"
                name="input[access_key_id]"
                value=typed.access_key_id
                error=error_for(client, failure, Field::AccessKeyId)
                help="20 characters, A-Z and 0-9, for example AKIAIOSFODNN7EXAMPLE."
            />
            <TextField
                id=ids(Field::SecretAccessKey)
                label="Secret access key"
                name="input[secret_access_key]"
                value=""
                error=error_for(client, failure, Field::SecretAccessKey)
                help=secret_help
                password=true
            />
            <button type="submit" disabled=move || pending.get()>
                {move || if pending.get() { "Adding…" } else { "Add AWS credential" }}
            </button>
        </form>
    }
}
