-- The fleet (issue 23). On each snapshot: when its state last changed, who
-- changed it (NULL: nobody the audit trail names) and whether that change
-- was made outside the console (1) rather than seen first or made in it (0).
ALTER TABLE snapshots ADD COLUMN changed_at BIGINT;
ALTER TABLE snapshots ADD COLUMN changed_by TEXT;
ALTER TABLE snapshots ADD COLUMN outside BIGINT NOT NULL DEFAULT 0;
-- 1 when the state names a credential the account no longer has.
ALTER TABLE snapshots ADD COLUMN missing BIGINT NOT NULL DEFAULT 0;

-- Refresh jobs: one runs at a time (open_slot is 1 while it runs, NULL
-- after, and unique), so a second "Refresh" joins it. Its items are the
-- projects it reads; any instance claims queued items, and a claim is a
-- lease: an instance that dies leaves its items to expire and be claimed
-- again. Times are Unix seconds.
CREATE TABLE refresh_jobs (
    id TEXT PRIMARY KEY,
    started_at BIGINT NOT NULL,
    started_by TEXT NOT NULL,
    finished_at BIGINT,
    open_slot BIGINT UNIQUE
);

CREATE TABLE refresh_items (
    job_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    -- 'queued', 'running', 'done' or 'failed'
    state TEXT NOT NULL,
    owner TEXT,
    lease_until BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    finished_at BIGINT,
    message TEXT,
    PRIMARY KEY (job_id, project_id)
);

CREATE INDEX refresh_items_state ON refresh_items (state, lease_until);
CREATE INDEX refresh_items_project ON refresh_items (project_id, state);

-- Named leases between instances: the scheduled refresh pass is made by
-- whichever instance holds 'schedule' until `until_at`.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until_at BIGINT NOT NULL
);

-- The fleet's default order (by name) walks this instead of sorting.
CREATE INDEX projects_name_order ON projects (LOWER(name), id);
