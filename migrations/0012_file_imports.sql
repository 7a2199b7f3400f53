-- Imports of projects from a file (issue 25). The preview is written whole
-- (JSON: a list of domain::project_file::PreviewRow, never a secret); the
-- file's secrets wait sealed (vault, bound to the preview's id and its
-- admin) until the confirmation or 30 minutes, whichever comes first.
-- Times are Unix seconds.
CREATE TABLE file_imports (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    rows_json TEXT NOT NULL,
    sealed_secrets TEXT,
    secrets_expire BIGINT,
    confirmed_at BIGINT,
    stored BIGINT
);
