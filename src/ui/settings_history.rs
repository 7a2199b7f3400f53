//! The changes the console has seen of one kind of a project's settings:
//! who switched what, or that it changed outside the console.

use super::loaded::loaded;
use super::notices::ErrorNotice;
use crate::api::settings::settings_history;
use crate::domain::{ProjectId, SettingsKind};
use leptos::prelude::*;

#[component]
pub fn SettingsHistory(
    project: ProjectId,
    kind: SettingsKind,
    /// Bumped by a save: the history is read again.
    version: Signal<usize>,
) -> impl IntoView {
    let history = loaded(
        move || version.get(),
        move |_| settings_history(project.clone(), kind),
    );
    view! {
        <section class="history" aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            <Transition fallback=|| view! { <p>"Loading the history…"</p> }>
                {move || {
                    history
                        .get()
                        .map(|found| match found {
                            Ok(lines) if lines.is_empty() => {
                                view! {
                                    <p class="quiet">
                                        "No read recorded yet. Each read that finds the settings changed adds a line here."
                                    </p>
                                }
                                    .into_any()
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
