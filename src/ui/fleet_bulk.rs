//! The fleet's "Change many projects" form: a template or one change, for
//! the ticked rows or every project of the view, planned as a dry run
//! whose page says what would change before anything is written.

use crate::api::bulk::PlanBulk;
use crate::domain::SettingsKind;
use crate::paths;
use leptos::form::ActionForm;
use leptos::prelude::*;

/// The id the rows' tick boxes name as their form.
pub const BULK_FORM: &str = "bulk-form";

#[component]
pub fn BulkForm(
    templates: Vec<(String, String, SettingsKind)>,
    can_assign: bool,
    /// The view's filter, as a query string.
    view: String,
    matching: usize,
) -> impl IntoView {
    let plan = ServerAction::<PlanBulk>::new();
    // With JavaScript, the dry run opens as the redirect does without it.
    Effect::new(move |_| {
        if let Some(Ok(id)) = plan.value().get() {
            let navigate = leptos_router::hooks::use_navigate();
            navigate(&paths::bulk(&id), Default::default());
        }
    });
    let options = templates
        .into_iter()
        .map(|(id, name, kind)| {
            let label = format!("{name} ({})", kind.title());
            view! { <option value=id>{label}</option> }
        })
        .collect_view();
    let every = format!(
        "Every project this view shows ({})",
        crate::domain::fleet::projects(matching)
    );
    view! {
        <details class="bulk">
            <summary>"Change many projects"</summary>
            <ActionForm action=plan attr:id=BULK_FORM attr:class="bulk-form">
                <p class="help">
                    "Nothing is written yet: the next page is a dry run that shows, project by project, what would change and what cannot, from what the console last read."
                </p>
                {move || {
                    plan.value()
                        .get()
                        .and_then(Result::err)
                        .map(|e| view! { <p role="alert" class="notice error">{e.to_string()}</p> })
                }}
                <input type="hidden" name="plan[view]" value=view />
                <div class="field">
                    <label for="bulk-template">"Template"</label>
                    <select id="bulk-template" name="plan[template]" aria-describedby="bulk-template-help">
                        <option value="">"None: one change, below"</option>
                        {options}
                    </select>
                    <p class="help" id="bulk-template-help">"Applies every field the template manages."</p>
                </div>
                <fieldset class="group">
                    <legend>"Or one change"</legend>
                    <div class="field">
                        <label for="bulk-change">"Change"</label>
                        <select id="bulk-change" name="plan[change]">
                            <option value="encryption-on">"Switch encryption on with the public key named…"</option>
                            <option value="encryption-off">"Switch encryption off"</option>
                            <option value="storage-cloud">"Store in Twilio's cloud again"</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="bulk-key-name">"Public key name"</label>
                        <input id="bulk-key-name" type="text" name="plan[key_name]" maxlength="64" autocomplete="off" />
                    </div>
                    <div class="field">
                        <label for="bulk-kind">"Settings"</label>
                        <select id="bulk-kind" name="plan[kind]">
                            <option value="composition">"Composition settings"</option>
                            <option value="recording">"Recording settings"</option>
                        </select>
                    </div>
                </fieldset>
                <fieldset class="group">
                    <legend>"Projects"</legend>
                    <div class="field check">
                        <input id="bulk-every" type="checkbox" name="plan[every]" value="true" />
                        <label for="bulk-every">{every}</label>
                    </div>
                    <p class="help">"Otherwise, the rows ticked in the table below."</p>
                    {can_assign
                        .then(|| {
                            view! {
                                <div class="field check">
                                    <input id="bulk-follow" type="checkbox" name="plan[follow]" value="true" />
                                    <label for="bulk-follow">"Also make them follow the template"</label>
                                </div>
                            }
                        })}
                </fieldset>
                <button type="submit" disabled=move || plan.pending().get()>"Dry run"</button>
            </ActionForm>
        </details>
    }
}
