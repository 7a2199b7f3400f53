//! A project's history: the changes the console has seen of its
//! Composition and Recording settings, who made them, or that they were
//! made outside the console. A lazy route of its own, so the settings pages
//! (in the main bundle) carry none of it.

use super::loaded::loaded;
use super::notices::ErrorNotice;
use super::project_scope::current_project;
use crate::api::settings::settings_history;
use crate::domain::SettingsKind;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HistoryPage() -> impl IntoView {
    view! {
        <Title text="History · composition-admin" />
        <main class="page">
            <h1>"History"</h1>
            <p class="lede">
                "Each read of these settings (a page view, a save, a refresh of the fleet) that finds them changed adds a line, newest first. A change no audit entry explains was made outside the console."
            </p>
            <KindHistory kind=SettingsKind::Composition />
            <KindHistory kind=SettingsKind::Recording />
        </main>
    }
}

#[component]
fn KindHistory(kind: SettingsKind) -> impl IntoView {
    let project = current_project();
    let history = loaded(|| (), move |_| settings_history(project.clone(), kind));
    let heading = format!("history-{}", kind.slug());
    let labelled_by = heading.clone();
    view! {
        <section class="history" aria-labelledby=labelled_by>
            <h2 id=heading>{kind.title()}</h2>
            <Transition fallback=|| view! { <p>"Loading the history…"</p> }>
                {move || {
                    history
                        .get()
                        .map(|found| match found {
                            Ok(lines) if lines.is_empty() => {
                                view! { <p class="quiet">"Not read yet."</p> }.into_any()
                            }
                            Ok(lines) => {
                                view! {
                                    <ol class="history-lines">
                                        {lines
                                            .into_iter()
                                            .map(|line| {
                                                view! { <li class:outside=line.outside>{line.words}</li> }
                                            })
                                            .collect_view()}
                                    </ol>
                                }
                                    .into_any()
                            }
                            Err(error) => {
                                view! { <ErrorNotice error context="The history could not be read." /> }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </section>
    }
}
