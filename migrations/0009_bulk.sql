-- Bulk changes (issue 24). A job is a dry run until applied: its plan
-- (one item per project, JSON: domain::bulk::Plan) is written when it is
-- made, and each project's outcome right after Twilio answers. The
-- instance applying a job holds it by a lease it renews (owner,
-- lease_until); a job still applying whose lease ran out was interrupted.
-- Times are Unix seconds.
CREATE TABLE bulk_jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    template TEXT NOT NULL,
    started_by TEXT NOT NULL,
    staff_id TEXT,
    created_at BIGINT NOT NULL,
    applied_at BIGINT,
    applied_by TEXT,
    applied_by_id TEXT,
    finished_at BIGINT,
    owner TEXT,
    lease_until BIGINT,
    -- A template the projects start to follow once the change is applied.
    follow_template TEXT
);

CREATE TABLE bulk_items (
    job_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    plan TEXT NOT NULL,
    -- domain::bulk::ItemState's slug
    state TEXT NOT NULL,
    message TEXT,
    finished_at BIGINT,
    PRIMARY KEY (job_id, project_id)
);

CREATE INDEX bulk_jobs_applying ON bulk_jobs (applied_at, finished_at);
