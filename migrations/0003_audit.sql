-- The audit trail: who did what, when, to which project, with the values
-- before and after (never a secret). Rows are only ever added.

CREATE TABLE audit (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    -- a per-process sequence number breaks ties within one second
    seq BIGINT NOT NULL,
    staff_name TEXT NOT NULL,
    project_id TEXT,
    action TEXT NOT NULL,
    summary TEXT NOT NULL,
    before_value TEXT,
    after_value TEXT
);

CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_project ON audit (project_id);
