//! Bulk changes: a dry run planned from snapshots alone and written to the
//! database whole; then, once confirmed, each project written through the
//! editor's own save (its lost-update check against what the dry run saw,
//! its two-step audit entry naming the job) with bounded concurrency, each
//! outcome recorded right after Twilio answers. The instance applying a job
//! holds a lease on it; a job whose lease ran out was interrupted, and its
//! record says which projects were changed, which were in flight and which
//! were not applied.

use super::auth::{Action, Caller};
use super::projects::internal;
use super::settings::{save, Consent};
use super::Projects;
use crate::domain::bulk::{
    batch_risks, plan, BulkItem, BulkJob, ItemState, JobStage, LastRead, Plan, MAX_BULK_PROJECTS,
};
use crate::domain::template::{Listed, ProjectFacts, Template};
use crate::domain::{AppError, ProjectId, SettingsInput, SettingsKind};
use crate::store::{BulkJobRow, Store};
use std::sync::Arc;
use std::time::Duration;

/// How bulk changes are applied.
#[derive(Clone, Copy, Debug)]
pub struct BulkConfig {
    /// Projects written at once.
    pub concurrency: usize,
    /// The longest one project's write may take, its checks included.
    pub deadline: Duration,
    /// How long a job's lease lasts; renewed at a third of it.
    pub lease: Duration,
}

impl Default for BulkConfig {
    fn default() -> Self {
        Self {
            concurrency: 32,
            deadline: Duration::from_secs(30),
            lease: Duration::from_secs(15),
        }
    }
}

/// What a bulk change sets.
pub struct Change {
    pub kind: SettingsKind,
    /// The template's name, or the one change in words.
    pub source: String,
    pub template: Template,
    /// A stored template the projects start to follow once it is applied
    /// (admins only).
    pub follow: Option<String>,
}

/// Refuses the whole job when it names a project `caller` may not change.
fn check_all(caller: &Caller, ids: &[String]) -> Result<Vec<ProjectId>, AppError> {
    if caller.role == crate::domain::Role::Viewer {
        return Err(AppError::Forbidden(
            "Your role (viewer) may not change projects.".into(),
        ));
    }
    let mut refused = Vec::new();
    let mut projects = Vec::new();
    for id in ids {
        match id.parse::<ProjectId>() {
            Ok(project) if caller.may(Action::Change, Some(&project)).is_ok() => {
                projects.push(project)
            }
            _ => refused.push(crate::domain::error::clipped(id, 40)),
        }
    }
    if !refused.is_empty() {
        refused.truncate(5);
        return Err(AppError::Forbidden(format!(
            "The change names projects you may not change ({}); nothing was planned.",
            refused.join(", ")
        )));
    }
    Ok(projects)
}

/// Plans `change` for `ids` from what the console last read: the job's id.
pub async fn dry_run(
    store: &Store,
    caller: &Caller,
    change: &Change,
    ids: &[String],
) -> Result<String, AppError> {
    if ids.is_empty() {
        return Err(AppError::Request(
            "Choose at least one project (tick its row, or choose every project shown).".into(),
        ));
    }
    if ids.len() > MAX_BULK_PROJECTS {
        return Err(AppError::Request(format!(
            "A bulk change names at most {MAX_BULK_PROJECTS} projects; this one names {}.",
            ids.len()
        )));
    }
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    check_all(caller, &ids)?;
    if change.follow.is_some() {
        caller.may(Action::Administer, None)?;
    }
    let inputs = store
        .plan_inputs(&ids, change.kind)
        .await
        .map_err(internal)?;
    if inputs.len() != ids.len() {
        return Err(AppError::NotFound(
            "Some of these projects no longer exist; nothing was planned.".into(),
        ));
    }
    let items: Vec<(String, Plan, ItemState)> = inputs
        .iter()
        .map(|input| {
            let planned = plan(
                &change.template,
                &LastRead {
                    state: input.state.as_ref(),
                    error: input.error.as_deref(),
                },
                &ProjectFacts {
                    id: &input.project_id,
                    account_sid: &input.account_sid,
                    name: &input.name,
                },
                &Listed {
                    keys: input.keys.as_deref(),
                    aws: input.aws.as_deref(),
                },
            );
            let state = match planned {
                Plan::Change { .. } => ItemState::Planned,
                Plan::AsWanted => ItemState::AsWanted,
                Plan::Cannot(_) => ItemState::Cannot,
            };
            (input.project_id.clone(), planned, state)
        })
        .collect();
    let job = BulkJobRow {
        id: uuid::Uuid::new_v4().simple().to_string()[..12].to_owned(),
        kind: change.kind,
        source: change.source.clone(),
        template: change.template.clone(),
        started_by: caller.name.clone(),
        staff_id: Some(caller.id.as_str().to_owned()),
        created_at: crate::store::now(),
        applied_at: None,
        applied_by: None,
        applied_by_id: None,
        finished_at: None,
        lease_until: None,
        follow_template: change.follow.clone(),
    };
    store
        .create_bulk_job(&job, &items)
        .await
        .map_err(internal)?;
    Ok(job.id)
}

/// A job as `caller` may see it: only jobs whose every project they may
/// read; one that an instance stopped applying is closed as interrupted.
pub async fn job(store: &Store, caller: &Caller, id: &str) -> Result<BulkJob, AppError> {
    let missing = || AppError::NotFound("There is no such bulk change.".into());
    let mut row = store
        .bulk_job(id)
        .await
        .map_err(internal)?
        .ok_or_else(missing)?;
    // Who asks is checked before anything is changed, even the closing of
    // an interrupted job.
    let sees_all = |items: &[crate::store::BulkItemRow]| {
        items.iter().all(|item| {
            item.project_id
                .parse::<ProjectId>()
                .is_ok_and(|p| caller.sees(&p))
        })
    };
    let mut items = store.bulk_items(id).await.map_err(internal)?;
    if !sees_all(&items) {
        return Err(missing());
    }
    let now = crate::store::now();
    if row.applied_at.is_some()
        && row.finished_at.is_none()
        && row.lease_until.is_some_and(|until| until < now)
        && store.close_interrupted(id, now).await.map_err(internal)?
    {
        row = store
            .bulk_job(id)
            .await
            .map_err(internal)?
            .ok_or_else(missing)?;
        items = store.bulk_items(id).await.map_err(internal)?;
    }
    let stage = match (row.applied_at, row.finished_at) {
        (None, _) => JobStage::DryRun,
        (Some(_), None) => JobStage::Applying,
        (Some(_), Some(_))
            if items
                .iter()
                .any(|i| i.state == ItemState::InFlight || i.state == ItemState::NotApplied) =>
        {
            JobStage::Interrupted
        }
        (Some(_), Some(_)) => JobStage::Done,
    };
    let plans: Vec<&Plan> = items
        .iter()
        .filter(|i| i.state == ItemState::Planned)
        .map(|i| &i.plan)
        .collect();
    let risks = batch_risks(row.kind, &plans);
    let can_apply = items.iter().all(|item| {
        item.project_id
            .parse::<ProjectId>()
            .is_ok_and(|p| caller.may(Action::Change, Some(&p)).is_ok())
    });
    Ok(BulkJob {
        id: row.id,
        kind: row.kind,
        source: row.source,
        says: row.template.describe(),
        started_by: if caller.role == crate::domain::Role::Admin || row.started_by == caller.name {
            row.started_by
        } else {
            "another staff member".into()
        },
        created_at: row.created_at,
        stage,
        risks,
        can_apply,
        items: items
            .into_iter()
            .map(|i| BulkItem {
                project_id: i.project_id,
                name: i.name,
                plan: i.plan,
                state: i.state,
                message: i.message,
            })
            .collect(),
    })
}

/// The instance applying bulk jobs: its projects, its name in leases and
/// its limits. Cheap to clone.
#[derive(Clone)]
pub struct Applier {
    inner: Arc<(Projects, String, BulkConfig)>,
}

impl Applier {
    pub fn new(projects: Projects, config: BulkConfig) -> Self {
        Self {
            inner: Arc::new((projects, uuid::Uuid::new_v4().simple().to_string(), config)),
        }
    }

    fn store(&self) -> &Store {
        self.inner.0.store()
    }

    /// Starts applying dry run `id` for `caller`, who confirmed it; the
    /// projects are written in the background and the page follows them.
    pub async fn apply(&self, caller: &Caller, id: &str, confirmed: bool) -> Result<(), AppError> {
        let job = job(self.store(), caller, id).await?;
        if !job.can_apply {
            return Err(AppError::Forbidden(
                "The change names projects you may not change; nothing was applied.".into(),
            ));
        }
        if job.stage != JobStage::DryRun {
            return Err(AppError::Request(
                "This bulk change was applied already; see its outcome below.".into(),
            ));
        }
        if !confirmed {
            let mut why = job.risks.clone();
            why.push("Tick the box to confirm the change for every project listed.".into());
            return Err(AppError::NeedsConfirmation(why));
        }
        let now = crate::store::now();
        let (_, owner, config) = &*self.inner;
        let started = self
            .store()
            .start_bulk_apply(
                id,
                (&caller.name, Some(caller.id.as_str())),
                owner,
                now,
                now + config.lease.as_secs() as i64,
            )
            .await
            .map_err(internal)?;
        if !started {
            return Err(AppError::Request(
                "This bulk change was applied already; see its outcome below.".into(),
            ));
        }
        let applier = self.clone();
        let (caller, id) = (caller.clone(), id.to_owned());
        tokio::spawn(async move { applier.drive(&caller, &id).await });
        Ok(())
    }

    /// Writes every queued project of job `id`, at most `concurrency` at
    /// once, keeping the job's lease while it runs.
    async fn drive(&self, caller: &Caller, id: &str) {
        let (_, owner, config) = &*self.inner;
        let store = self.store().clone();
        let Ok(Some(row)) = store.bulk_job(id).await else {
            return;
        };
        let keep = {
            let (store, owner, id, lease) =
                (store.clone(), owner.clone(), id.to_owned(), config.lease);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(lease / 3).await;
                    let until = crate::store::now() + lease.as_secs() as i64;
                    if let Ok(false) = store.renew_bulk_lease(&id, &owner, until).await {
                        return;
                    }
                }
            })
        };
        let items = store.bulk_items(id).await.unwrap_or_default();
        if let Some(template) = &row.follow_template {
            // Following begins with the confirmed change, not its dry run.
            for item in &items {
                let Ok(project) = item.project_id.parse::<ProjectId>() else {
                    continue;
                };
                if let Err(e) =
                    super::templates::assign(&store, caller, &project, row.kind, Some(template))
                        .await
                {
                    tracing::warn!(job = id, %project, "the project could not follow the template: {e}");
                }
            }
        }
        let room = Arc::new(tokio::sync::Semaphore::new(config.concurrency.max(1)));
        let mut running = tokio::task::JoinSet::new();
        for item in items.into_iter().filter(|i| i.state == ItemState::Queued) {
            let Plan::Change {
                original, wanted, ..
            } = item.plan
            else {
                continue;
            };
            let Ok(permit) = room.clone().acquire_owned().await else {
                break;
            };
            let (applier, caller, id, kind) =
                (self.clone(), caller.clone(), id.to_owned(), row.kind);
            running.spawn(async move {
                applier
                    .write(&caller, &id, kind, &item.project_id, &original, &wanted)
                    .await;
                drop(permit);
            });
        }
        while running.join_next().await.is_some() {}
        keep.abort();
        if let Err(e) = store.finish_bulk_job(id, owner, crate::store::now()).await {
            tracing::warn!(job = id, "the bulk change's end could not be recorded: {e}");
        }
    }

    /// One project's write, its outcome recorded as soon as it is known.
    async fn write(
        &self,
        caller: &Caller,
        job: &str,
        kind: SettingsKind,
        project: &str,
        original: &SettingsInput,
        wanted: &SettingsInput,
    ) {
        let store = self.store();
        let now = crate::store::now;
        match store
            .move_bulk_item(
                job,
                project,
                ItemState::Queued,
                ItemState::Running,
                None,
                now(),
            )
            .await
        {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                tracing::warn!(job, project, "a bulk item could not be started: {e}");
                return;
            }
        }
        let (state, message) = self
            .attempt(caller, job, kind, project, original, wanted)
            .await;
        // The outcome is written at once; retried while the database is
        // away, so a shown outcome is a recorded one.
        for attempt in 0..10 {
            match store
                .move_bulk_item(
                    job,
                    project,
                    ItemState::Running,
                    state,
                    message.as_deref(),
                    now(),
                )
                .await
            {
                Ok(_) => return,
                Err(e) => {
                    tracing::warn!(
                        job,
                        project,
                        attempt,
                        "a bulk outcome could not be recorded: {e}"
                    );
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    async fn attempt(
        &self,
        caller: &Caller,
        job: &str,
        kind: SettingsKind,
        project: &str,
        original: &SettingsInput,
        wanted: &SettingsInput,
    ) -> (ItemState, Option<String>) {
        let (projects, _, config) = &*self.inner;
        let Ok(id) = project.parse::<ProjectId>() else {
            return (ItemState::Failed, Some("not a project id".into()));
        };
        // Who applied it is read again at each write: an assignment, a role
        // or the account itself may have ended since the apply began.
        let caller = match current(projects.store(), caller).await {
            Ok(caller) => caller,
            Err(why) => return (ItemState::Failed, Some(why)),
        };
        if let Err(e) = caller.may(Action::Change, Some(&id)) {
            return (ItemState::Failed, Some(e.to_string()));
        }
        let caller = &caller;
        let client = match projects.client(&id).await {
            Ok(client) => client,
            Err(e) => return (ItemState::Failed, Some(e.to_string())),
        };
        let trail = super::trail::Trail::new(
            projects.store().clone(),
            caller.name.clone(),
            Some(caller.id.clone()),
            Some(id.clone()),
        )
        .for_job(job);
        let consent = Consent {
            changes_shown: true,
            confirmed: true,
        };
        let saved = tokio::time::timeout(
            config.deadline,
            save(&client, &trail, kind, wanted, original, consent),
        )
        .await;
        match saved {
            Ok(Ok(saved)) => {
                super::snapshots::record(projects.store(), &id, kind, Ok(&saved.after), Some(&caller.name))
                    .await;
                (ItemState::Changed, None)
            }
            Ok(Err(AppError::Conflict { current })) => {
                let now = SettingsInput::from(current.as_ref());
                super::snapshots::record(projects.store(), &id, kind, Ok(&current), None).await;
                if now.normalised() == wanted.normalised() {
                    (ItemState::AsWanted, None)
                } else {
                    let state = super::snapshots::state_of(&current);
                    (
                        ItemState::Skipped,
                        Some(format!("Twilio now holds: {}", words(&state))),
                    )
                }
            }
            Ok(Err(e @ AppError::OutcomeUnknown(_))) => (ItemState::Unknown, Some(e.to_string())),
            Ok(Err(e)) => (ItemState::Failed, Some(e.to_string())),
            Err(_) => (
                ItemState::Unknown,
                Some(format!(
                    "Twilio did not answer within {} seconds; the next refresh tells what it holds.",
                    config.deadline.as_secs()
                )),
            ),
        }
    }
}

/// `caller` as the database holds them now; why not when their account is
/// gone or its password changed (the sessions it started have ended).
async fn current(store: &Store, caller: &Caller) -> Result<Caller, String> {
    let gone = "the staff member who applied this change can no longer sign in (account removed or password changed)";
    match store.staff_with_projects(&caller.id).await {
        Ok(Some((row, projects))) => {
            let now = Caller {
                password_stamp: super::auth::password_stamp(&row.password_hash),
                id: row.id,
                name: row.name,
                role: row.role,
                projects,
            };
            if now.password_stamp != caller.password_stamp {
                return Err(gone.into());
            }
            Ok(now)
        }
        Ok(None) => Err(gone.into()),
        Err(e) => Err(format!("who applied it could not be read again: {e}")),
    }
}

/// A state in words: "encryption on with CR…, storage in S3 at https://…".
fn words(state: &crate::domain::fleet::SettingsState) -> String {
    let encryption = match (&state.encryption_enabled, &state.encryption_key_sid) {
        (true, Some(sid)) => format!("encryption on with {sid}"),
        (true, None) => "encryption on".to_owned(),
        (false, _) => "encryption off".to_owned(),
    };
    let storage = match (&state.storage_enabled, &state.aws_s3_url) {
        (true, Some(url)) => format!("storage in S3 at {url}"),
        (true, None) => "storage in S3".to_owned(),
        (false, _) => "storage in Twilio's cloud".to_owned(),
    };
    format!("{encryption}, {storage}")
}

/// A fresh dry run of what an interrupted job did not finish (in flight,
/// not applied, failed): its new job's id.
pub async fn resume(store: &Store, caller: &Caller, id: &str) -> Result<String, AppError> {
    let found = job(store, caller, id).await?;
    if !found.can_apply {
        return Err(AppError::Forbidden(
            "The change names projects you may not change.".into(),
        ));
    }
    if found.stage != JobStage::Interrupted {
        return Err(AppError::Request(
            "Only an interrupted bulk change can be resumed.".into(),
        ));
    }
    let row = store
        .bulk_job(id)
        .await
        .map_err(internal)?
        .ok_or_else(|| AppError::NotFound("There is no such bulk change.".into()))?;
    let rest: Vec<String> = found
        .items
        .iter()
        .filter(|i| {
            matches!(
                i.state,
                ItemState::InFlight | ItemState::NotApplied | ItemState::Failed
            )
        })
        .map(|i| i.project_id.clone())
        .collect();
    dry_run(
        store,
        caller,
        &Change {
            kind: row.kind,
            source: row.source,
            template: row.template,
            follow: row.follow_template,
        },
        &rest,
    )
    .await
}
