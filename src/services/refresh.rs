//! Refreshing the fleet: a job in the database lists the projects to read;
//! every instance's worker claims items with a lease and reads each
//! project through the same services a page uses, recording a snapshot.
//! A scheduler, held by one instance at a time through a lease, queues the
//! projects whose snapshots have grown older than the interval.

use super::auth::Caller;
use super::Projects;
use crate::domain::fleet::{JobProgress, SettingsState};
use crate::domain::{AppError, CredentialKind, ProjectId, Role, SettingsKind};
use crate::store::{Claimed, FleetScope, ItemEnd, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

/// How refreshes run.
#[derive(Clone, Debug)]
pub struct RefreshConfig {
    /// Projects read at once by this instance.
    pub concurrency: usize,
    /// The longest one project's reads may take, retries included.
    pub deadline: Duration,
    /// Snapshots older than this are refreshed in the background; `None`
    /// turns the scheduled refresh off.
    pub interval: Option<Duration>,
    /// How often an idle worker looks for work queued by other instances.
    pub poll: Duration,
    /// Where drift alerts go; `None`: nowhere.
    pub alerts: Option<super::alerts::AlertConfig>,
}

impl Default for RefreshConfig {
    fn default() -> Self {
        Self {
            concurrency: 64,
            deadline: Duration::from_secs(20),
            interval: Some(Duration::from_secs(15 * 60)),
            poll: Duration::from_millis(500),
            alerts: None,
        }
    }
}

/// The refresh machinery of one console instance. Cheap to clone.
#[derive(Clone)]
pub struct Refresher {
    inner: Arc<Inner>,
}

struct Inner {
    projects: Projects,
    config: RefreshConfig,
    /// This instance's name in leases and claims.
    instance: String,
    /// Wakes the worker when this instance queued work.
    wake: Notify,
    tasks: std::sync::Mutex<Vec<tokio::task::AbortHandle>>,
}

/// The scheduler's lease.
const SCHEDULE_LEASE: &str = "schedule";

impl Refresher {
    /// Starts the worker (and the scheduler, when an interval is set).
    pub fn start(projects: Projects, config: RefreshConfig) -> Self {
        let refresher = Self {
            inner: Arc::new(Inner {
                projects,
                config,
                instance: uuid::Uuid::new_v4().simple().to_string(),
                wake: Notify::new(),
                tasks: std::sync::Mutex::default(),
            }),
        };
        let worker = tokio::spawn(work(refresher.clone()));
        let mut tasks = vec![worker.abort_handle()];
        if let Some(interval) = refresher.inner.config.interval {
            tasks.push(tokio::spawn(schedule(refresher.clone(), interval)).abort_handle());
        }
        if let Some(alerts) = refresher.inner.config.alerts.clone() {
            let (store, owner) = (refresher.store().clone(), refresher.inner.instance.clone());
            tasks.push(tokio::spawn(super::alerts::deliver(store, alerts, owner)).abort_handle());
        }
        *refresher.tasks() = tasks;
        refresher
    }

    fn tasks(&self) -> std::sync::MutexGuard<'_, Vec<tokio::task::AbortHandle>> {
        lock(&self.inner.tasks)
    }

    /// Stops this instance's worker and scheduler at once, as a killed
    /// process would: what it claimed stays claimed until its lease ends.
    pub fn stop(&self) {
        for task in self.tasks().drain(..) {
            task.abort();
        }
    }

    fn store(&self) -> &Store {
        self.inner.projects.store()
    }

    /// Starts a refresh of `ids` for `caller`, or adds them to the one
    /// running: where it stands now. Callers refresh only projects they
    /// may read (a refresh is a read).
    pub async fn request(&self, caller: &Caller, ids: &[String]) -> Result<JobProgress, AppError> {
        let ids: Vec<String> = ids
            .iter()
            .filter(|id| {
                id.parse::<ProjectId>()
                    .is_ok_and(|project| caller.sees(&project))
            })
            .cloned()
            .collect();
        let now = crate::store::now();
        if ids.is_empty() {
            // Nothing to read: no job, and nobody else's is shown.
            return Ok(JobProgress {
                started_at: now,
                started_by: caller.name.clone(),
                finished_at: Some(now),
                ..JobProgress::default()
            });
        }
        let store = self.store();
        let (job, _) = store
            .queue_refresh(&caller.name, now, &ids)
            .await
            .map_err(super::projects::internal)?;
        self.inner.wake.notify_one();
        let progress = store
            .job_progress(Some(&job), &scope_of(caller))
            .await
            .map_err(super::projects::internal)?
            .ok_or_else(|| {
                AppError::Request("The refresh ended before it could be shown.".into())
            })?;
        Ok(shown_to(caller, progress))
    }

    fn lease_seconds(&self) -> i64 {
        self.inner.config.deadline.as_secs() as i64 + 10
    }
}

/// A job as `caller` may see it: who started it is named to admins and to
/// the one who did (or when the schedule did); to others it is "another
/// staff member".
pub fn shown_to(caller: &Caller, mut job: JobProgress) -> JobProgress {
    let named = caller.role == Role::Admin
        || job.started_by == caller.name
        || job.started_by == SCHEDULE_STARTER;
    if !named {
        job.started_by = "another staff member".into();
    }
    job
}

/// Who the scheduled refresh's jobs are started by.
const SCHEDULE_STARTER: &str = "the schedule";

/// What `caller` sees of the fleet.
pub fn scope_of(caller: &Caller) -> FleetScope<'_> {
    match caller.role {
        Role::Admin => FleetScope::Everything,
        Role::Editor | Role::Viewer => FleetScope::AssignedTo(&caller.id),
    }
}

/// Claims work while there is room, and reads each claimed project in a
/// task of its own, so a slow one holds back no other. After a claim that
/// failed (its answer may have been lost after the database committed it),
/// what this instance holds but is not reading goes back to the queue.
async fn work(refresher: Refresher) {
    let config = refresher.inner.config.clone();
    let room = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let reading: Arc<std::sync::Mutex<Vec<Claimed>>> = Arc::default();
    let mut claim_failed = false;
    loop {
        let store = refresher.store();
        if claim_failed {
            let held = lock(&reading).clone();
            match store.release_unread(&refresher.inner.instance, &held).await {
                Ok(n) => {
                    claim_failed = false;
                    if n > 0 {
                        tracing::info!(
                            items = n,
                            "claims whose answer was lost went back to the queue"
                        );
                    }
                }
                Err(e) => tracing::debug!("could not look for lost claims yet: {e}"),
            }
        }
        let free = room.available_permits();
        let claimed = if free == 0 {
            Vec::new()
        } else {
            let now = crate::store::now();
            match store
                .claim(
                    &refresher.inner.instance,
                    now,
                    now + refresher.lease_seconds(),
                    free,
                )
                .await
            {
                Ok(claimed) => claimed,
                Err(e) => {
                    claim_failed = true;
                    crate::store::outage::note_unavailable(&e);
                    tracing::warn!("the refresh worker could not claim work: {e}");
                    Vec::new()
                }
            }
        };
        if claimed.is_empty() {
            if let Err(e) = store.close_job_if_done(crate::store::now()).await {
                tracing::debug!("could not end the refresh job: {e}");
            }
            let _ = tokio::time::timeout(config.poll, refresher.inner.wake.notified()).await;
            continue;
        }
        lock(&reading).extend(claimed.iter().cloned());
        for item in claimed {
            let Ok(permit) = room.clone().acquire_owned().await else {
                return;
            };
            let (refresher, reading) = (refresher.clone(), reading.clone());
            tokio::spawn(async move {
                refresh_item(&refresher, &item).await;
                lock(&reading).retain(|held| held != &item);
                drop(permit);
            });
        }
    }
}

fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Reads one claimed project under its deadline and ends its item. When the
/// database cannot take the outcome, it is tried again for a while; after
/// that the lease runs out and the item is claimed again.
async fn refresh_item(refresher: &Refresher, item: &Claimed) {
    let deadline = refresher.inner.config.deadline;
    let end =
        match tokio::time::timeout(deadline, refresh_project(refresher, &item.project_id)).await {
            Ok(Ok(())) => ItemEnd::Done,
            Ok(Err(why)) => ItemEnd::Failed(why),
            Err(_) => {
                let why = AppError::did_not_answer(deadline.as_secs()).to_string();
                // Bounded too: the lease must not run out while this waits.
                let _ = tokio::time::timeout(
                    Duration::from_secs(5),
                    record_failure(refresher.store(), &item.project_id, &why),
                )
                .await;
                ItemEnd::Failed(why)
            }
        };
    for attempt in 0..10 {
        match refresher
            .store()
            .finish_item(item, &refresher.inner.instance, &end, crate::store::now())
            .await
        {
            Ok(_) => {
                let _ = refresher
                    .store()
                    .close_job_if_done(crate::store::now())
                    .await;
                return;
            }
            Err(e) => {
                tracing::warn!(
                    project = item.project_id,
                    attempt,
                    "could not end a refresh item: {e}"
                );
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn record_failure(store: &Store, project: &str, why: &str) {
    let Ok(project) = project.parse::<ProjectId>() else {
        return;
    };
    for kind in [SettingsKind::Composition, SettingsKind::Recording] {
        if let Err(e) = store
            .record_read(&project, kind, crate::store::now(), Err(why), None)
            .await
        {
            tracing::warn!(%project, "the failed refresh was not recorded: {e}");
        }
    }
}

/// Reads both kinds of a project's settings (at once: two requests per
/// account at most) and the names of the credentials they point to, and
/// records what it found. The error, in words, when either read failed.
pub async fn refresh_project(refresher: &Refresher, id: &str) -> Result<(), String> {
    let store = refresher.store();
    let project: ProjectId = id.parse().map_err(|e: String| e)?;
    let client = match refresher.inner.projects.client(&project).await {
        Ok(client) => client,
        Err(error) => {
            let why = error.to_string();
            record_failure(store, id, &why).await;
            return Err(why);
        }
    };
    let (composition, recording) = tokio::join!(
        client.fetch_settings(SettingsKind::Composition),
        client.fetch_settings(SettingsKind::Recording)
    );
    let words = |read: Result<crate::domain::MediaSettings, crate::twilio::TwilioError>| {
        read.map(|s| super::snapshots::state_of(&s))
            .map_err(|e| AppError::from(e).to_string())
    };
    let reads = [
        (SettingsKind::Composition, words(composition)),
        (SettingsKind::Recording, words(recording)),
    ];
    // Both lists, always: templates resolve their rules among them (see
    // `drift`), and they name the credentials the settings point to.
    let (keys, aws) = tokio::join!(
        client.list_credentials(CredentialKind::PublicKey),
        client.list_credentials(CredentialKind::Aws)
    );
    let now = crate::store::now();
    for (kind, listed) in [
        (CredentialKind::PublicKey, &keys),
        (CredentialKind::Aws, &aws),
    ] {
        if let Ok(listed) = listed {
            if let Err(e) = store.record_credentials(&project, kind, listed, now).await {
                tracing::warn!(%project, "the credential list was not recorded: {e}");
            }
        }
    }
    let (keys, aws) = (names(&keys), names(&aws));
    let mut failure = None;
    let mut changed = Vec::new();
    for (kind, read) in reads {
        let read = read.map(|state| named(state, &keys, &aws));
        let outcome = match &read {
            Ok(state) => Ok(state),
            Err(why) => Err(why.as_str()),
        };
        match store
            .record_read(&project, kind, crate::store::now(), outcome, None)
            .await
        {
            Ok(true) => changed.push(kind),
            Ok(false) => {}
            Err(e) => {
                crate::store::outage::note_unavailable(&e);
                failure = Some(format!(
                    "{} were read, but could not be recorded: {}",
                    kind.title(),
                    AppError::database_unavailable()
                ));
            }
        }
        if let (Err(why), None) = (&read, &failure) {
            failure = Some(format!("{}: {why}", kind.title()));
        }
    }
    let ids = [id.to_owned()];
    let alerts = refresher.inner.config.alerts.as_ref();
    // The drift before is read only when alerts compare it with the new.
    let before = match alerts {
        Some(_) => store.project_drift(&project).await.unwrap_or_default(),
        None => Vec::new(),
    };
    super::drift::recompute_after(store, crate::store::DriftOf::Projects(&ids)).await;
    if let Some(alerts) = alerts {
        let after = store.project_drift(&project).await.unwrap_or_default();
        let name = match store.project(&project).await {
            Ok(Some(row)) => row.name,
            _ => id.to_owned(),
        };
        super::alerts::note(store, alerts, &project, &name, &changed, &before, &after).await;
    }
    failure.map_or(Ok(()), Err)
}

/// The account's credentials by SID; none when they could not be listed
/// (the names are then left out).
fn names(
    listed: &Result<Vec<crate::domain::Credential>, crate::twilio::TwilioError>,
) -> Option<std::collections::HashMap<String, String>> {
    let listed = listed.as_ref().ok()?;
    Some(
        listed
            .iter()
            .map(|c| (c.sid.to_string(), c.name().to_owned()))
            .collect(),
    )
}

/// The state with its credentials' names, and those the account lacks.
fn named(
    mut state: SettingsState,
    keys: &Option<std::collections::HashMap<String, String>>,
    aws: &Option<std::collections::HashMap<String, String>>,
) -> SettingsState {
    let mut missing = Vec::new();
    for (sid, name, listed) in [
        (
            &state.encryption_key_sid,
            &mut state.encryption_key_name,
            keys,
        ),
        (
            &state.aws_credentials_sid,
            &mut state.aws_credentials_name,
            aws,
        ),
    ] {
        if let (Some(sid), Some(listed)) = (sid, listed) {
            match listed.get(sid) {
                Some(found) => *name = Some(found.clone()),
                None => missing.push(sid.clone()),
            }
        }
    }
    state.missing = missing;
    state
}

/// Every tick, whichever instance holds the schedule lease queues the
/// projects not read within `interval`. A tick is short beside the
/// interval, and the lease outlives one tick, so one instance keeps it
/// while it lives and another takes over when it stops.
async fn schedule(refresher: Refresher, interval: Duration) {
    let tick = (interval / 4).clamp(Duration::from_millis(250), Duration::from_secs(30));
    let lease = (tick * 3).as_secs().max(1) as i64;
    loop {
        let now = crate::store::now();
        let store = refresher.store();
        match store
            .take_lease(SCHEDULE_LEASE, &refresher.inner.instance, now, now + lease)
            .await
        {
            Ok(true) => {
                let before = now - interval.as_secs() as i64;
                match queue_stale(store, before, now).await {
                    Ok(0) => {}
                    Ok(n) => {
                        tracing::info!(projects = n, "scheduled refresh queued");
                        refresher.inner.wake.notify_one();
                    }
                    Err(e) => tracing::warn!("the scheduled refresh could not queue: {e}"),
                }
            }
            Ok(false) => {}
            Err(e) => tracing::warn!("the scheduled refresh could not take its lease: {e}"),
        }
        tokio::time::sleep(tick).await;
    }
}

async fn queue_stale(
    store: &Store,
    before: i64,
    now: i64,
) -> Result<usize, crate::store::StoreError> {
    let stale = store.stale_projects(before).await?;
    if stale.is_empty() {
        return Ok(0);
    }
    Ok(store.queue_refresh(SCHEDULE_STARTER, now, &stale).await?.1)
}
