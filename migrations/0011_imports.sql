-- Imports of a parent account's subaccounts (issue 25). Discovery writes
-- the import and one item per subaccount found (JSON:
-- domain::subaccount::Discovered); each chosen item's outcome (JSON:
-- domain::subaccount::ImportOutcome) is written as soon as it is known.
-- The parent's login waits here sealed (vault, bound to the import's id)
-- only from discovery to the end of its import, 30 minutes at most: the
-- store clears it then. Times are Unix seconds.
CREATE TABLE imports (
    id TEXT PRIMARY KEY,
    parent_sid TEXT NOT NULL,
    started_by TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sealed_login TEXT,
    login_expires BIGINT,
    started_at BIGINT,
    -- The last sign of life of the run: a run without one for a minute
    -- was interrupted (its process stopped) and may be started again.
    beat_at BIGINT,
    finished_at BIGINT
);

CREATE TABLE import_items (
    import_id TEXT NOT NULL,
    account_sid TEXT NOT NULL,
    seq BIGINT NOT NULL,
    found TEXT NOT NULL,
    chosen INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    finished_at BIGINT,
    PRIMARY KEY (import_id, account_sid)
);
