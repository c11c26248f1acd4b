-- No query looks task or action executions up by root_execution_id (a
-- tree is deleted through executions.root_execution_id and the rows'
-- execution_id), so these two indexes only cost every insert a B-tree
-- page written and copied into the WAL at commit (SQLite) or the WAL
-- record of an index insert (PostgreSQL).
DROP INDEX IF EXISTS task_executions_root;
DROP INDEX IF EXISTS action_executions_root;
