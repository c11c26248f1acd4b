package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
)

const cronWorkflow = `version: '2.0'
tick:
  input:
    - x: 1
  tasks:
    a:
      action: std.noop
`

func newCronAPI(t *testing.T) *testAPI {
	api := newTestAPI(t)
	api.server.now = func() time.Time { return time.Date(2026, 3, 4, 10, 7, 30, 0, time.UTC) }
	res := api.postYAML("/v2/workflows", cronWorkflow)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.raw)
	return api
}

func TestCronTriggerCRUD(t *testing.T) {
	api := newCronAPI(t)

	// What `mistral cron-trigger-create` sends.
	res := api.postJSON("/v2/cron_triggers", `{"name": "every5", "pattern": "*/5 * * * *", "first_execution_time": null,
		"remaining_executions": 2, "workflow_name": "tick", "workflow_input": "{\"x\": 3}", "workflow_params": "{\"env\": {\"k\": \"v\"}}"}`)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.raw)
	require.Equal(t, cronTriggerFields[:len(cronTriggerFields)-1], res.body.Keys(), "a create's answer has no updated_at")
	require.Equal(t, "tick", get(t, res.body, "workflow_name"))
	require.NotEmpty(t, get(t, res.body, "workflow_id"))
	require.Equal(t, `{"x": 3}`, get(t, res.body, "workflow_input"))
	require.Equal(t, `{"env": {"k": "v"}}`, get(t, res.body, "workflow_params"))
	require.Equal(t, "2026-03-04 10:10:00", get(t, res.body, "next_execution_time"))
	require.Equal(t, int64(2), get(t, res.body, "remaining_executions"))
	require.Nil(t, get(t, res.body, "first_execution_time"))
	require.Equal(t, "private", get(t, res.body, "scope"))
	id := get(t, res.body, "id").(string)

	// A first time without a pattern: once, at that time.
	res = api.postJSON("/v2/cron_triggers", `{"name": "once", "workflow_id": "`+get(t, res.body, "workflow_id").(string)+`", "first_execution_time": "2026-03-04 12:00"}`)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.raw)
	require.Equal(t, "0 0 30 2 0", get(t, res.body, "pattern"))
	require.Equal(t, int64(1), get(t, res.body, "remaining_executions"))
	require.Equal(t, "2026-03-04 12:00:00", get(t, res.body, "first_execution_time"))
	require.Equal(t, "2026-03-04 12:00:00", get(t, res.body, "next_execution_time"))

	for _, key := range []string{"every5", id} {
		res = api.get("/v2/cron_triggers/" + key)
		require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
		require.Equal(t, cronTriggerFields, res.body.Keys())
		require.Nil(t, get(t, res.body, "updated_at"), "never fired")
	}
	res = api.get("/v2/cron_triggers/every5?fields=name,pattern")
	require.Equal(t, []string{"id", "name", "pattern"}, res.body.Keys())

	res = api.get("/v2/cron_triggers?sort_keys=name&limit=1")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	list := getList(t, res.body, "cron_triggers")
	require.Len(t, list, 1)
	require.Equal(t, "every5", get(t, list[0].(*value.Map), "name"))
	require.Contains(t, get(t, res.body, "next"), "marker="+id)
	res = api.get("/v2/cron_triggers?sort_keys=name&marker=" + id)
	require.Equal(t, "once", get(t, getList(t, res.body, "cron_triggers")[0].(*value.Map), "name"))

	require.Equal(t, http.StatusNoContent, api.do("DELETE", "/v2/cron_triggers/every5", "", "").status)
	msg := requireFault(t, api.do("DELETE", "/v2/cron_triggers/every5", "", ""), http.StatusNotFound)
	require.Equal(t, "Cron trigger not found [identifier=every5]", msg)
	msg = requireFault(t, api.get("/v2/cron_triggers/every5"), http.StatusNotFound)
	require.Equal(t, "Cron trigger not found [identifier=every5]", msg)

	// A trigger that fired shows when.
	tr, err := api.store.CronTriggerGet(t.Context(), "once")
	require.NoError(t, err)
	require.NoError(t, api.store.CronTriggerAdvance(t.Context(), store.CronTriggerAdvanceParams{
		ID: tr.ID, Prev: tr.NextExecutionTime, Next: tr.NextExecutionTime.Add(time.Hour), UpdatedAt: tr.CreatedAt.Add(time.Minute),
	}))
	res = api.get("/v2/cron_triggers/once")
	require.Equal(t, "2026-03-04 10:08:30", get(t, res.body, "updated_at"))
}

func TestCronTriggerRefusals(t *testing.T) {
	api := newCronAPI(t)
	require.Equal(t, http.StatusCreated, api.postJSON("/v2/cron_triggers", `{"name": "dup", "workflow_name": "tick", "pattern": "* * * * *"}`).status)
	for _, tc := range []struct {
		body, want string
		status     int
	}{
		{`{"name": "t", "workflow_name": "tick"}`, "Pattern or first_execution_time must be specified.", 400},
		{`{"name": "t", "workflow_name": "tick", "pattern": "bad"}`, "The specified pattern is not valid: bad", 400},
		{`{"name": "t", "workflow_name": "tick", "pattern": "* * * * *", "remaining_executions": 0}`,
			"Invalid input for field/attribute remaining_executions. Value: '0'. Value should be greater or equal to 1", 400},
		{`{"name": "t", "workflow_name": "tick", "pattern": "* * * * *", "remaining_executions": "2"}`,
			"Invalid input for field/attribute remaining_executions", 400},
		{`{"name": "t", "workflow_name": "tick", "first_execution_time": "2026-03-04 10:08"}`,
			"first_execution_time must be at least 1 minute in the future.", 400},
		{`{"name": "t", "workflow_name": "tick", "first_execution_time": "xx"}`,
			"time data 'xx' does not match format '%Y-%m-%d %H:%M'", 400},
		{`{"name": "t", "workflow_name": "tick", "first_execution_time": "2026-03-05 10:00", "remaining_executions": 2}`,
			"Pattern must be provided if count is superior to 1.", 400},
		{`{"name": "t", "workflow_name": "nope", "pattern": "* * * * *"}`, "Workflow not found [workflow_identifier=nope, namespace=]", 404},
		{`{"name": "t", "workflow_name": "tick", "pattern": "* * * * *", "workflow_input": "{\"y\": 1}"}`, "unexpected=['y']", 400},
		{`{"name": "dup", "workflow_name": "tick", "pattern": "* * * * *"}`, "Duplicate entry for cron trigger ['name', 'project_id']: dup, None", 409},
		{`{"workflow_name": "tick", "pattern": "* * * * *"}`, "Invalid input for field/attribute name", 400},
		{`{"name": "t", "pattern": "* * * * *"}`, "Workflow ID or workflow name must be provided", 400},
		{`{"name": "t", "workflow_name": "tick", "pattern": 5}`, "Invalid input for field/attribute pattern", 400},
		{`{"name": "t", "workflow_name": "tick", "pattern": "* * * * *", "colour": 1}`, `Unknown attribute "colour"`, 400},
	} {
		msg := requireFault(t, api.postJSON("/v2/cron_triggers", tc.body), tc.status)
		require.Contains(t, msg, tc.want, tc.body)
	}
	requireFault(t, api.get("/v2/cron_triggers?sort_keys=colour"), http.StatusBadRequest)
}

func TestServices(t *testing.T) {
	api := newTestAPI(t)
	now := time.Now()
	api.server.now = func() time.Time { return now }
	res := api.get("/v2/services")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	require.Empty(t, getList(t, res.body, "services"))
	require.NoError(t, api.store.ServiceHeartbeat(t.Context(), &store.Service{Name: "h_1", Type: "engine_group", HeartbeatAt: now}))
	require.NoError(t, api.store.ServiceHeartbeat(t.Context(), &store.Service{Name: "h_0", Type: "api_group", HeartbeatAt: now.Add(-time.Hour)}))
	res = api.get("/v2/services")
	list := getList(t, res.body, "services")
	require.Len(t, list, 1, "a process that stopped beating is not listed")
	svc := list[0].(*value.Map)
	require.Equal(t, []string{"name", "type"}, svc.Keys())
	require.Equal(t, "h_1", get(t, svc, "name"))
	require.Equal(t, "engine_group", get(t, svc, "type"))
}
