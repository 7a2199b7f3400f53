//! The fleet as a person may see it: one page, or every row as a file.
//! Everything comes from the snapshots; no Twilio call is made.

use super::audit::{csv_field, ExportFormat};
use super::auth::Caller;
use super::refresh::scope_of;
use crate::domain::fleet::{FleetPage, FleetQuery, FleetRow, KindCell, FLEET_PER_PAGE};
use crate::domain::AppError;
use crate::store::Store;

/// One page of the view `query`, with its counts and the running refresh.
pub async fn page(
    store: &Store,
    caller: &Caller,
    query: &FleetQuery,
) -> Result<FleetPage, AppError> {
    let now = crate::store::now();
    let scope = scope_of(caller);
    let ((rows, counts), job) = tokio::try_join!(
        store.fleet(query, &scope, now, FLEET_PER_PAGE),
        store.job_progress(None, &scope)
    )
    .map_err(super::projects::internal)?;
    let job = job.map(|job| super::refresh::shown_to(caller, job));
    let can_change = caller.role != crate::domain::Role::Viewer;
    let templates = if can_change {
        store
            .templates()
            .await
            .map_err(super::projects::internal)?
            .into_iter()
            .map(|t| (t.id, t.template.name, t.kind))
            .collect()
    } else {
        Vec::new()
    };
    let undelivered = store
        .undelivered(20)
        .await
        .map_err(super::projects::internal)?
        .into_iter()
        .filter(|u| {
            u.project_id
                .parse::<crate::domain::ProjectId>()
                .is_ok_and(|p| caller.sees(&p))
        })
        .map(|u| {
            let what = serde_json::from_str::<super::alerts::AlertBody>(&u.body)
                .map(|b| format!("{} of {} {}", b.kind.title(), b.project_name, b.what))
                .unwrap_or_else(|_| u.project_id.clone());
            let state = if u.failed {
                "given up after"
            } else {
                "trying again after"
            };
            format!(
                "{what}: not delivered to {}, {state} {} {}: {}",
                u.host,
                u.attempts,
                if u.attempts == 1 { "try" } else { "tries" },
                u.last_error.unwrap_or_default()
            )
        })
        .collect();
    Ok(FleetPage {
        undelivered,
        new_subaccounts: Vec::new(),
        can_change,
        can_assign: caller.role == crate::domain::Role::Admin,
        templates,
        rows,
        matching: counts.projects,
        page: query.page,
        pages: counts.projects.div_ceil(FLEET_PER_PAGE).max(1),
        counts,
        job,
        now,
    })
}

/// Sends every row of the view to `to`, as the database reads them.
pub async fn export(
    store: &Store,
    caller: &Caller,
    query: &FleetQuery,
    to: &tokio::sync::mpsc::Sender<FleetRow>,
) -> Result<(), AppError> {
    store
        .send_fleet(query, &scope_of(caller), crate::store::now(), to)
        .await
        .map_err(super::projects::internal)
}

const CSV_HEADER: &str = "project,name,account_sid,\
composition_encryption,composition_key_name,composition_key_sid,composition_storage,composition_s3_url,composition_aws_credential_name,composition_aws_credential_sid,composition_read_at,composition_changed_at,composition_changed_by,\
recording_encryption,recording_key_name,recording_key_sid,recording_storage,recording_s3_url,recording_aws_credential_name,recording_aws_credential_sid,recording_read_at,recording_changed_at,recording_changed_by,\
problems,drift\r\n";

fn time(at: Option<i64>) -> String {
    at.map(crate::domain::project::utc_time).unwrap_or_default()
}

/// Who made the last change, in words.
pub fn changed_by(cell: &KindCell) -> String {
    match (&cell.changed_by, cell.outside) {
        (Some(name), _) => name.clone(),
        (None, true) => "outside the console".into(),
        (None, false) => String::new(),
    }
}

fn kind_cells(cell: &KindCell) -> Vec<String> {
    let state = cell.state.clone().unwrap_or_default();
    let known = cell.state.is_some();
    let on_off = |on: bool, yes: &str, no: &str| {
        if !known {
            String::new()
        } else if on {
            yes.to_owned()
        } else {
            no.to_owned()
        }
    };
    vec![
        on_off(state.encryption_enabled, "on", "off"),
        state.encryption_key_name.unwrap_or_default(),
        state.encryption_key_sid.unwrap_or_default(),
        on_off(state.storage_enabled, "s3", "twilio"),
        state.aws_s3_url.unwrap_or_default(),
        state.aws_credentials_name.unwrap_or_default(),
        state.aws_credentials_sid.unwrap_or_default(),
        time(cell.read_at),
        time(cell.changed_at),
        changed_by(cell),
    ]
}

/// Writes rows one by one as an export file of `format`.
pub struct FleetWriter {
    format: ExportFormat,
    written: usize,
}

impl FleetWriter {
    pub fn new(format: ExportFormat) -> Self {
        Self { format, written: 0 }
    }

    pub fn start(&self) -> &'static str {
        match self.format {
            ExportFormat::Csv => CSV_HEADER,
            ExportFormat::Json => "[",
        }
    }

    pub fn row(&mut self, row: &FleetRow) -> String {
        self.written += 1;
        match self.format {
            ExportFormat::Csv => {
                let mut cells = vec![row.id.clone(), row.name.clone(), row.account_sid.clone()];
                cells.extend(kind_cells(&row.composition));
                cells.extend(kind_cells(&row.recording));
                cells.push(row.problems().join("; "));
                cells.push(row.drift_words().unwrap_or_default());
                let mut line = cells
                    .iter()
                    .map(|c| csv_field(c))
                    .collect::<Vec<_>>()
                    .join(",");
                line.push_str("\r\n");
                line
            }
            ExportFormat::Json => {
                let mut value = serde_json::to_value(row).unwrap_or_default();
                if let Some(object) = value.as_object_mut() {
                    object.insert("problems".into(), row.problems().into());
                    object.insert("drift".into(), row.drift_words().into());
                }
                format!("{}{}", if self.written == 1 { "\n" } else { ",\n" }, value)
            }
        }
    }

    pub fn end(&self) -> &'static str {
        match self.format {
            ExportFormat::Csv => "",
            ExportFormat::Json if self.written == 0 => "]\n",
            ExportFormat::Json => "\n]\n",
        }
    }
}
