//! A project's credentials: listing, creating, renaming and deleting, and
//! the "where is this used" check that guards a delete. Each change is
//! recorded in two steps (`Trail`) and runs to its end in a task of its
//! own; after an unclear answer it is checked (`unclear`).

use super::trail::{Attempt, Trail};
use super::unclear::{self, Found};
use crate::domain::audit::{AuditAction, Done};
use crate::domain::credentials::check_friendly_name;
use crate::domain::{
    AppError, AwsCredentialInput, Credential, CredentialKind, CredentialSid, Field, FieldErrors,
    PublicKeyInput, SettingsKind,
};
use crate::twilio::{TwilioClient, TwilioError};
use std::future::Future;

pub async fn list(
    client: &TwilioClient,
    kind: CredentialKind,
) -> Result<Vec<Credential>, AppError> {
    Ok(client.list_credentials(kind).await?)
}

pub async fn create_public_key(
    client: &TwilioClient,
    trail: &Trail,
    input: &PublicKeyInput,
) -> Result<Done<Credential>, AppError> {
    let key = input.validate().map_err(AppError::Invalid)?;
    let name = key.friendly_name.clone();
    let write = client.clone();
    create(client, trail, CredentialKind::PublicKey, name, async move {
        write.create_public_key(&key).await
    })
    .await
}

/// The secret goes to Twilio only: the audit trail keeps the name.
pub async fn create_aws(
    client: &TwilioClient,
    trail: &Trail,
    input: &AwsCredentialInput,
) -> Result<Done<Credential>, AppError> {
    let credential = input.validate().map_err(AppError::Invalid)?;
    let name = credential.friendly_name.clone();
    let write = client.clone();
    create(client, trail, CredentialKind::Aws, name, async move {
        write.create_aws_credential(&credential).await
    })
    .await
}

/// A create, recorded in two steps. After an unclear answer the kind's list
/// is read: a credential of the name sent, made since the attempt, is it.
async fn create(
    client: &TwilioClient,
    trail: &Trail,
    kind: CredentialKind,
    name: String,
    send: impl Future<Output = Result<Credential, TwilioError>> + Send + 'static,
) -> Result<Done<Credential>, AppError> {
    let started = crate::store::now();
    let attempt = trail
        .attempt(
            AuditAction::CredentialCreated,
            format!("{} \u{2018}{name}\u{2019}: created", kind.noun()),
            Some(named(&name, None)),
        )
        .await?;
    let client = client.clone();
    run(attempt, async move {
        match send.await {
            Err(e) if unclear::may_have_reached_twilio(&e) => {
                let found = match client.list_credentials(kind).await {
                    Ok(all) => all
                        .into_iter()
                        .filter(|c| c.friendly_name.as_deref() == Some(name.as_str()))
                        .filter(|c| created_since(c, started))
                        .max_by(|a, b| a.date_created.cmp(&b.date_created))
                        .map_or(Found::NotMade, Found::Made),
                    Err(read) => Found::Unknown(format!(
                        "the check could not list the {}s ({read})",
                        kind.noun()
                    )),
                };
                Err((e, found))
            }
            other => other.map_err(|e| (e, Found::NotMade)),
        }
    })
    .await
}

/// Whether Twilio says `credential` was made at or after `since` (Unix
/// seconds; Twilio's clock may run a little apart from ours).
fn created_since(credential: &Credential, since: i64) -> bool {
    const CLOCK_SKEW: i64 = 30;
    credential
        .date_created
        .as_deref()
        .and_then(|d| {
            time::OffsetDateTime::parse(d, &time::format_description::well_known::Rfc3339).ok()
        })
        .is_some_and(|at| at.unix_timestamp() >= since - CLOCK_SKEW)
}

pub async fn rename(
    client: &TwilioClient,
    trail: &Trail,
    kind: CredentialKind,
    sid: &str,
    friendly_name: &str,
) -> Result<Done<Credential>, AppError> {
    let sid = parse_sid(sid)?;
    let name = check_friendly_name(friendly_name).map_err(|message| {
        let mut errors = FieldErrors::default();
        errors.push(Field::FriendlyName, message);
        AppError::Invalid(errors)
    })?;
    let attempt = trail
        .attempt(
            AuditAction::CredentialRenamed,
            format!("{} {sid}: renamed to \u{2018}{name}\u{2019}", kind.noun()),
            Some(named(&name, Some(&sid))),
        )
        .await?;
    let client = client.clone();
    run(attempt, async move {
        match client.rename_credential(kind, &sid, &name).await {
            Err(e) if unclear::may_have_reached_twilio(&e) => {
                let found = match client.fetch_credential(kind, &sid).await {
                    Ok(now) if now.friendly_name.as_deref() == Some(name.as_str()) => {
                        Found::Made(now)
                    }
                    Ok(_) => Found::NotMade,
                    Err(read) => Found::Unknown(format!(
                        "the check could not read the {} ({read})",
                        kind.noun()
                    )),
                };
                Err((e, found))
            }
            other => other.map_err(|e| (e, Found::NotMade)),
        }
    })
    .await
}

/// Deletes a credential. If Composition or Recording settings still name
/// it, nothing is deleted until `confirmed`, the caller having read which.
pub async fn delete(
    client: &TwilioClient,
    trail: &Trail,
    kind: CredentialKind,
    sid: &str,
    confirmed: bool,
) -> Result<Done<CredentialSid>, AppError> {
    let sid = parse_sid(sid)?;
    if !confirmed {
        let uses = uses_of(client, kind, &sid).await?;
        if !uses.is_empty() {
            return Err(AppError::NeedsConfirmation(uses));
        }
    }
    let attempt = trail
        .attempt(
            AuditAction::CredentialDeleted,
            format!("{} {sid} deleted", kind.noun()),
            None,
        )
        .await?;
    let client = client.clone();
    let deleted = sid.clone();
    run(attempt, async move {
        match client.delete_credential(kind, &sid).await {
            Ok(()) => Ok(Gone(sid)),
            Err(e) if unclear::may_have_reached_twilio(&e) => {
                let found = match client.fetch_credential(kind, &sid).await {
                    Err(TwilioError::Api { status: 404, .. }) => Found::Made(Gone(sid)),
                    Ok(_) => Found::NotMade,
                    Err(read) => Found::Unknown(format!(
                        "the check could not read the {} ({read})",
                        kind.noun()
                    )),
                };
                Err((e, found))
            }
            Err(e) => Err((e, Found::NotMade)),
        }
    })
    .await
    .map(|done| done.map(|_| deleted))
}

/// A deleted credential, as its audit entry shows it.
struct Gone(CredentialSid);

/// How a change's outcome reads in its audit entry.
trait Audited {
    fn before(&self) -> Option<String>;
    fn after(&self) -> Option<String>;
}

impl Audited for Credential {
    fn before(&self) -> Option<String> {
        None
    }
    fn after(&self) -> Option<String> {
        Some(named(self.name(), Some(&self.sid)))
    }
}

impl Audited for Gone {
    fn before(&self) -> Option<String> {
        Some(self.0.to_string())
    }
    fn after(&self) -> Option<String> {
        None
    }
}

/// Runs a write and records its outcome, in a task of its own: a deadline
/// that stops waiting for it does not stop it. `write` answers the value,
/// or Twilio's error with what a check after it found.
async fn run<T: Audited + Send + 'static>(
    attempt: Attempt,
    write: impl Future<Output = Result<T, (TwilioError, Found<T>)>> + Send + 'static,
) -> Result<Done<T>, AppError> {
    let task = tokio::spawn(async move {
        match write.await {
            Ok(value) | Err((_, Found::Made(value))) => {
                let recorded = attempt.done(value.before(), value.after()).await;
                Ok(Done {
                    value,
                    recorded: recorded.0,
                })
            }
            Err((error, Found::NotMade)) if unclear::may_have_reached_twilio(&error) => {
                let error = unclear::not_made(&error);
                let _ = attempt.failed(&error).await;
                Err(error)
            }
            Err((error, Found::NotMade)) => {
                let error = AppError::from(error);
                let _ = attempt.failed(&error).await;
                Err(error)
            }
            Err((error, Found::Unknown(why))) => {
                let _ = attempt.unknown(&why).await;
                Err(unclear::still_unknown(&error, &why))
            }
        }
    });
    task.await
        .unwrap_or_else(|e| Err(super::projects::internal(e)))
}

/// A credential's name (and SID), as the audit trail keeps it.
fn named(name: &str, sid: Option<&CredentialSid>) -> String {
    match sid {
        Some(sid) => format!("\u{2018}{name}\u{2019} ({sid})"),
        None => format!("\u{2018}{name}\u{2019}"),
    }
}

fn parse_sid(raw: &str) -> Result<CredentialSid, AppError> {
    raw.trim()
        .parse()
        .map_err(|e| AppError::Request(format!("The credential SID {e}")))
}

/// Sentences naming each settings resource that refers to the credential.
pub async fn uses_of(
    client: &TwilioClient,
    kind: CredentialKind,
    sid: &CredentialSid,
) -> Result<Vec<String>, TwilioError> {
    let mut uses = Vec::new();
    for settings_kind in [SettingsKind::Composition, SettingsKind::Recording] {
        let settings = client.fetch_settings(settings_kind).await?;
        let (named, enabled, feature) = match kind {
            CredentialKind::PublicKey => (
                settings.encryption_key_sid.as_ref() == Some(sid),
                settings.encryption_enabled == Some(true),
                "encryption",
            ),
            CredentialKind::Aws => (
                settings.aws_credentials_sid.as_ref() == Some(sid),
                settings.aws_storage_enabled == Some(true),
                "external storage",
            ),
        };
        if !named {
            continue;
        }
        let title = settings_kind.title();
        uses.push(if enabled {
            format!(
                "{title} use this {} and have {feature} on: once it is deleted, Twilio cannot apply {feature} and new media may be lost or fail.",
                kind.noun()
            )
        } else {
            format!(
                "{title} still name this {} ({feature} is off there); switching {feature} on later would fail.",
                kind.noun()
            )
        });
    }
    Ok(uses)
}
