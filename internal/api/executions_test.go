package api

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

func TestCreateExecutionMatchesMistral(t *testing.T) {
	api := newTestAPI(t)
	req, want := loadSample(t, "POST_v2_executions.json")

	res := api.postJSON("/v2/executions", string(req.Request.Body))

	require.Equal(t, http.StatusCreated, res.status, "body: %s", res.raw)
	require.Equal(t, want.Keys(), res.body.Keys())
	for _, k := range []string{"workflow_name", "description", "tags", "params", "task_execution_id",
		"root_execution_id", "state", "state_info", "input", "output", "project_id"} {
		require.Equal(t, get(t, want, k), get(t, res.body, k), k)
	}
	require.Len(t, api.engine.starts, 1)
	start := api.engine.starts[0]
	require.Equal(t, "capture_echo", start.WorkflowIdentifier)
	require.Equal(t, "captured", start.Description)
	require.True(t, value.Equal(value.MapOf("msg", "hi"), start.Input))
}

func TestCreateExecutionReadsTheBody(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		identifier string
		input      *value.Map
		params     *value.Map
	}{
		{
			name:       "input as a JSON string keeps order and integers",
			body:       `{"workflow_name": "wf", "input": "{\"z\": 1, \"a\": 12345678901234567890}"}`,
			identifier: "wf",
			input:      value.MapOf("z", int64(1), "a", mustDecode(t, "12345678901234567890")),
			params:     value.NewMap(0),
		},
		{
			name:       "input and params as objects",
			body:       `{"workflow_name": "wf", "input": {"x": [1, 2.5]}, "params": {"env": {"k": "v"}}}`,
			identifier: "wf",
			input:      value.MapOf("x", []any{int64(1), 2.5}),
			params:     value.MapOf("env", value.MapOf("k", "v")),
		},
		{
			name:       "workflow id wins over the name",
			body:       `{"workflow_name": "wf", "workflow_id": "123e4567-e89b-12d3-a456-426655440000", "input": null}`,
			identifier: "123e4567-e89b-12d3-a456-426655440000",
			input:      value.NewMap(0),
			params:     value.NewMap(0),
		},
		{
			name:       "input null as a string",
			body:       `{"workflow_name": "wf", "input": "null"}`,
			identifier: "wf",
			input:      value.NewMap(0),
			params:     value.NewMap(0),
		},
		{
			name:       "empty input string",
			body:       `{"workflow_name": "wf", "input": "", "params": "{}"}`,
			identifier: "wf",
			input:      value.NewMap(0),
			params:     value.NewMap(0),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newTestAPI(t)

			res := api.postJSON("/v2/executions", tt.body)

			require.Equal(t, http.StatusCreated, res.status, "body: %s", res.raw)
			require.Len(t, api.engine.starts, 1)
			got := api.engine.starts[0]
			require.Equal(t, tt.identifier, got.WorkflowIdentifier)
			require.Equal(t, tt.input.Keys(), got.Input.Keys())
			require.True(t, value.Equal(tt.input, got.Input), "input %s", value.MustEncode(got.Input))
			require.True(t, value.Equal(tt.params, got.Params), "params %s", value.MustEncode(got.Params))
		})
	}
}

func mustDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := value.DecodeString(s)
	require.NoError(t, err)
	return v
}

func TestCreateExecutionRefusesBadInput(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		status int
	}{
		{"not JSON", `{"workflow_name": `, http.StatusBadRequest},
		{"not an object", `["wf"]`, http.StatusBadRequest},
		{"empty body", ``, http.StatusBadRequest},
		{"no workflow", `{"input": {}}`, http.StatusBadRequest},
		{"input is a list", `{"workflow_name": "wf", "input": [1]}`, http.StatusBadRequest},
		{"input string holds a list", `{"workflow_name": "wf", "input": "[1]"}`, http.StatusBadRequest},
		{"input string is not JSON", `{"workflow_name": "wf", "input": "{msg: hi}"}`, http.StatusBadRequest},
		{"input is a number", `{"workflow_name": "wf", "input": 5}`, http.StatusBadRequest},
		{"params is a string list", `{"workflow_name": "wf", "params": "[]"}`, http.StatusBadRequest},
		{"description of the wrong type", `{"workflow_name": "wf", "description": 5}`, http.StatusBadRequest},
		{"workflow name of the wrong type", `{"workflow_name": {"a": 1}}`, http.StatusBadRequest},
		{"unknown field", `{"workflow_name": "wf", "colour": "blue"}`, http.StatusBadRequest},
		{"unknown source execution", `{"source_execution_id": "nope"}`, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newTestAPI(t)

			res := api.postJSON("/v2/executions", tt.body)

			requireFault(t, res, tt.status)
			require.Empty(t, api.engine.starts, "the engine was not asked")
			list, err := api.store.ExecutionList(t.Context(), store.ExecutionListParams{})
			require.NoError(t, err)
			require.Empty(t, list)
		})
	}
	t.Run("names the field", func(t *testing.T) {
		api := newTestAPI(t)
		msg := requireFault(t, api.postJSON("/v2/executions", `{"workflow_name": "wf", "colour": "blue"}`), http.StatusBadRequest)
		require.Contains(t, msg, "colour")
		msg = requireFault(t, api.postJSON("/v2/executions", `{"workflow_name": "wf", "input": [1]}`), http.StatusBadRequest)
		require.Contains(t, msg, "input")
	})
}

func TestCreateExecutionEngineErrors(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
	}{
		{"unknown workflow", fmt.Errorf("workflow wf: %w", store.ErrNotFound), http.StatusNotFound},
		{"missing input", fmt.Errorf("workflow wf needs input x: %w", engine.ErrInvalidInput), http.StatusBadRequest},
		{"id taken", fmt.Errorf("execution x: %w", store.ErrConflict), http.StatusConflict},
		{"database down", fmt.Errorf("begin: connection refused"), http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newTestAPI(t)
			api.engine.startErr = tt.err

			msg := requireFault(t, api.postJSON("/v2/executions", `{"workflow_name": "wf"}`), tt.status)

			if tt.status == http.StatusInternalServerError {
				require.NotContains(t, msg, "connection refused", "server errors are not shown to clients")
				require.Contains(t, api.logs.String(), "connection refused", "but they are logged")
			}
		})
	}
}

func TestCreateExecutionFromSource(t *testing.T) {
	api := newTestAPI(t)
	src := storetest.Execution(t, api.store, func(ex *workflow.Execution) {
		ex.WorkflowName = "wf"
		ex.WorkflowID = ""
		ex.Input = value.MapOf("a", int64(1), "nested", value.MapOf("x", int64(1), "y", int64(2)))
		ex.Params = value.MapOf("env", value.MapOf("k", "v"))
	})

	res := api.postJSON("/v2/executions",
		`{"source_execution_id": "`+src.ID+`", "description": "again", "input": {"nested": {"y": 3}}}`)

	require.Equal(t, http.StatusCreated, res.status, "body: %s", res.raw)
	got := api.engine.starts[0]
	require.Equal(t, "wf", got.WorkflowIdentifier)
	require.Equal(t, "again Based on the execution '"+src.ID+"'", got.Description)
	want := value.MapOf("a", int64(1), "nested", value.MapOf("x", int64(1), "y", int64(3)))
	require.True(t, value.Equal(want, got.Input), "input %s", value.MustEncode(got.Input))
	require.True(t, value.Equal(src.Params, got.Params))
}

func TestGetExecutionMatchesMistral(t *testing.T) {
	api := newTestAPI(t)
	_, want := loadSample(t, "GET_v2_executions_ID.json")
	ex := storetest.Execution(t, api.store, func(ex *workflow.Execution) {
		ex.WorkflowName = "capture_async"
		ex.State = workflow.StateSuccess
		ex.Params = value.MapOf("namespace", "", "env", value.NewMap(0))
		ex.Output = value.MapOf("got", value.MapOf("answer", int64(42)))
	})

	res := api.get("/v2/executions/" + ex.ID)

	require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
	require.Equal(t, want.Keys(), res.body.Keys())
	for _, k := range []string{"workflow_name", "workflow_namespace", "description", "tags", "params",
		"task_execution_id", "root_execution_id", "state", "state_info", "input", "output",
		"project_id", "published_global"} {
		require.Equal(t, get(t, want, k), get(t, res.body, k), k)
	}
	require.Equal(t, "2026-01-02 03:04:05", get(t, res.body, "created_at"))

	some := api.get("/v2/executions/" + ex.ID + "?fields=state")
	require.Equal(t, http.StatusOK, some.status)
	require.Equal(t, []string{"id", "state"}, some.body.Keys())
}

func TestGetExecutionNotFound(t *testing.T) {
	api := newTestAPI(t)
	msg := requireFault(t, api.get("/v2/executions/nope"), http.StatusNotFound)
	require.Contains(t, msg, "nope")
	requireFault(t, api.get("/v2/executions/nope/tasks"), http.StatusNotFound)
}

func TestListExecutions(t *testing.T) {
	api := newTestAPI(t)
	_, want := loadSample(t, "GET_v2_executions.json")
	done := storetest.Execution(t, api.store, func(ex *workflow.Execution) {
		ex.WorkflowName = "a"
		ex.State = workflow.StateSuccess
		ex.Output = value.MapOf("r", int64(1))
		ex.CreatedAt = storetest.T0
	})
	running := storetest.Execution(t, api.store, func(ex *workflow.Execution) {
		ex.WorkflowName = "b"
		ex.CreatedAt = storetest.T0.Add(time.Second)
	})

	all := api.get("/v2/executions")
	require.Equal(t, http.StatusOK, all.status, "body: %s", all.raw)
	list := getList(t, all.body, "executions")
	require.Len(t, list, 2)
	first := list[0].(*value.Map)
	require.Equal(t, done.ID, get(t, first, "id"))
	require.False(t, first.Has("output"), "lists leave the output out")
	require.False(t, first.Has("published_global"))

	withOutput := api.get("/v2/executions?include_output=true")
	require.Equal(t, `{"r": 1}`, get(t, getList(t, withOutput.body, "executions")[0].(*value.Map), "output"))

	bySate := api.get("/v2/executions?state=RUNNING")
	require.Len(t, getList(t, bySate.body, "executions"), 1)
	require.Equal(t, running.ID, get(t, getList(t, bySate.body, "executions")[0].(*value.Map), "id"))

	byName := api.get("/v2/executions?workflow_name=eq:a")
	require.Len(t, getList(t, byName.body, "executions"), 1)

	// What the CLI asks for, as in the sample.
	cli := api.get("/v2/executions?limit=1&sort_keys=created_at&sort_dirs=desc&fields=id%2Cworkflow_id%2Cworkflow_name%2Cworkflow_namespace%2Cdescription%2Ctask_execution_id%2Croot_execution_id%2Cstate%2Cstate_info%2Ccreated_at%2Cupdated_at")
	require.Equal(t, http.StatusOK, cli.status, "body: %s", cli.raw)
	require.Equal(t, want.Keys(), cli.body.Keys())
	got := getList(t, cli.body, "executions")
	require.Len(t, got, 1)
	require.Equal(t, running.ID, get(t, got[0].(*value.Map), "id"))
	require.Equal(t, getList(t, want, "executions")[0].(*value.Map).Keys(), got[0].(*value.Map).Keys())
	next := get(t, cli.body, "next").(string)
	require.Contains(t, next, "marker="+running.ID)
	require.Contains(t, next, "sort_keys=created_at,id&sort_dirs=desc,asc&limit=1")
}

func TestDeleteExecution(t *testing.T) {
	api := newTestAPI(t)
	running := storetest.Execution(t, api.store, nil)
	done := storetest.Execution(t, api.store, func(ex *workflow.Execution) { ex.State = workflow.StateError })
	storetest.Task(t, api.store, done, nil)

	requireFault(t, api.do("DELETE", "/v2/executions/"+running.ID, "", ""), http.StatusForbidden)
	require.Equal(t, http.StatusOK, api.get("/v2/executions/"+running.ID).status, "still there")

	require.Equal(t, http.StatusNoContent, api.do("DELETE", "/v2/executions/"+done.ID, "", "").status)
	requireFault(t, api.get("/v2/executions/"+done.ID), http.StatusNotFound)
	tasks, err := api.store.TaskList(t.Context(), store.TaskListParams{ExecutionID: done.ID})
	require.NoError(t, err)
	require.Empty(t, tasks, "its tasks went with it")

	require.Equal(t, http.StatusNoContent, api.do("DELETE", "/v2/executions/"+running.ID+"?force=true", "", "").status)
	requireFault(t, api.do("DELETE", "/v2/executions/"+running.ID, "", ""), http.StatusNotFound)
	requireFault(t, api.do("DELETE", "/v2/executions/x?force=maybe", "", ""), http.StatusBadRequest)
}
