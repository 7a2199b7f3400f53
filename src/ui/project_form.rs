//! The fields of a project: name, account, and the login the console uses.
//! Shared by "Add a project" and "Edit project". A secret is never filled
//! in: it goes to the server and is not shown again.

use super::fields::{error_for, TextField};
use crate::domain::{AppError, Field, FieldErrors, LoginKind, ProjectInput};
use leptos::prelude::*;

/// The form field ids, for focus after a failed check.
pub fn field_id(field: Field) -> &'static str {
    match field {
        Field::AccountSid => "project-account-sid",
        Field::ApiKeySid => "project-api-key-sid",
        Field::Secret => "project-secret",
        _ => "project-name",
    }
}

/// The fields, filled with `typed` (never a secret). `editing` keeps the
/// account SID fixed and lets the secret stay empty.
#[component]
pub fn ProjectFields(
    typed: ProjectInput,
    client: RwSignal<FieldErrors>,
    failure: Signal<Option<AppError>>,
    editing: bool,
) -> impl IntoView {
    let error = move |field| error_for(client, move || failure.get(), field);
    let login_choice = move |kind: LoginKind, id: &'static str, help: &'static str| {
        view! {
            <div class="field check">
                <input
                    id=id
                    type="radio"
                    name="input[login]"
                    value=kind.slug()
                    checked=typed.login == kind
                    aria-describedby=format!("{id}-help")
                />
                <label for=id>{kind.label()}</label>
                <p class="help" id=format!("{id}-help")>
                    {help}
                </p>
            </div>
        }
    };
    let secret_help = if editing {
        "A secret is stored (sealed; it is never shown). Leave this empty to keep it, or paste a new one to replace it: it is tested with Twilio first."
    } else {
        "The API key's secret, or the auth token. Stored sealed; it is never shown again, not even after a failed attempt."
    };
    let account_help = if editing {
        "A project is one account; add a new project for another account."
    } else {
        "AC followed by 32 hex digits, from the Twilio Console's account dashboard."
    };
    view! {
        <TextField
            id=field_id(Field::ProjectName)
            label="Project name"
            name="input[name]"
            value=typed.name.clone()
            error=error(Field::ProjectName)
            help="How this project is listed here, up to 64 characters."
        />
        {if editing {
            view! {
                <div class="field">
                    <label for=field_id(Field::AccountSid)>"Account SID"</label>
                    <input
                        id=field_id(Field::AccountSid)
                        type="text"
                        name="input[account_sid]"
                        value=typed.account_sid.clone()
                        readonly
                        aria-describedby="project-account-sid-help"
                    />
                    <p class="help" id="project-account-sid-help">
                        {account_help}
                    </p>
                </div>
            }
                .into_any()
        } else {
            view! {
                <TextField
                    id=field_id(Field::AccountSid)
                    label="Account SID"
                    name="input[account_sid]"
                    value=typed.account_sid.clone()
                    error=error(Field::AccountSid)
                    help=account_help
                />
            }
                .into_any()
        }}
        <fieldset class="login-choice">
            <legend>"How the console logs in"</legend>
            {login_choice(
                LoginKind::ApiKey,
                "login-api-key",
                "Recommended: a key made for this console can be revoked on its own, without changing anything else in the account.",
            )}
            {login_choice(
                LoginKind::AuthToken,
                "login-auth-token",
                "The account's master secret: it opens everything in the account, and every integration breaks when it is rotated.",
            )}
        </fieldset>
        <TextField
            id=field_id(Field::ApiKeySid)
            label="API key SID"
            name="input[api_key_sid]"
            value=typed.api_key_sid.clone()
            error=error(Field::ApiKeySid)
            help="SK followed by 32 hex digits. Only for an API key login."
        />
        <TextField
            id=field_id(Field::Secret)
            label=if editing { "New secret" } else { "Secret" }
            name="input[secret]"
            value=""
            error=error(Field::Secret)
            help=secret_help
            password=true
        />
    }
}
