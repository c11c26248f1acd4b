-- Workbooks, ad-hoc action definitions and environments; workflow
-- definitions learn which workbook they came from.

ALTER TABLE workflow_definitions ADD COLUMN workbook_name TEXT NOT NULL DEFAULT '';
CREATE INDEX workflow_definitions_workbook ON workflow_definitions (workbook_name, namespace);

CREATE TABLE workbooks (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    namespace   TEXT NOT NULL DEFAULT '',
    definition  TEXT NOT NULL,
    tags        TEXT NOT NULL DEFAULT '[]',
    scope       TEXT NOT NULL DEFAULT '',
    project_id  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (name, namespace)
);
CREATE INDEX workbooks_created ON workbooks (created_at, id);

CREATE TABLE action_definitions (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    namespace     TEXT NOT NULL DEFAULT '',
    definition    TEXT NOT NULL,
    input         TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    tags          TEXT NOT NULL DEFAULT '[]',
    is_system     BOOLEAN NOT NULL DEFAULT FALSE,
    workbook_name TEXT NOT NULL DEFAULT '',
    scope         TEXT NOT NULL DEFAULT '',
    project_id    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (name, namespace)
);
CREATE INDEX action_definitions_created ON action_definitions (created_at, id);
CREATE INDEX action_definitions_workbook ON action_definitions (workbook_name, namespace);

-- Environment names are global (Mistral: unique per project, and bora has
-- one project).
CREATE TABLE environments (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    variables   TEXT NOT NULL DEFAULT '{}',
    scope       TEXT NOT NULL DEFAULT '',
    project_id  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX environments_created ON environments (created_at, id);
