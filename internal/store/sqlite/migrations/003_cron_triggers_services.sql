-- Cron triggers (the engine role fires the due ones) and the services
-- registry (one heartbeat row per running process and role, as Mistral
-- lists one member per coordination group).

CREATE TABLE cron_triggers (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    workflow_name        TEXT NOT NULL,
    workflow_id          TEXT NOT NULL DEFAULT '',
    workflow_namespace   TEXT NOT NULL DEFAULT '',
    workflow_input       TEXT NOT NULL DEFAULT '{}',
    workflow_params      TEXT NOT NULL DEFAULT '{}',
    pattern              TEXT NOT NULL DEFAULT '',
    first_execution_time INTEGER,
    next_execution_time  INTEGER NOT NULL,
    remaining_executions INTEGER,
    scope                TEXT NOT NULL DEFAULT '',
    project_id           TEXT NOT NULL DEFAULT '',
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX cron_triggers_created ON cron_triggers (created_at, id);
CREATE INDEX cron_triggers_due ON cron_triggers (next_execution_time, id);

CREATE TABLE services (
    name         TEXT NOT NULL,
    type         TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    PRIMARY KEY (name, type)
);
