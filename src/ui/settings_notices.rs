//! What the settings form shows besides its fields: the version it was
//! loaded from, a conflict with someone else's change, the review before a
//! save, and the table of differences all of these use.

use super::fields::focus_on_load;
use super::project_scope::current_project;
use crate::domain::{Difference, MediaSettings, SettingsInput, SettingsKind};
use leptos::prelude::*;

/// What the form was loaded with, sent back so the server can tell whether
/// someone else changed the settings in the meantime.
#[component]
pub fn OriginalFields(original: SettingsInput) -> impl IntoView {
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
pub fn ConflictNotice(
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
                <a href=crate::paths::settings(&current_project(), kind)>"load Twilio's version"</a>
                " to discard your changes."
            </p>
        </div>
    }
}

/// What the save will change and, when it switches on storage or
/// encryption, the consequences and the box that consents to them. Without
/// risks this is the review a no-JavaScript save shows before writing.
#[component]
pub fn ConfirmNotice(risks: Vec<String>, changes: Vec<Difference>) -> impl IntoView {
    let risky = !risks.is_empty();
    let risks = risks
        .into_iter()
        .map(|r| view! { <li>{r}</li> })
        .collect_view();
    let consent = if risky {
        let checkbox = focus_on_load::<leptos::html::Input>();
        view! {
            <div class="field check">
                <input id="confirm" type="checkbox" name="confirm" value="true" autofocus node_ref=checkbox />
                <label for="confirm">"I understand; save these settings"</label>
            </div>
            <p>"Then press Save settings again."</p>
        }
        .into_any()
    } else {
        view! {
            <input type="hidden" name="confirm" value="true" />
            <p>"Press Save settings again to save these changes."</p>
        }
        .into_any()
    };
    let title = if risky {
        "Please confirm this change; nothing has been saved yet."
    } else {
        "Review what will change; nothing has been saved yet."
    };
    view! {
        <div class="notice warning" role="alert">
            <p class="notice-title">{title}</p>
            <ul>{risks}</ul>
            <DiffTable changes mine_heading="After saving" theirs_heading="Now" />
            {consent}
        </div>
    }
}

/// Field by field, two versions of the settings.
#[component]
pub fn DiffTable(
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
