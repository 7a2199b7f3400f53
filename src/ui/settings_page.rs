//! One project's Composition or Recording settings, read live from Twilio,
//! with tabs between the two.

use super::notices::{describe, ErrorNotice};
use super::pickers::CredentialLists;
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

/// Links between the project's pages; the current one is marked.
#[component]
pub fn SettingsTabs(current: &'static str) -> impl IntoView {
    let tab = move |href: &'static str, title: &'static str| {
        let marked = (href == current).then_some("page");
        view! {
            <a href=href aria-current=marked class="tab">
                {title}
            </a>
        }
    };
    view! {
        <nav class="tabs" aria-label="Project pages">
            {tab(page_href(SettingsKind::Composition), SettingsKind::Composition.title())}
            {tab(page_href(SettingsKind::Recording), SettingsKind::Recording.title())}
            {tab("/credentials", "Keys and credentials")}
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
    let lists = Resource::new(|| (), |_| CredentialLists::load());
    let query = use_query_map();
    // Set by the redirect after a save without JavaScript.
    let saved_without_js = move || query.read().get("saved").as_deref() == Some(kind.slug());

    let names = move || lists.get().unwrap_or_else(CredentialLists::unknown);
    let status = move || match save.value().get() {
        Some(Ok(saved)) => Some(format!(
            "Saved. Twilio now holds {}",
            describe(&saved, &names())
        )),
        None if saved_without_js() => {
            Some("Saved. The form shows the values Twilio now holds.".to_owned())
        }
        _ => None,
    };

    view! {
        <main class="page">
            <SettingsTabs current=page_href(kind) />
            <h1>{kind.title()}</h1>
            <p class="lede">{lede(kind)}</p>
            <div role="status" class="status-region">
                {move || status().map(|text| view! { <p class="notice success">{text}</p> })}
            </div>
            <Transition fallback=|| view! { <p>"Loading settings from Twilio…"</p> }>
                {move || {
                    let lists = lists.get()?;
                    settings
                        .get()
                        .map(|result| match result {
                            Ok(loaded) => {
                                let state = format!("Now: {}", describe(&loaded, &lists));
                                view! {
                                    <p class="state">{state}</p>
                                    <SettingsForm kind save loaded lists />
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
