//! The settings form. Checked in the browser before sending; the server
//! checks again with the same rules, which is all a no-JavaScript user gets.

use super::fields::{checked_submit_with, error_for, hydrated, CheckField, TextField};
use super::notices::ErrorNotice;
use super::pickers::{CredentialLists, CredentialPicker};
use super::project_scope::{can_change, ProjectField};
use super::settings_notices::{ConfirmNotice, ConflictNotice, DiffTable, OriginalFields};
use crate::api::settings::SaveSettings;
use crate::domain::{
    s3_url, AppError, CredentialKind, Difference, Field, FieldErrors, MediaSettings, PastedSids,
    SaveFailure, SettingsInput, SettingsKind,
};
use leptos::ev::{Event, SubmitEvent};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{FormData, HtmlFormElement};

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

/// The arguments the form posts, from its fields as the server reads them
/// (serde_qs, into `SaveSettings`): text as typed, missing text empty, a
/// missing box unticked, and a flag other than "true" or "false" makes the
/// form unreadable, as it does on the server. Read by hand because
/// serde_qs's decoder would add about 23 KB (uncompressed) to the main
/// bundle, which every first visit downloads.
fn settings_args(field: impl Fn(&str) -> Option<String>) -> Option<SaveSettings> {
    let flag = |name: &str| match field(name).as_deref() {
        None => Some(None),
        Some("true") => Some(Some(true)),
        Some("false") => Some(Some(false)),
        Some(_) => None,
    };
    let text = |name: &str| field(name).unwrap_or_default();
    let input = |form: &str| {
        Some(SettingsInput {
            friendly_name: text(&format!("{form}[friendly_name]")),
            encryption_enabled: flag(&format!("{form}[encryption_enabled]"))?.unwrap_or(false),
            encryption_key_sid: text(&format!("{form}[encryption_key_sid]")),
            aws_storage_enabled: flag(&format!("{form}[aws_storage_enabled]"))?.unwrap_or(false),
            aws_credentials_sid: text(&format!("{form}[aws_credentials_sid]")),
            aws_s3_url: text(&format!("{form}[aws_s3_url]")),
        })
    };
    let pasted_key = field("pasted[encryption_key_sid]");
    let pasted_aws = field("pasted[aws_credentials_sid]");
    let kind = field("kind")?;
    Some(SaveSettings {
        project: field("project")?.parse().ok()?,
        kind: [SettingsKind::Composition, SettingsKind::Recording]
            .into_iter()
            .find(|k| k.form_value() == kind)?,
        input: input("input")?,
        original: input("original")?,
        confirm: flag("confirm")?,
        pasted: (pasted_key.is_some() || pasted_aws.is_some()).then(|| PastedSids {
            encryption_key_sid: pasted_key.unwrap_or_default(),
            aws_credentials_sid: pasted_aws.unwrap_or_default(),
        }),
    })
}

/// The form's current values, as posted.
fn read_form(form: &HtmlFormElement) -> Option<SaveSettings> {
    let data = FormData::new_with_form(form).ok()?;
    settings_args(|name| data.get(name).as_string())
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The fields a browser posts for the form, as `(name, value)` pairs.
    fn posted(pairs: &[(&str, &str)]) -> Option<SaveSettings> {
        let fields: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        settings_args(|name| fields.get(name).cloned())
    }

    const FORM: [(&str, &str); 15] = [
        ("project", "demo-acme"),
        ("kind", "Recording"),
        ("original[friendly_name]", "Old"),
        ("original[encryption_enabled]", "false"),
        ("original[encryption_key_sid]", ""),
        ("original[aws_storage_enabled]", "true"),
        (
            "original[aws_credentials_sid]",
            "CR00000000000000000000000000000001",
        ),
        ("original[aws_s3_url]", "https://b.s3.amazonaws.com/r"),
        ("input[friendly_name]", " New name "),
        ("input[encryption_enabled]", "true"),
        (
            "input[encryption_key_sid]",
            "CR00000000000000000000000000000002",
        ),
        ("input[aws_credentials_sid]", ""),
        ("input[aws_s3_url]", ""),
        ("pasted[encryption_key_sid]", ""),
        (
            "pasted[aws_credentials_sid]",
            "CR00000000000000000000000000000003",
        ),
    ];

    #[test]
    fn the_form_reads_as_the_server_reads_it() {
        let args = posted(&FORM).expect("the form reads");
        assert_eq!(args.project.to_string(), "demo-acme");
        assert_eq!(args.kind, SettingsKind::Recording);
        // Typed text is kept as typed; an unticked box is not posted.
        assert_eq!(args.input.friendly_name, " New name ");
        assert!(args.input.encryption_enabled);
        assert!(!args.input.aws_storage_enabled);
        assert_eq!(
            args.input.encryption_key_sid,
            "CR00000000000000000000000000000002"
        );
        assert!(!args.original.encryption_enabled);
        assert!(args.original.aws_storage_enabled);
        assert_eq!(args.original.aws_s3_url, "https://b.s3.amazonaws.com/r");
        assert_eq!(args.confirm, None);
        let pasted = args.pasted.expect("pasted fields are posted");
        assert_eq!(pasted.encryption_key_sid, "");
        assert_eq!(
            pasted.aws_credentials_sid,
            "CR00000000000000000000000000000003"
        );
    }

    #[test]
    fn consent_and_missing_fields() {
        let mut form = FORM.to_vec();
        form.push(("confirm", "true"));
        assert_eq!(posted(&form).unwrap().confirm, Some(true));
        // Without the paste boxes there is nothing pasted.
        let bare: Vec<_> = FORM
            .iter()
            .copied()
            .filter(|(k, _)| !k.starts_with("pasted"))
            .collect();
        assert_eq!(posted(&bare).unwrap().pasted, None);
    }

    #[test]
    fn what_the_server_would_refuse_is_unreadable() {
        for (name, bad) in [
            ("kind", "Video"),
            ("project", "no spaces allowed"),
            ("input[encryption_enabled]", "on"),
            ("confirm", "yes"),
        ] {
            let form: Vec<_> = FORM
                .iter()
                .copied()
                .filter(|(k, _)| *k != name)
                .chain([(name, bad)])
                .collect();
            assert!(posted(&form).is_none(), "{name}={bad} was read");
        }
        let without_project: Vec<_> = FORM
            .iter()
            .copied()
            .filter(|(k, _)| *k != "project")
            .collect();
        assert!(posted(&without_project).is_none());
    }
}
