//! Messages about the last action: what was saved, or why it was not.

use super::pickers::CredentialLists;
use crate::domain::audit::{NOT_RECORDED, NOT_RECORDED_PARAM};
use crate::domain::error::is_twilio_link;
use crate::domain::{AppError, CredentialKind, MediaSettings};
use leptos::prelude::*;

/// One line a person can read about what Twilio now holds, naming the
/// credentials it uses.
pub fn describe(settings: &MediaSettings, lists: &CredentialLists) -> String {
    let name = settings.friendly_name.as_deref().unwrap_or("(no name)");
    let encryption = match (settings.encryption_enabled, &settings.encryption_key_sid) {
        (Some(true), Some(key)) => format!(
            "encrypted with key {}",
            lists.name_of(CredentialKind::PublicKey, key)
        ),
        (Some(true), None) => "encrypted".to_owned(),
        _ => "not encrypted".to_owned(),
    };
    let storage = match (settings.aws_storage_enabled, &settings.aws_s3_url) {
        (Some(true), Some(url)) => format!("stored in Amazon S3 at {url}"),
        (Some(true), None) => "stored in Amazon S3".to_owned(),
        _ => "stored in Twilio's cloud".to_owned(),
    };
    let writer = match (settings.aws_storage_enabled, &settings.aws_credentials_sid) {
        (Some(true), Some(sid)) => format!(
            " with AWS credential {}",
            lists.name_of(CredentialKind::Aws, sid)
        ),
        _ => String::new(),
    };
    format!("\u{201c}{name}\u{201d}: {encryption}, {storage}{writer}.")
}

/// A change that was made. If the audit trail could not record it, the
/// person is told so beside it (the console's log holds the entry).
#[component]
pub fn DoneNotice(text: String, recorded: bool) -> impl IntoView {
    view! {
        <p class="notice success">{text}</p>
        {(!recorded).then(|| view! { <p class="notice warning">{NOT_RECORDED}</p> })}
    }
}

/// Whether a no-JavaScript redirect says the change was not recorded.
pub fn unrecorded_in(query: &leptos_router::params::ParamsMap) -> bool {
    query.get(NOT_RECORDED_PARAM).is_some()
}

/// An error from the server, shown as an alert so screen readers announce it.
#[component]
pub fn ErrorNotice(error: AppError, #[prop(into)] context: String) -> impl IntoView {
    // "… was not saved" would be wrong when nobody knows.
    let context = if matches!(error, AppError::OutcomeUnknown(_)) {
        "The outcome of this change is not known yet.".to_owned()
    } else {
        context
    };
    let body = match error {
        AppError::Twilio {
            status,
            code,
            message,
            more_info,
        } => {
            let code_text = code.map_or_else(|| format!("HTTP {status}"), |c| format!("error {c}"));
            let link = more_info.filter(|href| is_twilio_link(href)).map(|href| {
                view! {
                    <a href=href target="_blank" rel="noopener noreferrer">
                        {format!("More about {code_text}")}
                    </a>
                }
            });
            view! {
                <p>
                    <strong>{format!("Twilio {code_text}: ")}</strong>
                    <span class="twilio-message">{message}</span>
                </p>
                {link}
            }
            .into_any()
        }
        AppError::Invalid(errors) => view! {
            <p>
                {format!(
                    "{} field{} need{} attention; see the messages beside {}.",
                    errors.len(),
                    if errors.len() == 1 { "" } else { "s" },
                    if errors.len() == 1 { "s" } else { "" },
                    if errors.len() == 1 { "it" } else { "them" },
                )}
            </p>
        }
        .into_any(),
        other => view! { <p>{other.to_string()}</p> }.into_any(),
    };
    view! {
        <div class="notice error" role="alert">
            <p class="notice-title">{context}</p>
            {body}
        </div>
    }
}
