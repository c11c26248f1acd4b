-- bora's initial schema on SQLite.
--
-- Times are INTEGER microseconds since the Unix epoch (UTC): exact, compact
-- and ordered. Value columns (inputs, contexts, results) are JSON text
-- written by value.Encode, so key order and integer typing survive. There
-- are no foreign keys between the tables: rows of one execution tree are
-- written in one transaction in whatever order the engine finds natural,
-- and ExecutionDelete removes the dependants itself.

CREATE TABLE workflow_definitions (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    namespace   TEXT NOT NULL DEFAULT '',
    definition  TEXT NOT NULL,
    tags        TEXT NOT NULL DEFAULT '[]',
    scope       TEXT NOT NULL DEFAULT '',
    project_id  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (name, namespace)
);
CREATE INDEX workflow_definitions_created ON workflow_definitions (created_at, id);

CREATE TABLE executions (
    id                 TEXT PRIMARY KEY,
    workflow_id        TEXT NOT NULL DEFAULT '',
    workflow_name      TEXT NOT NULL DEFAULT '',
    workflow_namespace TEXT NOT NULL DEFAULT '',
    description        TEXT NOT NULL DEFAULT '',
    tags               TEXT NOT NULL DEFAULT '[]',
    project_id         TEXT NOT NULL DEFAULT '',
    state              TEXT NOT NULL,
    state_info         TEXT,
    input              TEXT,
    params             TEXT,
    output             TEXT,
    context            TEXT,
    spec               TEXT NOT NULL DEFAULT '',
    task_execution_id  TEXT NOT NULL DEFAULT '',
    root_execution_id  TEXT NOT NULL DEFAULT '',
    runtime            TEXT NOT NULL DEFAULT '{}',
    version            INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX executions_created ON executions (created_at, id);
CREATE INDEX executions_root ON executions (root_execution_id);
CREATE INDEX executions_task ON executions (task_execution_id);
CREATE INDEX executions_workflow ON executions (workflow_name, created_at);

-- seq is the rowid: it orders task executions by creation, which is what
-- Mistral's task(name) means by "the latest".
CREATE TABLE task_executions (
    seq                INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    execution_id       TEXT NOT NULL,
    root_execution_id  TEXT NOT NULL DEFAULT '',
    name               TEXT NOT NULL,
    type               TEXT NOT NULL DEFAULT '',
    workflow_name      TEXT NOT NULL DEFAULT '',
    workflow_id        TEXT NOT NULL DEFAULT '',
    workflow_namespace TEXT NOT NULL DEFAULT '',
    project_id         TEXT NOT NULL DEFAULT '',
    state              TEXT NOT NULL,
    state_info         TEXT,
    in_context         TEXT,
    result             TEXT,
    published          TEXT,
    processed          INTEGER NOT NULL DEFAULT 0,
    runtime            TEXT NOT NULL DEFAULT '{}',
    version            INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    started_at         INTEGER,
    finished_at        INTEGER
);
CREATE INDEX task_executions_name ON task_executions (execution_id, name, seq);
CREATE INDEX task_executions_root ON task_executions (root_execution_id);

CREATE TABLE action_executions (
    id                 TEXT PRIMARY KEY,
    task_execution_id  TEXT NOT NULL DEFAULT '',
    execution_id       TEXT NOT NULL DEFAULT '',
    root_execution_id  TEXT NOT NULL DEFAULT '',
    workflow_name      TEXT NOT NULL DEFAULT '',
    workflow_namespace TEXT NOT NULL DEFAULT '',
    task_name          TEXT NOT NULL DEFAULT '',
    name               TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    project_id         TEXT NOT NULL DEFAULT '',
    state              TEXT NOT NULL,
    state_info         TEXT,
    input              TEXT,
    result             TEXT,
    accepted           INTEGER NOT NULL DEFAULT 0,
    async              INTEGER NOT NULL DEFAULT 0,
    target             TEXT NOT NULL DEFAULT '',
    safe_rerun         INTEGER NOT NULL DEFAULT 0,
    attempt            INTEGER NOT NULL DEFAULT 0,
    item_index         INTEGER NOT NULL DEFAULT 0,
    version            INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    last_heartbeat     INTEGER
);
CREATE INDEX action_executions_created ON action_executions (created_at, id);
CREATE INDEX action_executions_task ON action_executions (task_execution_id);
CREATE INDEX action_executions_execution ON action_executions (execution_id);
CREATE INDEX action_executions_root ON action_executions (root_execution_id);

CREATE TABLE events (
    id           TEXT PRIMARY KEY,
    execution_id TEXT NOT NULL DEFAULT '',
    root_id      TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    payload      BLOB,
    available_at INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);
CREATE INDEX events_available ON events (available_at, id);
CREATE INDEX events_execution ON events (execution_id);

CREATE TABLE work_items (
    id                  TEXT PRIMARY KEY,
    action_execution_id TEXT NOT NULL DEFAULT '',
    execution_id        TEXT NOT NULL DEFAULT '',
    target              TEXT NOT NULL DEFAULT '',
    payload             BLOB,
    available_at        INTEGER NOT NULL,
    attempt             INTEGER NOT NULL DEFAULT 0,
    claims              INTEGER NOT NULL DEFAULT 0,
    lease_owner         TEXT,
    lease_token         TEXT,
    lease_expires_at    INTEGER,
    created_at          INTEGER NOT NULL
);
CREATE INDEX work_items_available ON work_items (target, available_at, id);
CREATE INDEX work_items_execution ON work_items (execution_id);
