//! One project's Composition or Recording settings, read live from Twilio
//! (the project bar holds the tabs between them).

use super::loaded::loaded;
use super::notices::{describe, unrecorded_in, DoneNotice, ErrorNotice};
use super::pickers::CredentialLists;
use super::project_scope::current_project;
use super::settings_form::SettingsForm;
use crate::api::settings::{fetch_settings, SaveSettings};
use crate::domain::{AppError, SaveFailure, SettingsKind};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn lede(kind: SettingsKind) -> &'static str {
    match kind {
        SettingsKind::Composition => "Where Twilio Video stores this project's compositions, and whether it encrypts them.",
        SettingsKind::Recording => "Where Twilio Video stores this project's recordings, and whether it encrypts them. Recordings that are encrypted or stored in your own bucket cannot be composed.",
    }
}

#[component]
pub fn SettingsPage(kind: SettingsKind) -> impl IntoView {
    let project = current_project();
    let save = ServerAction::<SaveSettings>::new();
    // Re-read after every save, so the form shows what Twilio holds (after
    // a conflict too: the next save is then checked against Twilio's new
    // version). Not when a save only asked for consent: nothing changed, and
    // the form rebuilt from the new read would clear the consent box the
    // user may already have ticked.
    let reread = Memo::new(move |last: Option<&usize>| {
        let asked = save.value().with(|result| {
            matches!(
                result,
                Some(Err(SaveFailure {
                    error: AppError::NeedsConfirmation(_),
                    ..
                }))
            )
        });
        match last {
            Some(&last) if asked => last,
            _ => save.version().get(),
        }
    });
    let settings = loaded(move || reread.get(), {
        let project = project.clone();
        move |_| fetch_settings(project.clone(), kind)
    });
    let lists = loaded(|| (), move |_| CredentialLists::load(project.clone()));
    let query = use_query_map();
    // Set by the redirect after a save without JavaScript.
    let saved_without_js = move || query.read().get("saved").as_deref() == Some(kind.slug());

    let names = move || lists.get().unwrap_or_else(CredentialLists::unknown);
    let status = move || match save.value().get() {
        Some(Ok(saved)) => Some((
            format!(
                "Saved. Twilio now holds {}",
                describe(&saved.value, &names())
            ),
            saved.recorded,
        )),
        None if saved_without_js() => Some((
            "Saved. The form shows the values Twilio now holds.".to_owned(),
            !unrecorded_in(&query.read()),
        )),
        _ => None,
    };

    view! {
        <main class="page">
            <h1>{kind.title()}</h1>
            <p class="lede">{lede(kind)}</p>
            <div role="status" class="status-region">
                {move || status().map(|(text, recorded)| view! { <DoneNotice text recorded /> })}
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
