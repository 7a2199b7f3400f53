-- What the console last read of each project's Composition and Recording
-- settings (one row per project and kind), and the history of their
-- changes: one row per change seen, not per read, with who made it when
-- the audit trail explains it (NULL: outside the console). The fleet view
-- (issue 23) renders from these alone. `state` is the settings as JSON;
-- `encrypted` and `external` (0 or 1) are kept beside it for filters.
CREATE TABLE snapshots (
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    read_at BIGINT NOT NULL,
    state TEXT,
    encrypted BIGINT,
    external BIGINT,
    error TEXT,
    PRIMARY KEY (project_id, kind)
);

CREATE TABLE state_history (
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    n BIGINT NOT NULL,
    seen_at BIGINT NOT NULL,
    state TEXT NOT NULL,
    changed_by TEXT,
    PRIMARY KEY (project_id, kind, n)
);
