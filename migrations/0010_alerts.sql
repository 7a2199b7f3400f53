-- Drift alerts (issue 24). One alert per project and change: its
-- fingerprint names the change (the state history entry, or the template
-- and the fields that differ), and is unique, so instances and refreshes
-- that see the same change add it once. Each alert is delivered to every
-- webhook configured when it was made, tried again with backoff; the
-- webhook is named by a fingerprint and its host, never its URL (a Slack
-- URL is a secret). Times are Unix seconds.
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE alert_deliveries (
    alert_id TEXT NOT NULL,
    webhook TEXT NOT NULL,
    host TEXT NOT NULL,
    -- 'pending', 'sent' or 'failed'
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    owner TEXT,
    lease_until BIGINT,
    last_error TEXT,
    PRIMARY KEY (alert_id, webhook)
);

CREATE INDEX alert_deliveries_due ON alert_deliveries (state, next_at);
