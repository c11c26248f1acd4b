-- `GET /v2/executions?state=RUNNING` pages through a few running
-- executions among millions in creation order.
CREATE INDEX executions_state ON executions (state, created_at, id);
