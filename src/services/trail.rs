//! Changes at Twilio, recorded in two steps: an attempt with who, what and
//! the values sent, written before the call (no attempt row, no call), then
//! a completion with the outcome. A process killed in between leaves the
//! attempt alone, which the audit page shows as "outcome unknown".

use crate::domain::audit::{AuditAction, AuditEntry, AuditOutcome};
use crate::domain::{AppError, ProjectId, StaffId};
use crate::store::Store;

/// Who is changing which project, for the entries of their changes.
#[derive(Clone)]
pub struct Trail {
    store: Store,
    staff: String,
    staff_id: Option<StaffId>,
    project: Option<ProjectId>,
    /// The bulk job the changes belong to, named in their summaries.
    job: Option<String>,
}

/// An attempt on record, waiting for its outcome.
pub struct Attempt {
    id: String,
    trail: Trail,
    action: AuditAction,
    summary: String,
    sent: Option<String>,
}

impl Trail {
    /// The trail of what `caller` does, about no project in particular.
    pub fn of(store: &Store, caller: &super::Caller) -> Self {
        Self::new(store.clone(), &caller.name, Some(caller.id.clone()), None)
    }

    pub fn new(
        store: Store,
        staff: impl Into<String>,
        staff_id: Option<StaffId>,
        project: Option<ProjectId>,
    ) -> Self {
        Self {
            store,
            staff: staff.into(),
            staff_id,
            project,
            job: None,
        }
    }

    /// The same trail, for the changes of bulk job `job`.
    pub fn for_job(mut self, job: &str) -> Self {
        self.job = Some(job.to_owned());
        self
    }

    fn entry(
        &self,
        action: AuditAction,
        summary: String,
        before: Option<String>,
        after: Option<String>,
        outcome: AuditOutcome,
    ) -> AuditEntry {
        let summary = match &self.job {
            Some(job) => format!("{summary} (bulk change {job})"),
            None => summary,
        };
        AuditEntry {
            at: crate::store::now(),
            staff: self.staff.clone(),
            project: self.project.as_ref().map(ToString::to_string),
            action: action.slug().to_owned(),
            summary,
            before,
            after,
            outcome: Some(outcome),
        }
    }

    /// The entry for a change that touches only the store, to be written in
    /// that change's own transaction (`store::Audited`), and the staff id.
    pub fn one_step(
        &self,
        project: Option<&ProjectId>,
        action: AuditAction,
        summary: String,
        before: Option<String>,
        after: Option<String>,
    ) -> (AuditEntry, Option<&str>) {
        let mut entry = self.entry(action, summary, before, after, AuditOutcome::Done);
        entry.outcome = None;
        if let Some(project) = project {
            entry.project = Some(project.to_string());
        }
        (entry, self.staff_id.as_ref().map(|id| id.as_str()))
    }

    /// Records that `action` is about to be sent, with the values `sent`
    /// (never a secret). If that cannot be written, nothing is sent.
    pub async fn attempt(
        &self,
        action: AuditAction,
        summary: String,
        sent: Option<String>,
    ) -> Result<Attempt, AppError> {
        let entry = self.entry(
            action,
            summary.clone(),
            None,
            sent.clone(),
            AuditOutcome::Attempted,
        );
        let staff_id = self.staff_id.as_ref().map(|id| id.as_str());
        match self.store.add_audit(&entry, staff_id).await {
            Ok(id) => Ok(Attempt {
                id,
                trail: self.clone(),
                action,
                summary,
                sent,
            }),
            Err(e) => {
                // Logged there: no attempt on record, so nothing is sent.
                Err(super::projects::internal(e))
            }
        }
    }
}

/// Whether the outcome reached the audit trail. When it did not, the log
/// holds it in full; the person is told the change was not recorded.
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recorded(pub bool);

impl Attempt {
    /// Twilio made the change: what it held before and holds after.
    pub async fn done(self, before: Option<String>, after: Option<String>) -> Recorded {
        let summary = self.summary.clone();
        self.complete(summary, before, after, AuditOutcome::Done)
            .await
    }

    /// Twilio refused, or the change is known not to have been made.
    pub async fn failed(self, why: &AppError) -> Recorded {
        let summary = format!("{}: not made: {why}", self.summary);
        let sent = self.sent.clone();
        self.complete(summary, None, sent, AuditOutcome::Failed)
            .await
    }

    /// Twilio's answer was unclear and a check could not tell.
    pub async fn unknown(self, why: &str) -> Recorded {
        let summary = format!("{}: {why}", self.summary);
        let sent = self.sent.clone();
        self.complete(summary, None, sent, AuditOutcome::Unknown)
            .await
    }

    async fn complete(
        self,
        summary: String,
        before: Option<String>,
        after: Option<String>,
        outcome: AuditOutcome,
    ) -> Recorded {
        let entry = self
            .trail
            .entry(self.action, summary, before, after, outcome);
        let staff_id = self.trail.staff_id.as_ref().map(|id| id.as_str());
        match self
            .trail
            .store
            .complete_audit(&self.id, &entry, staff_id)
            .await
        {
            Ok(_) => Recorded(true),
            Err(e) => {
                // The log keeps what the trail could not (never a secret).
                tracing::error!(
                    attempt = self.id,
                    at = entry.at,
                    staff = entry.staff,
                    staff_id,
                    project = entry.project,
                    action = entry.action,
                    outcome = outcome.slug(),
                    summary = entry.summary,
                    before = entry.before,
                    after = entry.after,
                    "the outcome of a change could not be written to the audit trail: {e}"
                );
                Recorded(false)
            }
        }
    }
}
