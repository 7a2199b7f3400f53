-- Desired state (issue 24). A template is a named desired state for one
-- kind of settings, kept as JSON (domain::template::Template); a project
-- follows at most one template per kind. Times are Unix seconds.
CREATE TABLE templates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE project_templates (
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    template_id TEXT NOT NULL,
    PRIMARY KEY (project_id, kind)
);

CREATE INDEX project_templates_template ON project_templates (template_id);
