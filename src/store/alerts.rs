//! Drift alerts and their deliveries, in the database, so an alert is made
//! once however many instances see its change, and a delivery interrupted
//! by a stop is tried again by whoever runs next.

use super::{Store, StoreError};
use sqlx::Row;

/// A delivery claimed for sending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub alert_id: String,
    pub webhook: String,
    pub project_id: String,
    /// The alert as JSON (services::alerts::AlertBody).
    pub body: String,
    pub attempts: i64,
}

/// How a try ended.
pub enum DeliveryEnd<'a> {
    Sent,
    /// Tried again at `next_at`.
    Retry {
        next_at: i64,
        error: &'a str,
    },
    Failed {
        error: &'a str,
    },
}

/// An alert not delivered (yet): for the fleet page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undelivered {
    pub project_id: String,
    pub body: String,
    pub host: String,
    pub attempts: i64,
    pub failed: bool,
    pub last_error: Option<String>,
}

impl Store {
    /// Adds an alert with one delivery per webhook (id, host), unless one
    /// with its fingerprint exists; whether it was added.
    pub async fn add_alert(
        &self,
        fingerprint: &str,
        project: &str,
        kind: &str,
        body: &str,
        webhooks: &[(String, String)],
        now: i64,
    ) -> Result<bool, StoreError> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let mut tx = self.writer().begin().await?;
        let added = sqlx::query(
            "INSERT INTO alerts (id, fingerprint, project_id, kind, body, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (fingerprint) DO NOTHING",
        )
        .bind(&id)
        .bind(fingerprint)
        .bind(project)
        .bind(kind)
        .bind(body)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if added != 1 {
            return Ok(false);
        }
        for (webhook, host) in webhooks {
            sqlx::query(
                "INSERT INTO alert_deliveries (alert_id, webhook, host, state, next_at) VALUES ($1, $2, $3, 'pending', $4)",
            )
            .bind(&id)
            .bind(webhook)
            .bind(host)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Claims up to `limit` deliveries due by `now` to `webhooks`, for
    /// `owner` until `lease_until`.
    pub async fn claim_deliveries(
        &self,
        owner: &str,
        webhooks: &[String],
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        if webhooks.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..webhooks.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT d.alert_id, d.webhook, d.attempts, a.project_id, a.body FROM alert_deliveries d \
             JOIN alerts a ON a.id = d.alert_id WHERE d.state = 'pending' AND d.next_at <= $1 \
             AND (d.lease_until IS NULL OR d.lease_until < $1) AND d.webhook IN ({}) \
             ORDER BY d.next_at LIMIT $2",
            marks.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(now).bind(limit);
        for webhook in webhooks {
            query = query.bind(webhook.as_str());
        }
        let due = query.fetch_all(self.pool()).await?;
        let mut claimed = Vec::new();
        for row in due {
            let delivery = Delivery {
                alert_id: row.try_get("alert_id")?,
                webhook: row.try_get("webhook")?,
                project_id: row.try_get("project_id")?,
                body: row.try_get("body")?,
                attempts: row.try_get("attempts")?,
            };
            // Taken only if nobody took it meanwhile.
            let taken = sqlx::query(
                "UPDATE alert_deliveries SET owner = $1, lease_until = $2 WHERE alert_id = $3 AND webhook = $4 \
                 AND state = 'pending' AND (lease_until IS NULL OR lease_until < $5)",
            )
            .bind(owner)
            .bind(lease_until)
            .bind(&delivery.alert_id)
            .bind(&delivery.webhook)
            .bind(now)
            .execute(self.writer())
            .await?
            .rows_affected();
            if taken == 1 {
                claimed.push(delivery);
            }
        }
        Ok(claimed)
    }

    /// Records how a try of a claimed delivery ended.
    pub async fn end_delivery(
        &self,
        delivery: &Delivery,
        owner: &str,
        end: DeliveryEnd<'_>,
    ) -> Result<(), StoreError> {
        let (state, next_at, error) = match end {
            DeliveryEnd::Sent => ("sent", None, None),
            DeliveryEnd::Retry { next_at, error } => ("pending", Some(next_at), Some(error)),
            DeliveryEnd::Failed { error } => ("failed", None, Some(error)),
        };
        sqlx::query(
            "UPDATE alert_deliveries SET state = $1, attempts = attempts + 1, next_at = COALESCE($2, next_at), \
             last_error = $3, owner = NULL, lease_until = NULL WHERE alert_id = $4 AND webhook = $5 AND owner = $6",
        )
        .bind(state)
        .bind(next_at)
        .bind(error)
        .bind(&delivery.alert_id)
        .bind(&delivery.webhook)
        .bind(owner)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Deliveries that failed, or failed at least once and wait for another
    /// try, newest first.
    pub async fn undelivered(&self, limit: i64) -> Result<Vec<Undelivered>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.project_id, a.body, d.host, d.attempts, d.state, d.last_error FROM alert_deliveries d \
             JOIN alerts a ON a.id = d.alert_id WHERE d.state = 'failed' OR (d.state = 'pending' AND d.attempts > 0) \
             ORDER BY a.created_at DESC, a.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Undelivered {
                    project_id: row.try_get("project_id")?,
                    body: row.try_get("body")?,
                    host: row.try_get("host")?,
                    attempts: row.try_get("attempts")?,
                    failed: row.try_get::<String, _>("state")? == "failed",
                    last_error: row.try_get("last_error")?,
                })
            })
            .collect()
    }

    /// The last two states seen of `kind` of `project` (the history's
    /// number of the newest), and who made the newest: for an alert about
    /// the change between them.
    pub async fn last_change(
        &self,
        project: &str,
        kind: &str,
    ) -> Result<Option<(i64, String, String, Option<String>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT n, state, changed_by FROM state_history WHERE project_id = $1 AND kind = $2 ORDER BY n DESC LIMIT 2",
        )
        .bind(project)
        .bind(kind)
        .fetch_all(self.pool())
        .await?;
        let [newest, before] = rows.as_slice() else {
            return Ok(None);
        };
        Ok(Some((
            newest.try_get("n")?,
            before.try_get("state")?,
            newest.try_get("state")?,
            newest.try_get("changed_by")?,
        )))
    }
}
