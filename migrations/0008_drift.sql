-- Drift (issue 24). What each account's credentials were at its last
-- refresh (JSON: domain::Credential, never key material), so a template's
-- rules resolve without a Twilio call; and each project's drift from the
-- template it follows per kind, recomputed after every refresh and
-- template change (JSON: domain::template::FieldDrift). `differs` is how
-- many fields differ; -1 when it cannot be told (never read).
CREATE TABLE credential_lists (
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    read_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, kind)
);

CREATE TABLE drift (
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    template_id TEXT NOT NULL,
    differs BIGINT NOT NULL,
    body TEXT NOT NULL,
    computed_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, kind)
);

CREATE INDEX drift_differs ON drift (differs);
