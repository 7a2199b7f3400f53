//! Recording and reading the audit trail. Entries are written after the
//! change they describe succeeded; secrets are never part of them.

use super::auth::Caller;
use crate::domain::audit::{AuditAction, AuditEntry, AuditFilter, AuditPage, AUDIT_PER_PAGE};
use crate::domain::{AppError, ProjectId, Role};
use crate::store::{AuditScope, Store};

/// What one entry says.
pub struct Record<'a> {
    pub staff: &'a str,
    pub project: Option<&'a ProjectId>,
    pub action: AuditAction,
    pub summary: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Adds an entry. A failure is logged: the change it describes is done.
pub async fn record(store: &Store, record: Record<'_>) {
    let entry = AuditEntry {
        at: crate::store::now(),
        staff: record.staff.to_owned(),
        project: record.project.map(ToString::to_string),
        action: record.action.slug().to_owned(),
        summary: record.summary,
        before: record.before,
        after: record.after,
    };
    if let Err(e) = store.add_audit(&entry).await {
        tracing::error!(
            action = entry.action,
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

/// Most entries one export holds.
pub const MAX_EXPORT: usize = 10_000;

/// Every entry `filter` matches (up to `MAX_EXPORT`), newest first.
pub async fn export(
    store: &Store,
    caller: &Caller,
    filter: &AuditFilter,
) -> Result<Vec<AuditEntry>, AppError> {
    let scope = scope(caller)?;
    let (entries, _) = store
        .audit(filter, scope, 0, MAX_EXPORT)
        .await
        .map_err(super::projects::internal)?
        .map_err(AppError::Request)?;
    Ok(entries)
}

/// The entries as CSV (RFC 4180 quoting), with a header line.
pub fn to_csv(entries: &[AuditEntry]) -> String {
    fn field(value: &str) -> String {
        // A leading =, +, - or @ would run as a formula in a spreadsheet.
        let value = if value.starts_with(['=', '+', '-', '@']) {
            format!("'{value}")
        } else {
            value.to_owned()
        };
        format!("\"{}\"", value.replace('"', "\"\""))
    }
    let mut out = String::from("time,staff,project,action,summary,before,after\r\n");
    for e in entries {
        let when = crate::domain::LoginCheck {
            at: e.at,
            worked: true,
            message: None,
        }
        .when();
        let line = [
            when.as_str(),
            &e.staff,
            e.project.as_deref().unwrap_or(""),
            &e.action,
            &e.summary,
            e.before.as_deref().unwrap_or(""),
            e.after.as_deref().unwrap_or(""),
        ]
        .map(field)
        .join(",");
        out.push_str(&line);
        out.push_str("\r\n");
    }
    out
}
