//! One project's Composition settings, read live from Twilio.

use super::notices::{describe, ErrorNotice};
use super::settings_form::SettingsForm;
use crate::api::settings::{fetch_settings, SaveSettings};
use crate::domain::SettingsKind;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let kind = SettingsKind::Composition;
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
            <h1>{kind.title()}</h1>
            <p class="lede">
                "Where Twilio Video stores this project's compositions, and whether it encrypts them."
            </p>
            <div role="status" class="status-region">
                {move || status().map(|text| view! { <p class="notice success">{text}</p> })}
            </div>
            <Transition fallback=|| view! { <p>"Loading settings from Twilio…"</p> }>
                {move || {
                    settings
                        .get()
                        .map(|result| match result {
                            Ok(loaded) => view! { <SettingsForm kind save loaded /> }.into_any(),
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
