//! Drift alerts: when a refresh finds a project changed outside the
//! console, or newly drifted from its template, one alert per change is
//! written to the database (its fingerprint is unique) with a delivery per
//! configured webhook; a loop on every instance sends what is due, tries
//! again with backoff, and records "alert sent" or "alert failed after N
//! tries" in the audit trail.

use super::alert_rules::{
    address_for, signature, Format, Webhook, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use crate::domain::audit::AuditAction;
use crate::domain::fleet::SettingsState;
use crate::domain::template::FieldDrift;
use crate::domain::{ProjectId, SettingsKind};
use crate::store::{Delivery, DeliveryEnd, DriftRow, Store};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// Where alerts go and how they are sent.
#[derive(Clone, Debug)]
pub struct AlertConfig {
    pub webhooks: Vec<Webhook>,
    /// Signs generic bodies (HMAC-SHA256).
    pub secret: Option<secrecy::SecretString>,
    /// Internal addresses allowed (`--alert-allow-private`).
    pub allow_internal: bool,
    /// The console's address, for links to the project's page.
    pub base_url: String,
    pub tries: i64,
    pub timeout: Duration,
    /// The first wait before a try again; doubled each time.
    pub backoff: Duration,
}

impl AlertConfig {
    pub fn new(webhooks: Vec<Webhook>, base_url: String) -> Self {
        Self {
            webhooks,
            secret: None,
            allow_internal: false,
            base_url,
            tries: 5,
            timeout: Duration::from_secs(5),
            backoff: Duration::from_secs(2),
        }
    }
}

/// One field before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// What an alert says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertBody {
    pub project_id: String,
    pub project_name: String,
    pub kind: SettingsKind,
    /// "changed outside the console", "drifted from the template X".
    pub what: String,
    pub fields: Vec<FieldChange>,
    pub seen_at: i64,
}

impl AlertBody {
    pub fn text(&self, base_url: &str) -> String {
        let fields: Vec<String> = self
            .fields
            .iter()
            .map(|f| format!("• {}: {} → {}", f.field, f.before, f.after))
            .collect();
        let link = self
            .project_id
            .parse::<ProjectId>()
            .map(|p| {
                format!(
                    "{}{}",
                    base_url.trim_end_matches('/'),
                    crate::paths::drift(&p)
                )
            })
            .unwrap_or_default();
        format!(
            "{} of {} {}.\n{}\n{link}",
            self.kind.title(),
            self.project_name,
            self.what,
            fields.join("\n")
        )
    }
}

fn field_changes(before: &SettingsState, after: &SettingsState) -> Vec<FieldChange> {
    let on = |b: bool| if b { "on" } else { "off" }.to_owned();
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
    let mut found = Vec::new();
    for (field, b, a) in [
        (
            "Encryption",
            on(before.encryption_enabled),
            on(after.encryption_enabled),
        ),
        (
            "Encryption key",
            or_none(&before.encryption_key_sid),
            or_none(&after.encryption_key_sid),
        ),
        (
            "External storage",
            on(before.storage_enabled),
            on(after.storage_enabled),
        ),
        (
            "S3 URL",
            or_none(&before.aws_s3_url),
            or_none(&after.aws_s3_url),
        ),
        (
            "AWS credential",
            or_none(&before.aws_credentials_sid),
            or_none(&after.aws_credentials_sid),
        ),
    ] {
        if b != a {
            found.push(FieldChange {
                field: field.into(),
                before: b,
                after: a,
            });
        }
    }
    found
}

fn drift_changes(fields: &[FieldDrift]) -> Vec<FieldChange> {
    fields
        .iter()
        .map(|d| FieldChange {
            field: d.field.label().into(),
            before: d.held.clone(),
            after: d
                .wanted
                .clone()
                .unwrap_or_else(|why| format!("cannot be resolved: {why}")),
        })
        .collect()
}

/// Adds the alerts a refresh of `project` found: each kind whose newest
/// change nobody in the console made, and each kind newly drifted from its
/// template (`before` and `after` are its drift around the refresh).
pub async fn note(
    store: &Store,
    config: &AlertConfig,
    project: &ProjectId,
    name: &str,
    changed: &[SettingsKind],
    before: &[DriftRow],
    after: &[DriftRow],
) {
    let webhooks: Vec<(String, String)> = config
        .webhooks
        .iter()
        .map(|w| (w.id(), w.shown()))
        .collect();
    if webhooks.is_empty() {
        return;
    }
    let now = crate::store::now();
    let mut found = Vec::new();
    for kind in changed {
        let Ok(Some((n, was, is, by))) = store.last_change(project.as_str(), kind.slug()).await
        else {
            continue;
        };
        let (Ok(was), Ok(is)) = (
            serde_json::from_str::<SettingsState>(&was),
            serde_json::from_str::<SettingsState>(&is),
        ) else {
            continue;
        };
        if by.is_some() {
            continue;
        }
        found.push((
            format!("outside:{project}:{}:{n}", kind.slug()),
            AlertBody {
                project_id: project.to_string(),
                project_name: name.to_owned(),
                kind: *kind,
                what: "changed outside the console".into(),
                fields: field_changes(&was, &is),
                seen_at: now,
            },
        ));
    }
    for row in after {
        let Some(fields) = row.fields.as_ref().filter(|f| !f.is_empty()) else {
            continue;
        };
        let earlier = before
            .iter()
            .find(|b| b.kind == row.kind && b.template_id == row.template_id);
        if earlier.is_some_and(|b| b.fields.as_ref() == Some(fields)) {
            continue;
        }
        let digest: String = Sha256::digest(serde_json::to_string(fields).unwrap_or_default())
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        found.push((
            format!(
                "drift:{project}:{}:{}:{digest}",
                row.kind.slug(),
                row.template_id
            ),
            AlertBody {
                project_id: project.to_string(),
                project_name: name.to_owned(),
                kind: row.kind,
                what: format!(
                    "drifted from the template \u{201c}{}\u{201d}",
                    row.template_name
                ),
                fields: drift_changes(fields),
                seen_at: now,
            },
        ));
    }
    for (fingerprint, body) in found {
        let text = serde_json::to_string(&body).unwrap_or_default();
        if let Err(e) = store
            .add_alert(
                &fingerprint,
                project.as_str(),
                body.kind.slug(),
                &text,
                &webhooks,
                now,
            )
            .await
        {
            tracing::warn!(%project, "an alert could not be recorded: {e}");
        }
    }
}

/// Sends what is due, every second, until the task is stopped.
pub async fn deliver(store: Store, config: AlertConfig, owner: String) {
    let client_for = |addr: std::net::SocketAddr, host: &str| {
        reqwest::Client::builder()
            // A proxy would resolve the host itself, past the check.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .resolve(host, addr)
            .build()
    };
    let ids: Vec<String> = config.webhooks.iter().map(Webhook::id).collect();
    loop {
        let now = crate::store::now();
        let due = store
            .claim_deliveries(
                &owner,
                &ids,
                now,
                now + config.timeout.as_secs() as i64 * 2 + 5,
                32,
            )
            .await
            .unwrap_or_default();
        for delivery in due {
            let Some(webhook) = config.webhooks.iter().find(|w| w.id() == delivery.webhook) else {
                continue;
            };
            let outcome = match address_for(webhook, config.allow_internal).await {
                Ok(addr) => match client_for(addr, webhook.url.host_str().unwrap_or_default()) {
                    Ok(client) => send(&client, webhook, &config, &delivery).await,
                    Err(e) => Err(format!("no HTTP client: {e}")),
                },
                Err(why) => Err(why),
            };
            end(&store, &config, &owner, &delivery, webhook, outcome).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Text as Slack reads it literally: its `<…>` links and mentions, and
/// `&`, escaped (names and values come from Twilio and from people).
fn slack_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

async fn send(
    client: &reqwest::Client,
    webhook: &Webhook,
    config: &AlertConfig,
    delivery: &Delivery,
) -> Result<(), String> {
    use secrecy::ExposeSecret;
    let body: AlertBody =
        serde_json::from_str(&delivery.body).map_err(|e| format!("unreadable alert: {e}"))?;
    let text = body.text(&config.base_url);
    let mut request = client
        .post(webhook.url.clone())
        .header("content-type", "application/json");
    let payload = match webhook.format {
        Format::Slack => serde_json::json!({ "text": slack_escaped(&text) }).to_string(),
        Format::Generic => {
            let payload = serde_json::json!({ "text": text, "alert": body }).to_string();
            let now = crate::store::now();
            if let Some(secret) = &config.secret {
                request = request.header(TIMESTAMP_HEADER, now.to_string()).header(
                    SIGNATURE_HEADER,
                    signature(secret.expose_secret().as_bytes(), now, &payload),
                );
            }
            payload
        }
    };
    let answer = request
        .body(payload)
        .send()
        .await
        .map_err(|e| format!("{} did not answer ({})", webhook.shown(), e.without_url()))?;
    let status = answer.status();
    if status.is_success() {
        Ok(())
    } else if status.is_redirection() {
        Err(format!(
            "{} answered {status}, a redirect, which is not followed",
            webhook.shown()
        ))
    } else {
        Err(format!("{} answered {status}", webhook.shown()))
    }
}

async fn end(
    store: &Store,
    config: &AlertConfig,
    owner: &str,
    delivery: &Delivery,
    webhook: &Webhook,
    outcome: Result<(), String>,
) {
    let tries = delivery.attempts + 1;
    let project = delivery.project_id.parse::<ProjectId>().ok();
    let what = serde_json::from_str::<AlertBody>(&delivery.body)
        .map(|b| format!("{} {}", b.kind.title(), b.what))
        .unwrap_or_default();
    let (ending, audit) = match &outcome {
        Ok(()) => (
            DeliveryEnd::Sent,
            Some((
                AuditAction::AlertSent,
                format!("Alert sent to {}: {what}", webhook.shown()),
            )),
        ),
        Err(error) if tries < config.tries => {
            let wait = config.backoff.as_secs().max(1) * (1 << (tries - 1).min(6)) as u64;
            (
                DeliveryEnd::Retry {
                    next_at: crate::store::now() + wait as i64,
                    error,
                },
                None,
            )
        }
        Err(error) => (
            DeliveryEnd::Failed { error },
            Some((
                AuditAction::AlertFailed,
                format!(
                    "Alert to {} failed after {tries} tries: {what}: {error}",
                    webhook.shown()
                ),
            )),
        ),
    };
    if let Err(e) = store.end_delivery(delivery, owner, ending).await {
        tracing::warn!("an alert's delivery could not be recorded: {e}");
    }
    if let Some((action, summary)) = audit {
        super::audit::record(
            store,
            super::audit::Record {
                staff: "the console",
                staff_id: None,
                project: project.as_ref(),
                action,
                summary,
                before: None,
                after: None,
            },
        )
        .await;
    }
}
