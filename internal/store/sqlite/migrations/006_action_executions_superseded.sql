-- A run that a retry or a rerun of its task set aside: Mistral shows it
-- with accepted false, while `accepted` keeps guarding against taking its
-- result twice. Rows written before stay as they were shown.
ALTER TABLE action_executions ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0;
