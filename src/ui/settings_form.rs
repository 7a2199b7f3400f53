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

/// Top-level fields of `SaveSettings` that take one value, and those that
/// take named parts (`input[friendly_name]`).
const FLAT_FIELDS: [&str; 3] = ["project", "kind", "confirm"];
const GROUPS: [&str; 3] = ["input", "original", "pasted"];

/// The arguments a post of the form's fields carries, as the server reads
/// them (server_fn decodes `SaveSettings` with serde_qs 0.15): text as
/// typed, a missing box unticked, an empty or missing `confirm` none.
/// `None` where the server could refuse the post: a repeated key, a flag
/// other than "true" or "false", a group missing or given a single value.
/// The caller then lets the browser post the form itself, so the server
/// decides (`settings_args_match_the_servers_reading` holds the two
/// together). Read by hand because serde_qs's decoder, in the main bundle,
/// cost every first visit 17 KB of brotli-compressed wasm.
fn settings_args(pairs: &[(String, String)]) -> Option<SaveSettings> {
    for (at, (key, _)) in pairs.iter().enumerate() {
        // A form has a score of fields: no set needed to spot a repeat.
        if pairs[..at].iter().any(|(earlier, _)| earlier == key) {
            return None;
        }
        match key.split_once('[') {
            None if GROUPS.contains(&key.as_str()) => return None,
            Some((head, _)) if FLAT_FIELDS.contains(&head) => return None,
            Some((head, part)) if GROUPS.contains(&head) => {
                let name = part.strip_suffix(']')?;
                if name.is_empty() || name.contains(['[', ']']) {
                    return None;
                }
            }
            _ => {}
        }
    }
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let has_group = |group: &str| {
        pairs.iter().any(|(key, _)| {
            key.strip_prefix(group)
                .is_some_and(|rest| rest.starts_with('['))
        })
    };
    let flag = |name: &str| match field(name) {
        None => Some(false),
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => None,
    };
    let text = |name: &str| field(name).unwrap_or_default().to_owned();
    let input = |group: &str| {
        has_group(group).then_some(())?;
        Some(SettingsInput {
            friendly_name: text(&format!("{group}[friendly_name]")),
            encryption_enabled: flag(&format!("{group}[encryption_enabled]"))?,
            encryption_key_sid: text(&format!("{group}[encryption_key_sid]")),
            aws_storage_enabled: flag(&format!("{group}[aws_storage_enabled]"))?,
            aws_credentials_sid: text(&format!("{group}[aws_credentials_sid]")),
            aws_s3_url: text(&format!("{group}[aws_s3_url]")),
        })
    };
    let kind = field("kind")?;
    Some(SaveSettings {
        project: field("project")?.parse().ok()?,
        kind: [SettingsKind::Composition, SettingsKind::Recording]
            .into_iter()
            .find(|k| k.form_value() == kind)?,
        input: input("input")?,
        original: input("original")?,
        confirm: match field("confirm") {
            None | Some("") => None,
            Some(_) => Some(flag("confirm")?),
        },
        pasted: has_group("pasted").then(|| PastedSids {
            encryption_key_sid: text("pasted[encryption_key_sid]"),
            aws_credentials_sid: text("pasted[aws_credentials_sid]"),
        }),
    })
}

/// The form's current values, as a post of it would carry them. (The one
/// submit button has no name, so the submitter adds nothing.)
fn read_form(form: &HtmlFormElement) -> Option<SaveSettings> {
    let data = FormData::new_with_form(form).ok()?;
    let mut pairs = Vec::new();
    for entry in data.entries() {
        let entry = leptos::web_sys::js_sys::Array::from(&entry.ok()?);
        // A file would make `as_string` fail: this form has none.
        pairs.push((entry.get(0).as_string()?, entry.get(1).as_string()?));
    }
    settings_args(&pairs)
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

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// What the server makes of the same post: server_fn decodes a form
    /// post's body into `SaveSettings` with serde_qs 0.15 in this mode.
    fn servers_reading(list: &[(&str, &str)]) -> Result<SaveSettings, String> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(list)
            .finish();
        serde_qs::Config::new(5, false)
            .deserialize_str::<SaveSettings>(&body)
            .map_err(|e| e.to_string())
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
        ("input[friendly_name]", " New name + more & 100% "),
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

    /// The form with `changes`: a value replaced (or added), or with `None`
    /// the key left out.
    fn form_with(
        changes: &[(&'static str, Option<&'static str>)],
    ) -> Vec<(&'static str, &'static str)> {
        let mut form: Vec<_> = FORM
            .iter()
            .copied()
            .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
            .collect();
        form.extend(changes.iter().filter_map(|(k, v)| v.map(|v| (*k, v))));
        form
    }

    #[test]
    fn the_form_reads_as_the_server_reads_it() {
        let args = settings_args(&pairs(&FORM)).expect("the form reads");
        assert_eq!(args.project.to_string(), "demo-acme");
        assert_eq!(args.kind, SettingsKind::Recording);
        // Typed text is kept as typed; an unticked box is not posted.
        assert_eq!(args.input.friendly_name, " New name + more & 100% ");
        assert!(args.input.encryption_enabled);
        assert!(!args.input.aws_storage_enabled);
        assert!(!args.original.encryption_enabled);
        assert!(args.original.aws_storage_enabled);
        assert_eq!(args.confirm, None);
        let pasted = args.pasted.expect("pasted fields are posted");
        assert_eq!(pasted.encryption_key_sid, "");
        assert_eq!(
            pasted.aws_credentials_sid,
            "CR00000000000000000000000000000003"
        );
    }

    #[test]
    fn settings_args_match_the_servers_reading() {
        let mut repeated = FORM.to_vec();
        repeated.push(("input[friendly_name]", "Another"));
        let mut repeated_unknown = FORM.to_vec();
        repeated_unknown.extend([("other", "1"), ("other", "2")]);
        let only_pasted: Vec<_> = FORM
            .iter()
            .copied()
            .filter(|(k, _)| !k.starts_with("input"))
            .collect();
        let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("the whole form", FORM.to_vec()),
            ("consent given", form_with(&[("confirm", Some("true"))])),
            ("consent refused", form_with(&[("confirm", Some("false"))])),
            ("consent empty", form_with(&[("confirm", Some(""))])),
            ("consent garbled", form_with(&[("confirm", Some("yes"))])),
            (
                "no paste boxes",
                form_with(&[
                    ("pasted[encryption_key_sid]", None),
                    ("pasted[aws_credentials_sid]", None),
                ]),
            ),
            (
                "one paste box",
                form_with(&[("pasted[encryption_key_sid]", None)]),
            ),
            (
                "a box ticked oddly",
                form_with(&[("input[encryption_enabled]", Some("on"))]),
            ),
            (
                "a box ticked empty",
                form_with(&[("input[encryption_enabled]", Some(""))]),
            ),
            ("an unknown kind", form_with(&[("kind", Some("Video"))])),
            ("no kind", form_with(&[("kind", None)])),
            (
                "a malformed project",
                form_with(&[("project", Some("no spaces"))]),
            ),
            ("no project", form_with(&[("project", None)])),
            ("a repeated key", repeated),
            ("a repeated unknown key", repeated_unknown),
            ("no input fields", only_pasted),
            ("paste as one value", form_with(&[("pasted", Some("x"))])),
            ("input as one value", form_with(&[("input", Some("x"))])),
            ("kind in parts", form_with(&[("kind[a]", Some("x"))])),
            (
                "a part nested twice",
                form_with(&[("input[friendly_name][x]", Some("x"))]),
            ),
            ("an unknown field", form_with(&[("colour", Some("blue"))])),
            (
                "an unknown part",
                form_with(&[("input[colour]", Some("blue"))]),
            ),
        ];
        for (case, form) in cases {
            let ours = settings_args(&pairs(&form));
            match (ours, servers_reading(&form)) {
                (Some(ours), Ok(theirs)) => {
                    assert_eq!(ours.project, theirs.project, "{case}");
                    assert_eq!(ours.kind, theirs.kind, "{case}");
                    assert_eq!(ours.input, theirs.input, "{case}");
                    assert_eq!(ours.original, theirs.original, "{case}");
                    assert_eq!(ours.confirm, theirs.confirm, "{case}");
                    assert_eq!(ours.pasted, theirs.pasted, "{case}");
                }
                (None, Err(_)) => {}
                (Some(_), Err(e)) => panic!("{case}: read here, refused by the server ({e})"),
                (None, Ok(_)) => panic!("{case}: refused here, read by the server"),
            }
        }
    }
}
