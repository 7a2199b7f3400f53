-- Staff who sign in, the projects editors and viewers are assigned to,
-- their sessions, and the audit trail. Portable SQL, as 0001.

CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    -- argon2id, PHC string
    password_hash TEXT NOT NULL,
    -- 'admin', 'editor' or 'viewer'
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE staff_projects (
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    PRIMARY KEY (staff_id, project_id)
);

-- Server-side sessions; the id is stored hashed (SHA-256), never as sent.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX sessions_expiry ON sessions (expires_at);
