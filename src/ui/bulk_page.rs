//! `/bulk/<id>`: a bulk change. As a dry run it lists, project by project,
//! what would change and what cannot, with the batch's risks said once and
//! one ticked confirmation; while it applies, each project's outcome as it
//! arrives (read again every second, or a reload without JavaScript); once
//! interrupted, what was changed, in flight and not applied, and "Resume".

use super::loaded::loaded;
use super::notices::ErrorNotice;
use crate::api::bulk::{read_bulk_job, ApplyBulk, ResumeBulk};
use crate::domain::bulk::{BulkItem, BulkJob, ItemState, JobStage, Plan};
use crate::domain::{AppError, ProjectId};
use crate::paths;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// Without JavaScript, a page of a change being applied reloads itself.
const RELOAD: &str = r#"<noscript><meta http-equiv="refresh" content="2"></noscript>"#;

#[component]
pub fn BulkPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let apply = ServerAction::<ApplyBulk>::new();
    let resume = ServerAction::<ResumeBulk>::new();
    let tick = RwSignal::new(0u32);
    let job = loaded(
        move || (id(), apply.version().get(), tick.get()),
        |(id, _, _)| read_bulk_job(id),
    );
    // While it applies, read it again every second.
    Effect::new(move |_| {
        let applying = job
            .get()
            .and_then(Result::ok)
            .is_some_and(|j| j.stage == JobStage::Applying);
        if applying {
            set_timeout(
                move || tick.update(|t| *t += 1),
                std::time::Duration::from_secs(1),
            );
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(next)) = resume.value().get() {
            leptos_router::hooks::use_navigate()(&paths::bulk(&next), Default::default());
        }
    });
    view! {
        <Title text="Bulk change · composition-admin" />
        <main class="page wide">
            <h1>"Bulk change"</h1>
            <Transition fallback=|| view! { <p>"Loading the bulk change…"</p> }>
                {move || {
                    job.get()
                        .map(|found| match found {
                            Ok(job) => view! { <JobView job apply resume /> }.into_any(),
                            Err(error) => {
                                view! { <ErrorNotice error context="This bulk change cannot be shown." /> }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </main>
    }
}

#[component]
fn JobView(
    job: BulkJob,
    apply: ServerAction<ApplyBulk>,
    resume: ServerAction<ResumeBulk>,
) -> impl IntoView {
    let planned = job.count(ItemState::Planned);
    let pending = job.items.iter().filter(|i| i.state.pending()).count();
    let total = job.items.len();
    let stage = match job.stage {
        JobStage::DryRun => "Dry run: nothing has been written.".to_owned(),
        JobStage::Applying => format!("Applying: {} of {total} projects done.", total - pending),
        JobStage::Done => "Done.".to_owned(),
        JobStage::Interrupted => "Interrupted: the console applying it stopped before it was done. Projects in flight may or may not have changed; the next refresh tells what Twilio holds.".to_owned(),
    };
    let lede = format!(
        "{} for {}, planned by {} at {}.",
        capitalised(&job.source),
        job.kind.title(),
        job.started_by,
        crate::domain::project::utc_time(job.created_at)
    );
    let applying = job.stage == JobStage::Applying;
    let can_apply = job.can_apply && job.stage == JobStage::DryRun && planned > 0;
    let can_resume = job.can_apply && job.stage == JobStage::Interrupted;
    let id = job.id.clone();
    view! {
        <p class="lede">{lede}</p>
        <ul class="plain says">{job.says.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()}</ul>
        <div role="status" class="status-region">
            <p><strong>{stage}</strong> " " {job.summary()}</p>
            {applying.then(|| view! {
                <progress max=total.max(1) value=total - pending aria-label="Projects done"></progress>
                <div class="reload" inner_html=RELOAD></div>
            })}
        </div>
        {can_apply.then(|| view! { <ApplyForm id=id.clone() risks=job.risks.clone() planned apply /> })}
        {can_resume.then(|| view! {
            <ActionForm action=resume>
                <input type="hidden" name="id" value=id.clone() />
                <button type="submit">"Resume: a fresh dry run of what is left"</button>
            </ActionForm>
        })}
        {move || resume.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error context="Nothing was resumed." /> })}
        <ItemsTable items=job.items />
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[component]
fn ApplyForm(
    id: String,
    risks: Vec<String>,
    planned: usize,
    apply: ServerAction<ApplyBulk>,
) -> impl IntoView {
    let failure = move || {
        apply
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| !matches!(e, AppError::NeedsConfirmation(_)))
    };
    let label = format!(
        "I understand: apply this change to {}",
        crate::domain::fleet::projects(planned)
    );
    let button = format!("Apply to {}", crate::domain::fleet::projects(planned));
    view! {
        <section class="apply" aria-labelledby="apply-heading">
            <h2 id="apply-heading">"Apply"</h2>
            {move || failure().map(|error| view! { <ErrorNotice error context="Nothing was applied." /> })}
            {(!risks.is_empty()).then(|| view! {
                <div class="notice warning">
                    <ul>{risks.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                </div>
            })}
            <p class="help">
                "Each project is written as the settings page would, after checking that Twilio still holds what this dry run saw; one that changed since is skipped and says so."
            </p>
            <ActionForm action=apply>
                <input type="hidden" name="id" value=id />
                <div class="field check">
                    <input id="bulk-confirm" type="checkbox" name="confirm" value="true" />
                    <label for="bulk-confirm">{label}</label>
                </div>
                {move || {
                    apply.value().get().and_then(Result::err).filter(|e| matches!(e, AppError::NeedsConfirmation(_))).map(|_| {
                        view! { <p role="alert" class="field-error">"Tick the box to confirm, then apply."</p> }
                    })
                }}
                <button type="submit" disabled=move || apply.pending().get()>{button}</button>
            </ActionForm>
        </section>
    }
}

fn plan_words(plan: &Plan) -> Vec<String> {
    match plan {
        Plan::AsWanted => vec!["Nothing to change".into()],
        Plan::Cannot(why) => vec![format!("Cannot: {why}")],
        Plan::Change { diff, .. } => diff
            .iter()
            .map(|d| {
                format!(
                    "{}: {} \u{2192} {}",
                    d.field.label(),
                    d.held,
                    d.wanted.clone().unwrap_or_else(|why| why)
                )
            })
            .collect(),
    }
}

#[component]
fn ItemsTable(items: Vec<BulkItem>) -> impl IntoView {
    let rows = items
        .into_iter()
        .map(|item| {
            let href = item
                .project_id
                .parse::<ProjectId>()
                .map(|p| paths::drift(&p))
                .unwrap_or_default();
            let problem = matches!(
                item.state,
                ItemState::Cannot | ItemState::Failed | ItemState::Skipped | ItemState::Unknown | ItemState::InFlight
            );
            view! {
                <tr data-project=item.project_id.clone()>
                    <th scope="row"><a href=href>{item.name}</a></th>
                    <td>
                        <ul class="plain">
                            {plan_words(&item.plan).into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                        </ul>
                    </td>
                    <td class:problem=problem>
                        {item.state.label()}
                        {item.message.map(|m| view! { <br /><small>{m}</small> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="bulk">
                <thead>
                    <tr>
                        <th scope="col">"Project"</th>
                        <th scope="col">"What changes"</th>
                        <th scope="col">"Outcome"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
