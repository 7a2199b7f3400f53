//! One project's Composition or Recording settings, read live from Twilio,
//! with tabs between the two.

use super::notices::{describe, ErrorNotice};
use super::settings_form::SettingsForm;
use crate::api::settings::{fetch_settings, SaveSettings};
use crate::domain::SettingsKind;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Where each settings page lives.
pub fn page_href(kind: SettingsKind) -> &'static str {
    match kind {
        SettingsKind::Composition => "/",
        SettingsKind::Recording => "/recording",
    }
}

/// Links between the two settings resources; the current one is marked.
#[component]
fn SettingsTabs(kind: SettingsKind) -> impl IntoView {
    let tab = move |target: SettingsKind| {
        let href = page_href(target);
        let current = (target == kind).then_some("page");
        view! {
            <a href=href aria-current=current class="tab">
                {target.title()}
            </a>
        }
    };
    view! {
        <nav class="tabs" aria-label="Settings">
            {tab(SettingsKind::Composition)}
            {tab(SettingsKind::Recording)}
        </nav>
    }
}

fn lede(kind: SettingsKind) -> &'static str {
    match kind {
        SettingsKind::Composition => "Where Twilio Video stores this project's compositions, and whether it encrypts them.",
        SettingsKind::Recording => "Where Twilio Video stores this project's recordings, and whether it encrypts them. Recordings that are encrypted or stored in your own bucket cannot be composed.",
    }
}

#[component]
pub fn SettingsPage(kind: SettingsKind) -> impl IntoView {
    let save = ServerAction::<SaveSettings>::new();
    // Re-read after every save, so the form shows what Twilio holds.
    let settings = Resource::new(move || save.version().get(), move |_| fetch_settings(kind));
    let query = use_query_map();
    // Set by the redirect after a save without JavaScript.
    let saved_without_js = move || query.read().get("saved").as_deref() == Some(kind.slug());

    let status = move || match save.value().get() {
        Some(Ok(saved)) => Some(format!("Saved. Twilio now holds {}", describe(&saved))),
        None if saved_without_js() => {
            Some("Saved. The form shows the values Twilio now holds.".to_owned())
        }
        _ => None,
    };

    view! {
        <main class="page">
            <SettingsTabs kind />
            <h1>{kind.title()}</h1>
            <p class="lede">{lede(kind)}</p>
            <div role="status" class="status-region">
                {move || status().map(|text| view! { <p class="notice success">{text}</p> })}
            </div>
            <Transition fallback=|| view! { <p>"Loading settings from Twilio…"</p> }>
                {move || {
                    settings
                        .get()
                        .map(|result| match result {
                            Ok(loaded) => {
                                let state = format!("Now: {}", describe(&loaded));
                                view! {
                                    <p class="state">{state}</p>
                                    <SettingsForm kind save loaded />
                                }
                                    .into_any()
                            }
                            Err(error) => {
                                view! { <ErrorNotice error context="The settings could not be read from Twilio." /> }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </main>
    }
}
