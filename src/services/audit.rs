//! Recording and reading the audit trail. Entries are written after the
//! change they describe succeeded; secrets are never part of them.

use super::auth::Caller;
use crate::domain::audit::{AuditAction, AuditEntry, AuditFilter, AuditPage, AUDIT_PER_PAGE};
use crate::domain::{AppError, ProjectId, Role};
use crate::store::{AuditScope, Store};

/// What one entry says.
pub struct Record<'a> {
    pub staff: &'a str,
    /// The staff member's id; none for the console's own entries.
    pub staff_id: Option<&'a crate::domain::StaffId>,
    pub project: Option<&'a ProjectId>,
    pub action: AuditAction,
    pub summary: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Adds an entry. A failure is logged with the entry's whole content (it
/// never holds a secret), so the record survives in the log: the change it
/// describes is done.
pub async fn record(store: &Store, record: Record<'_>) {
    let staff_id = record.staff_id.map(|id| id.as_str().to_owned());
    let entry = AuditEntry {
        at: crate::store::now(),
        staff: record.staff.to_owned(),
        project: record.project.map(ToString::to_string),
        action: record.action.slug().to_owned(),
        summary: record.summary,
        before: record.before,
        after: record.after,
        outcome: None,
    };
    if let Err(e) = store.add_audit(&entry, staff_id.as_deref()).await {
        tracing::error!(
            at = entry.at,
            staff = entry.staff,
            staff_id,
            project = entry.project,
            action = entry.action,
            summary = entry.summary,
            before = entry.before,
            after = entry.after,
            "the audit entry could not be written: {e}"
        );
    }
}

/// What `caller` may read: everything for admins, their projects' entries
/// for editors; viewers read none.
fn scope(caller: &Caller) -> Result<AuditScope<'_>, AppError> {
    match caller.role {
        Role::Admin => Ok(AuditScope::Everything),
        Role::Editor => Ok(AuditScope::Projects(&caller.projects)),
        Role::Viewer => Err(AppError::Forbidden(
            "Your role (viewer) may not read the audit trail.".into(),
        )),
    }
}

/// One page of the entries `filter` matches, newest first.
pub async fn page(
    store: &Store,
    caller: &Caller,
    filter: &AuditFilter,
    page: usize,
) -> Result<AuditPage, AppError> {
    let scope = scope(caller)?;
    // Beyond any real trail; keeps the offset a number databases accept.
    let page = page.clamp(1, 1_000_000);
    let (entries, matching) = store
        .audit(filter, scope, (page - 1) * AUDIT_PER_PAGE, AUDIT_PER_PAGE)
        .await
        .map_err(super::projects::internal)?
        .map_err(AppError::Request)?;
    Ok(AuditPage {
        entries,
        matching,
        page,
        pages: matching.div_ceil(AUDIT_PER_PAGE).max(1),
    })
}

/// The file formats of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// Whether `caller` may export with `filter`: refused before the file
/// starts, so the refusal is an answer of its own, not a broken file.
pub fn check_export(caller: &Caller, filter: &AuditFilter) -> Result<(), AppError> {
    scope(caller)?;
    for (label, date) in [("From", &filter.from), ("To", &filter.to)] {
        if let Some(date) = date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            crate::domain::audit::day_start(date)
                .map_err(|e| AppError::Request(format!("{label}: {e}")))?;
        }
    }
    Ok(())
}

/// Sends every entry `filter` matches, newest first, to `to`, as the
/// database reads them: all of them (no cap), in memory that stays the same
/// however many there are. Stops when `to` is closed (the reader left).
pub async fn export(
    store: &Store,
    caller: &Caller,
    filter: &AuditFilter,
    to: &tokio::sync::mpsc::Sender<AuditEntry>,
) -> Result<(), AppError> {
    store
        .send_audit(filter, scope(caller)?, to)
        .await
        .map_err(super::projects::internal)?
        .map_err(AppError::Request)
}

/// Writes entries one by one as an export file of `format`.
pub struct ExportWriter {
    format: ExportFormat,
    written: usize,
}

impl ExportWriter {
    pub fn new(format: ExportFormat) -> Self {
        Self { format, written: 0 }
    }

    /// What the file starts with.
    pub fn start(&self) -> &'static str {
        match self.format {
            ExportFormat::Csv => CSV_HEADER,
            ExportFormat::Json => "[",
        }
    }

    /// One entry, as it follows those before it.
    pub fn entry(&mut self, entry: &AuditEntry) -> String {
        self.written += 1;
        match self.format {
            ExportFormat::Csv => csv_line(entry),
            ExportFormat::Json => format!(
                "{}{}",
                if self.written == 1 { "\n" } else { ",\n" },
                serde_json::to_string(entry).unwrap_or_default()
            ),
        }
    }

    /// What the file ends with.
    pub fn end(&self) -> &'static str {
        match self.format {
            ExportFormat::Csv => "",
            ExportFormat::Json if self.written == 0 => "]\n",
            ExportFormat::Json => "\n]\n",
        }
    }
}

const CSV_HEADER: &str = "time,staff,project,action,summary,before,after,outcome\r\n";

/// One CSV cell (RFC 4180 quoting). A leading =, +, - or @ would run as a
/// formula in a spreadsheet, so it is neutralised with a quote.
pub fn csv_field(value: &str) -> String {
    // Tab and carriage return too: some spreadsheets skip them and read
    // the formula behind.
    // And ' itself, so that a file import can strip exactly one.
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", value.replace('"', "\"\""))
}

/// One entry as a CSV line.
fn csv_line(e: &AuditEntry) -> String {
    let when = crate::domain::LoginCheck {
        at: e.at,
        worked: true,
        message: None,
    }
    .when();
    let mut line = [
        when.as_str(),
        &e.staff,
        e.project.as_deref().unwrap_or(""),
        &e.action,
        &e.summary,
        e.before.as_deref().unwrap_or(""),
        e.after.as_deref().unwrap_or(""),
        e.outcome.map_or("done", |o| o.slug()),
    ]
    .map(csv_field)
    .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn cells_a_spreadsheet_would_run_as_formulas_are_neutralised() {
        for (value, cell) in [
            (
                "=HYPERLINK(\"http://evil\")",
                "\"'=HYPERLINK(\"\"http://evil\"\")\"",
            ),
            ("+1", "\"'+1\""),
            ("-2", "\"'-2\""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("\t=1", "\"'\t=1\""),
            ("\r=1", "\"'\r=1\""),
            ("Acme = video", "\"Acme = video\""),
            ("", "\"\""),
        ] {
            assert_eq!(csv_field(value), cell, "{value:?}");
        }
    }
}
