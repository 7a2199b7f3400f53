//! Importing projects from a file (admins): a preview of every row with
//! what stops it (the add form's own checks, duplicates here and within the
//! file, a login Twilio refuses, tested 16 at a time), then, once
//! confirmed, the valid rows stored in one transaction. Until then the
//! file's secrets wait sealed for the admin who sent it, 30 minutes at most.

use super::file_rows::{self, FileRow};
use super::projects::{internal, new_id, store_failure, summary_json, test_login, Projects};
use super::trail::Trail;
use super::{Action, Caller};
use crate::domain::audit::AuditAction;
use crate::domain::project_file::{FilePreview, PreviewRow, RowCheck};
use crate::domain::{AppError, LoginKind, ProjectInput, ProjectSummary, ProjectUpdate};
use crate::store::{Audited, NewProject};
use futures_util::StreamExt;
use secrecy::ExposeSecret;
use std::collections::HashMap;
use std::time::Duration;

/// Logins tested at once during a preview, and each one's deadline; the
/// preview as a whole stops testing after `ALL_TESTS` (under the server
/// function's 30 s), keeping what it has.
const AT_ONCE: usize = 16;
const DEADLINE: Duration = Duration::from_secs(20);
const ALL_TESTS: Duration = Duration::from_secs(25);
/// How long a preview's secrets are held.
const LIFETIME: i64 = 30 * 60;

fn context(id: &str, caller: &Caller) -> String {
    format!("file import {id} for staff {}", caller.id)
}

fn login_of(text: &str) -> Option<LoginKind> {
    match text.trim().to_lowercase().replace([' ', '-'], "_").as_str() {
        "api_key" => Some(LoginKind::ApiKey),
        "auth_token" => Some(LoginKind::AuthToken),
        _ => None,
    }
}

impl Projects {
    /// Reads the file, checks every row and tests each valid login; keeps
    /// the preview (and the secrets, sealed). The preview's id.
    pub async fn preview_file(&self, caller: &Caller, text: &str) -> Result<String, AppError> {
        caller.may(Action::Administer, None)?;
        let rows = file_rows::read(text).map_err(AppError::Request)?;
        let known: HashMap<String, String> = self
            .store()
            .list_projects()
            .await
            .map_err(internal)?
            .into_iter()
            .map(|p| (p.account_sid.to_string(), p.name))
            .collect();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut checked: Vec<(PreviewRow, Option<ProjectUpdate>)> = Vec::new();
        for row in &rows {
            let (preview, update) = check_row(row, &known, &mut seen);
            checked.push((preview, update));
        }
        // Logins of the rows still valid, tested side by side.
        let valid: Vec<(usize, ProjectUpdate)> = checked
            .iter()
            .enumerate()
            .filter_map(|(i, (_, update))| update.clone().map(|u| (i, u)))
            .collect();
        let until = tokio::time::Instant::now() + ALL_TESTS;
        let tests = valid.into_iter().map(|(i, u)| {
            let client = self.login_client(
                &u.login,
                &u.account_sid,
                u.secret.clone().unwrap_or_default(),
            );
            async move {
                let deadline = until.min(tokio::time::Instant::now() + DEADLINE);
                let tested = tokio::time::timeout_at(deadline, test_login(&client, &u.account_sid))
                    .await
                    .unwrap_or_else(|_| Err(AppError::Unavailable {
                        message: "the login was not tested in time (Twilio answered slowly); send the file again to test it".into(),
                    }));
                (i, tested)
            }
        });
        let outcomes: Vec<(usize, Result<(), AppError>)> = futures_util::stream::iter(tests)
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
        for (i, tested) in outcomes {
            if let Err(e) = tested {
                checked[i].0.check = RowCheck::LoginFails {
                    message: e.to_string(),
                };
            }
        }
        let secrets: HashMap<usize, String> = rows
            .iter()
            .zip(&checked)
            .filter(|(_, (p, _))| p.check == RowCheck::Valid)
            .map(|(r, _)| (r.line, r.secret.trim().to_owned()))
            .collect();
        let previews: Vec<PreviewRow> = checked.into_iter().map(|(p, _)| p).collect();
        let id = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
        let sealed = self.vault().seal_note(
            &context(&id, caller),
            &serde_json::to_string(&secrets).expect("serializable"),
        );
        self.store()
            .create_file_import(
                &id,
                caller.id.as_str(),
                &previews,
                &sealed,
                crate::store::now() + LIFETIME,
            )
            .await
            .map_err(store_failure)?;
        Ok(id)
    }

    /// A preview, for the admin who made it.
    pub async fn file_preview(&self, caller: &Caller, id: &str) -> Result<FilePreview, AppError> {
        let row = self.file_import_of(caller, id).await?;
        Ok(FilePreview {
            id: row.id,
            can_confirm: row.stored.is_none() && row.sealed_secrets.is_some(),
            stored: row.stored.map(|n| n as usize),
            rows: row.rows,
        })
    }

    async fn file_import_of(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<crate::store::FileImportRow, AppError> {
        caller.may(Action::Administer, None)?;
        if let Err(e) = self.store().forget_expired_file_secrets().await {
            tracing::warn!("could not drop expired file secrets: {e}");
        }
        let row = self.store().file_import(id).await.map_err(internal)?;
        super::import::own_row(caller, "file import", id, row, |r| &r.staff_id)
    }

    /// Stores the preview's valid rows, all in one transaction; how many.
    pub async fn confirm_file(&self, caller: &Caller, id: &str) -> Result<usize, AppError> {
        let row = self.file_import_of(caller, id).await?;
        let expired = || {
            AppError::NotDone("This file's secrets are no longer held (they are kept 30 minutes, until the import is confirmed): send the file again.".into())
        };
        if row.stored.is_some() {
            return Err(AppError::NotDone("This file was imported already.".into()));
        }
        let sealed = row.sealed_secrets.as_deref().ok_or_else(expired)?;
        let opened = self
            .vault()
            .open_note(&context(id, caller), sealed)
            .map_err(|_| expired())?;
        let secrets: HashMap<usize, String> =
            serde_json::from_str(opened.expose_secret()).map_err(|_| expired())?;
        let key_check = self.key_check().await.map_err(store_failure)?;
        let trail = Trail::new(
            self.store().clone(),
            &caller.name,
            Some(caller.id.clone()),
            None,
        );
        struct Made {
            id: crate::domain::ProjectId,
            name: String,
            account_sid: crate::domain::AccountSid,
            login: LoginKind,
            key: Option<crate::domain::ApiKeySid>,
            sealed: String,
            entry: crate::domain::audit::AuditEntry,
        }
        let mut made = Vec::new();
        for preview in row.rows.iter().filter(|r| r.check == RowCheck::Valid) {
            let (Some(login), Some(secret)) = (preview.login, secrets.get(&preview.line)) else {
                continue;
            };
            // Checked again as the add form checks, so what is stored is the
            // trimmed name and the lower-case SIDs that form would store.
            let checked = ProjectInput {
                name: preview.name.clone(),
                account_sid: preview.account_sid.clone(),
                login,
                api_key_sid: preview.api_key_sid.clone(),
                secret: secret.clone(),
            }
            .validate(true);
            let Ok(update) = checked else { continue };
            let (account_sid, key) = (
                update.account_sid.clone(),
                update.login.api_key_sid().cloned(),
            );
            let preview = &PreviewRow {
                name: update.name.clone(),
                ..preview.clone()
            };
            let project = new_id();
            let summary = ProjectSummary {
                id: project.clone(),
                name: preview.name.clone(),
                account_sid: account_sid.clone(),
                login,
                api_key_sid: key.clone(),
                check: None,
            };
            let (entry, _) = trail.one_step(
                Some(&project),
                AuditAction::ProjectAdded,
                format!(
                    "project \u{201c}{}\u{201d} added from a file ({account_sid})",
                    preview.name
                ),
                None,
                Some(summary_json(&summary)),
            );
            made.push(Made {
                sealed: self.vault().seal(&project, secret),
                id: project,
                name: preview.name.clone(),
                account_sid,
                login,
                key,
                entry,
            });
        }
        let staff_id = Some(caller.id.as_str());
        let news: Vec<NewProject> = made
            .iter()
            .map(|m| NewProject {
                id: &m.id,
                name: &m.name,
                account_sid: &m.account_sid,
                login: m.login,
                api_key_sid: m.key.as_ref(),
                sealed_secret: &m.sealed,
                key_check: Some(&key_check),
                audit: Some(Audited {
                    entry: &m.entry,
                    staff_id,
                }),
            })
            .collect();
        match self.store().confirm_file_import(id, &news).await {
            Ok(true) => {}
            Ok(false) => return Err(AppError::NotDone("This file was imported already.".into())),
            Err(crate::store::StoreError::DuplicateAccount(account)) => {
                return Err(AppError::NotDone(format!("Nothing was stored: account {account} became a project after the preview. Send the file again for a fresh preview.")))
            }
            Err(e) => return Err(store_failure(e)),
        }
        // Each login was tested by the preview.
        for m in &made {
            self.record_check(&m.id, Ok(())).await;
        }
        tracing::info!(
            staff = caller.name,
            file = id,
            projects = made.len(),
            "projects imported from a file"
        );
        Ok(made.len())
    }
}

/// The add form's checks, and duplicates here and earlier in the file.
fn check_row(
    row: &FileRow,
    known: &HashMap<String, String>,
    seen: &mut HashMap<String, usize>,
) -> (PreviewRow, Option<ProjectUpdate>) {
    let login = login_of(&row.login);
    // Kept and shown: the name, and only the SIDs that read as SIDs (a
    // secret in the wrong column must not land in the preview).
    let sid_only = |text: &str, ok: bool| {
        if ok {
            text.trim().to_lowercase()
        } else {
            String::new()
        }
    };
    let account_ok = row
        .account_sid
        .trim()
        .to_lowercase()
        .parse::<crate::domain::AccountSid>()
        .is_ok();
    let key_ok = login == Some(LoginKind::ApiKey)
        && row
            .api_key_sid
            .trim()
            .to_lowercase()
            .parse::<crate::domain::ApiKeySid>()
            .is_ok();
    let mut preview = PreviewRow {
        line: row.line,
        name: crate::domain::error::clipped(&row.name, 80),
        account_sid: sid_only(&row.account_sid, account_ok),
        login,
        api_key_sid: sid_only(&row.api_key_sid, key_ok),
        check: RowCheck::Valid,
    };
    let Some(kind) = login else {
        preview.check = RowCheck::Malformed {
            field: "Login".into(),
            message: "must be api_key or auth_token".into(),
        };
        return (preview, None);
    };
    let input = ProjectInput {
        name: row.name.clone(),
        account_sid: row.account_sid.clone(),
        login: kind,
        api_key_sid: row.api_key_sid.clone(),
        secret: row.secret.clone(),
    };
    let update = match input.validate(true) {
        Ok(update) => update,
        Err(errors) => {
            let first = errors.iter().next().expect("an error when invalid");
            preview.check = RowCheck::Malformed {
                field: first.field.label().into(),
                message: first.message.clone(),
            };
            return (preview, None);
        }
    };
    let account = update.account_sid.to_string();
    preview.account_sid = account.clone();
    if let Some(name) = known.get(&account) {
        preview.check = RowCheck::Duplicate {
            project: name.clone(),
        };
        return (preview, None);
    }
    if let Some(line) = seen.get(&account) {
        preview.check = RowCheck::DuplicateInFile { line: *line };
        return (preview, None);
    }
    seen.insert(account, row.line);
    (preview, Some(update))
}
