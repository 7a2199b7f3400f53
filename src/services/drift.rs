//! Drift: how far each project is from the templates it follows, from its
//! snapshots and the credential lists its last refresh kept: no Twilio
//! call. Computed again after every refresh, template change and
//! assignment.

use crate::domain::template::{drift, Listed, ProjectFacts};
use crate::store::{DriftInput, DriftOf, DriftRow, Store, StoreError};

/// One project's drift from one template, from what the store holds.
pub fn compute(input: &DriftInput, now: i64) -> DriftRow {
    let fields = input.state.as_ref().map(|state| {
        drift(
            &input.template.template,
            state,
            &ProjectFacts {
                id: &input.project_id,
                account_sid: &input.account_sid,
                name: &input.name,
            },
            &Listed {
                keys: input.keys.as_deref(),
                aws: input.aws.as_deref(),
            },
        )
    });
    DriftRow {
        project_id: input.project_id.clone(),
        kind: input.template.kind,
        template_id: input.template.id.clone(),
        template_name: input.template.template.name.clone(),
        fields,
        computed_at: now,
    }
}

/// Computes the drift of `of` again and keeps it; how many
/// project-and-template pairs were computed.
pub async fn recompute(store: &Store, of: DriftOf<'_>) -> Result<usize, StoreError> {
    let now = crate::store::now();
    let inputs = store.drift_inputs(of).await?;
    let rows: Vec<DriftRow> = inputs.iter().map(|input| compute(input, now)).collect();
    store.replace_drift(of, &rows).await?;
    Ok(rows.len())
}

/// As [`recompute`], for after a change already made: a failure is logged,
/// not returned (the next refresh computes it again).
pub async fn recompute_after(store: &Store, of: DriftOf<'_>) {
    if let Err(e) = recompute(store, of).await {
        tracing::warn!("drift could not be computed again: {e}");
    }
}
