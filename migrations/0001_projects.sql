-- Portable SQL: the same file runs on SQLite and PostgreSQL.
-- Times are Unix seconds; sealed secrets are text ("v1." + base64).

CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    account_sid TEXT NOT NULL UNIQUE,
    -- 'api_key' (api_key_sid set) or 'auth_token'
    login_kind TEXT NOT NULL,
    api_key_sid TEXT,
    sealed_secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- the last "Test connection": when, 'ok' or 'failed', and what Twilio said
    checked_at BIGINT,
    check_status TEXT,
    check_message TEXT
);

CREATE INDEX projects_name ON projects (name);

-- One row: a value sealed with the master key, so a start with the wrong
-- key is told apart from a damaged secret before anything is touched.
CREATE TABLE vault (
    id INTEGER PRIMARY KEY,
    key_check TEXT NOT NULL
);
