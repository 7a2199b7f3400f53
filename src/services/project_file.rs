//! Projects as a file (admins): CSV or JSON of each project's name,
//! account, login kind and key SID, its last connection test and the
//! templates it follows; never a secret. The `secret` column is there,
//! empty, so the file reads back as an import once secrets are filled in.

use super::projects::internal;
use super::{Action, Caller};
use crate::domain::{AppError, ProjectSummary};
use crate::store::Store;
use std::collections::HashMap;

/// The columns, in the order the CSV has them.
pub const COLUMNS: [&str; 8] = [
    "name",
    "account_sid",
    "login",
    "api_key_sid",
    "secret",
    "last_test",
    "composition_template",
    "recording_template",
];

/// The file, whole: a few hundred bytes a project.
pub async fn export(store: &Store, caller: &Caller, json: bool) -> Result<String, AppError> {
    caller.may(Action::Administer, None)?;
    let projects: Vec<ProjectSummary> = store
        .list_projects()
        .await
        .map_err(internal)?
        .iter()
        .map(|row| row.summary())
        .collect();
    let mut follows: HashMap<(String, String), String> = HashMap::new();
    for (project, kind, template) in store.template_assignments().await.map_err(internal)? {
        follows.insert((project, kind), template);
    }
    let template =
        |p: &ProjectSummary, kind: &str| follows.get(&(p.id.to_string(), kind.to_owned())).cloned();
    Ok(if json {
        let rows: Vec<_> = projects
            .iter()
            .map(|p| {
                serde_json::json!({
                    "name": p.name,
                    "account_sid": p.account_sid,
                    "login": p.login.slug(),
                    "api_key_sid": p.api_key_sid,
                    "secret": null,
                    "last_test": p.check.as_ref().map(|c| serde_json::json!({
                        "at": c.when(), "worked": c.worked, "message": c.message,
                    })),
                    "composition_template": template(p, "composition"),
                    "recording_template": template(p, "recording"),
                })
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&serde_json::json!({ "projects": rows }))
            .expect("serializable");
        text.push('\n');
        text
    } else {
        let mut text = COLUMNS.join(",");
        text.push_str("\r\n");
        for p in &projects {
            let test = match &p.check {
                None => String::new(),
                Some(c) if c.worked => format!("works ({})", c.when()),
                Some(c) => format!(
                    "failed ({}): {}",
                    c.when(),
                    c.message.as_deref().unwrap_or("no answer")
                ),
            };
            let key = p
                .api_key_sid
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let cells = [
                p.name.clone(),
                p.account_sid.to_string(),
                p.login.slug().to_owned(),
                key,
                String::new(),
                test,
                template(p, "composition").unwrap_or_default(),
                template(p, "recording").unwrap_or_default(),
            ];
            let line: Vec<String> = cells.iter().map(|c| super::audit::csv_field(c)).collect();
            text.push_str(&line.join(","));
            text.push_str("\r\n");
        }
        text
    })
}
