//! Choosing a credential by name instead of typing its SID. A pasted SID
//! still works; one the account does not have is flagged before saving.

use super::fields::{described_by, FieldError};
use crate::api::credentials::{list_all_credentials, Listing};
use crate::domain::credentials::find;
use crate::domain::{AppError, Credential, CredentialKind, CredentialSid, ProjectId};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The account's credentials of both kinds, each list read in full.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CredentialLists {
    pub public_keys: Listing,
    pub aws: Listing,
}

impl CredentialLists {
    pub async fn load(project: ProjectId) -> Self {
        match list_all_credentials(project).await {
            Ok((public_keys, aws)) => Self { public_keys, aws },
            Err(error) => Self {
                public_keys: Err(error.clone()),
                aws: Err(error),
            },
        }
    }

    /// Before the lists have arrived: names are shown as bare SIDs.
    pub fn unknown() -> Self {
        let pending = || {
            Err(AppError::Unavailable {
                message: "not loaded yet".into(),
            })
        };
        Self {
            public_keys: pending(),
            aws: pending(),
        }
    }

    pub fn of(&self, kind: CredentialKind) -> &Result<Vec<Credential>, AppError> {
        match kind {
            CredentialKind::PublicKey => &self.public_keys,
            CredentialKind::Aws => &self.aws,
        }
    }

    /// "key 'prod-2026' (CR…)", or the bare SID when the list lacks it.
    pub fn name_of(&self, kind: CredentialKind, sid: &CredentialSid) -> String {
        let Ok(list) = self.of(kind) else {
            return sid.to_string();
        };
        match find(list, sid.as_str()) {
            Some(c) => match c.friendly_name.as_deref() {
                Some(name) if !name.trim().is_empty() => format!("\u{2018}{name}\u{2019} ({sid})"),
                _ => sid.to_string(),
            },
            None => format!("{sid} (not among the account's {}s)", kind.noun()),
        }
    }
}

/// Why a SID deserves a second look before saving, if it does.
fn flag(
    kind: CredentialKind,
    list: &Result<Vec<Credential>, AppError>,
    sid: &str,
) -> Option<String> {
    let list = list.as_ref().ok()?;
    let well_formed = sid.parse::<CredentialSid>().is_ok();
    (well_formed && find(list, sid).is_none()).then(|| {
        format!(
            "{sid} is not one of this account's {}s; Twilio will refuse it. Check the SID, or add it under Keys and credentials.",
            kind.noun()
        )
    })
}

#[component]
pub fn CredentialPicker(
    kind: CredentialKind,
    id: &'static str,
    label: &'static str,
    name: &'static str,
    paste_name: &'static str,
    value: String,
    list: Result<Vec<Credential>, AppError>,
    error: Signal<Option<String>>,
    #[prop(into)] help: String,
) -> impl IntoView {
    let picked = RwSignal::new(value.clone());
    let pasted = RwSignal::new(String::new());
    let chosen = move || {
        let p = pasted.get();
        if p.trim().is_empty() {
            picked.get()
        } else {
            p.trim().to_owned()
        }
    };
    let warning = {
        let list = list.clone();
        Signal::derive(move || flag(kind, &list, &chosen()))
    };
    let known = list
        .as_deref()
        .ok()
        .is_some_and(|l| find(l, &value).is_some());
    let unknown_option = (!value.is_empty() && !known).then(|| {
        let text = format!("{value} \u{2014} not found in this account");
        view! { <option value=value.clone() selected>{text}</option> }
    });
    let options = list
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|c| {
            let sid = c.sid.to_string();
            let selected = sid == value;
            view! { <option value=sid selected=selected>{c.option_label()}</option> }
        })
        .collect_view();
    let list_problem = list.as_ref().err().map(|e| {
        format!(
            "The account's {}s could not be listed ({e}); paste a SID instead.",
            kind.noun()
        )
    });
    let paste_id = format!("{id}-paste");
    let warning_id = format!("{id}-warning");
    let describe = described_by(id, error);
    let described = {
        let warning_id = warning_id.clone();
        move || match warning.get() {
            Some(_) => format!("{} {warning_id}", describe()),
            None => describe(),
        }
    };
    view! {
        <div class="field picker" class:invalid=move || error.get().is_some()>
            <label for=id>{label}</label>
            <select
                id=id
                name=name
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=described
                on:change=move |ev| picked.set(event_target_value(&ev))
            >
                <option value="" selected=value.is_empty()>
                    "None"
                </option>
                {options}
                {unknown_option}
            </select>
            <label for=paste_id.clone() class="secondary">
                {format!("Or paste {} SID", kind.a_noun())}
            </label>
            <input
                id=paste_id
                type="text"
                name=paste_name
                spellcheck="false"
                autocomplete="off"
                placeholder="CR…"
                on:input=move |ev| pasted.set(event_target_value(&ev))
            />
            <p class="help" id=format!("{id}-help")>
                {help}
                " "
                <a href=crate::paths::credentials(&super::project_scope::current_project())>
                    "Manage keys and credentials"
                </a>
            </p>
            {list_problem.map(|text| view! { <p class="field-warning">{text}</p> })}
            {move || {
                warning.get().map(|text| view! { <p class="field-warning" id=warning_id.clone()>{text}</p> })
            }}
            <FieldError id label error />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(sid: &str, name: &str) -> Credential {
        Credential {
            sid: sid.parse().unwrap(),
            friendly_name: Some(name.into()),
            date_created: None,
        }
    }

    const KNOWN: &str = "CR00000000000000000000000000000001";

    #[test]
    fn only_well_formed_sids_missing_from_the_list_are_flagged() {
        let list = Ok(vec![key(KNOWN, "prod")]);
        assert_eq!(flag(CredentialKind::PublicKey, &list, KNOWN), None);
        assert_eq!(flag(CredentialKind::PublicKey, &list, ""), None);
        assert_eq!(flag(CredentialKind::PublicKey, &list, "CR12"), None);
        let other = "CR00000000000000000000000000000002";
        assert!(flag(CredentialKind::PublicKey, &list, other)
            .unwrap()
            .starts_with(&format!("{other} is not one of this account's public keys")));
    }

    #[test]
    fn names_come_from_the_list() {
        let lists = CredentialLists {
            public_keys: Ok(vec![key(KNOWN, "prod-2026")]),
            aws: Ok(vec![]),
        };
        let sid: CredentialSid = KNOWN.parse().unwrap();
        assert_eq!(
            lists.name_of(CredentialKind::PublicKey, &sid),
            format!("\u{2018}prod-2026\u{2019} ({KNOWN})")
        );
        assert_eq!(
            lists.name_of(CredentialKind::Aws, &sid),
            format!("{KNOWN} (not among the account's AWS credentials)")
        );
    }
}
