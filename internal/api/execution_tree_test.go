package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// executionTree stores a root execution with an action task that failed
// after a retry and a workflow task whose sub-workflow succeeded.
type executionTree struct {
	root, child           *workflow.Execution
	failed, call, subTask *workflow.Task
	failedAction, subEcho *workflow.ActionExecution
}

func newExecutionTree(t *testing.T, api *testAPI) executionTree {
	var tr executionTree
	tr.root = storetest.Execution(t, api.store, func(ex *workflow.Execution) {
		ex.WorkflowName, ex.State, ex.StateInfo = "parent", workflow.StateError, "task failed"
	})
	tr.failed = storetest.Task(t, api.store, tr.root, func(tk *workflow.Task) {
		tk.Name, tk.State, tk.StateInfo = "flaky", workflow.StateError, "boom"
		tk.Runtime.RetryNo = 2
	})
	tr.failedAction = storetest.ActionExecution(t, api.store, tr.failed, func(a *workflow.ActionExecution) {
		a.Name, a.State, a.StateInfo = "std.fail", workflow.StateError, "boom"
	})
	tr.call = storetest.Task(t, api.store, tr.root, func(tk *workflow.Task) {
		tk.Name, tk.Type, tk.State = "call", workflow.TaskTypeWorkflow, workflow.StateSuccess
	})
	tr.child = storetest.Execution(t, api.store, func(ex *workflow.Execution) {
		ex.WorkflowName, ex.State = "child", workflow.StateSuccess
		ex.TaskExecutionID, ex.RootExecutionID = tr.call.ID, tr.root.ID
	})
	tr.subTask = storetest.Task(t, api.store, tr.child, func(tk *workflow.Task) {
		tk.Name, tk.State = "echo", workflow.StateSuccess
	})
	tr.subEcho = storetest.ActionExecution(t, api.store, tr.subTask, func(a *workflow.ActionExecution) {
		a.Name, a.State = "std.echo", workflow.StateSuccess
	})
	return tr
}

func TestExecutionReport(t *testing.T) {
	api := newTestAPI(t)
	tr := newExecutionTree(t, api)

	res := api.get("/v2/executions/" + tr.root.ID + "/report")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	require.Equal(t, []string{"statistics", "root_workflow_execution"}, res.body.Keys())
	stats := getMap(t, res.body, "statistics")
	require.Equal(t, []string{"total_tasks_count", "running_tasks_count", "success_tasks_count",
		"error_tasks_count", "idle_tasks_count", "paused_tasks_count", "estimated_time"}, stats.Keys())
	require.Equal(t, int64(3), get(t, stats, "total_tasks_count"))
	require.Equal(t, int64(2), get(t, stats, "success_tasks_count"))
	require.Equal(t, int64(1), get(t, stats, "error_tasks_count"))
	require.Equal(t, int64(0), get(t, stats, "estimated_time"), "not running")

	root := getMap(t, res.body, "root_workflow_execution")
	require.Equal(t, []string{"id", "name", "created_at", "updated_at", "state", "state_info", "task_executions"}, root.Keys())
	require.Equal(t, "parent", get(t, root, "name"))
	tasks := getList(t, root, "task_executions")
	require.Len(t, tasks, 2)
	flaky := tasks[0].(*value.Map)
	require.Equal(t, "flaky", get(t, flaky, "name"))
	require.Equal(t, int64(2), get(t, flaky, "retry_count"))
	actions := getList(t, flaky, "action_executions")
	require.Len(t, actions, 1)
	a := actions[0].(*value.Map)
	require.Equal(t, []string{"accepted", "last_heartbeat", "id", "name", "created_at", "updated_at", "state", "state_info"}, a.Keys())
	require.Equal(t, tr.failedAction.ID, get(t, a, "id"))
	call := tasks[1].(*value.Map)
	_, hasRetry := call.Get("retry_count")
	require.False(t, hasRetry, "no retry count where no retry ran")
	subs := getList(t, call, "workflow_executions")
	require.Len(t, subs, 1)
	child := subs[0].(*value.Map)
	require.Equal(t, "child", get(t, child, "name"))
	require.Len(t, getList(t, child, "task_executions"), 1)

	// errors_only keeps the error path; max_depth=0 stops below the root's tasks.
	res = api.get("/v2/executions/" + tr.root.ID + "/report?errors_only=true")
	root = getMap(t, res.body, "root_workflow_execution")
	require.Len(t, getList(t, root, "task_executions"), 1)
	require.Equal(t, int64(1), get(t, getMap(t, res.body, "statistics"), "total_tasks_count"))
	res = api.get("/v2/executions/" + tr.root.ID + "/report?max_depth=0")
	call = getList(t, getMap(t, res.body, "root_workflow_execution"), "task_executions")[1].(*value.Map)
	child = getList(t, call, "workflow_executions")[0].(*value.Map)
	_, hasTasks := child.Get("task_executions")
	require.False(t, hasTasks, "the sub-workflow is past max_depth")
	res = api.get("/v2/executions/" + tr.root.ID + "/report?statistics_only=true")
	require.Equal(t, []string{"statistics"}, res.body.Keys())
	require.Equal(t, int64(3), get(t, getMap(t, res.body, "statistics"), "total_tasks_count"))

	requireFault(t, api.get("/v2/executions/"+tr.root.ID+"/report?max_depth=x"), http.StatusBadRequest)
	requireFault(t, api.get("/v2/executions/"+tr.root.ID+"/report?errors_only=maybe"), http.StatusBadRequest)
	msg := requireFault(t, api.get("/v2/executions/"+tr.root.ID+"/report?bogus=1"), http.StatusBadRequest)
	require.Contains(t, msg, "bogus")
	msg = requireFault(t, api.get("/v2/executions/nope/report"), http.StatusNotFound)
	require.Equal(t, "WorkflowExecution not found [id=nope]", msg)
}

func TestExecutionReportEstimate(t *testing.T) {
	api := newTestAPI(t)
	running := storetest.Execution(t, api.store, func(ex *workflow.Execution) { ex.WorkflowName = "lonely" })
	res := api.get("/v2/executions/" + running.ID + "/report")
	require.Equal(t, int64(-1), get(t, getMap(t, res.body, "statistics"), "estimated_time"), "no earlier run to compare")
}

func TestSubExecutions(t *testing.T) {
	api := newTestAPI(t)
	tr := newExecutionTree(t, api)

	res := api.get("/v2/executions/" + tr.root.ID + "/executions?max_depth=-1&errors_only=")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	list := getList(t, res.body, "executions")
	require.Len(t, list, 2)
	require.Equal(t, tr.root.ID, get(t, list[0].(*value.Map), "id"))
	require.Equal(t, tr.child.ID, get(t, list[1].(*value.Map), "id"))
	_, hasOutput := list[0].(*value.Map).Get("output")
	require.False(t, hasOutput)

	res = api.get("/v2/executions/" + tr.root.ID + "/executions?max_depth=0")
	require.Len(t, getList(t, res.body, "executions"), 1)
	res = api.get("/v2/executions/" + tr.root.ID + "/executions?errors_only=true")
	require.Len(t, getList(t, res.body, "executions"), 1, "the sub-workflow hangs off a task that succeeded")
	res = api.get("/v2/executions/" + tr.root.ID + "/executions?include_output=true")
	_, hasOutput = getList(t, res.body, "executions")[0].(*value.Map).Get("output")
	require.True(t, hasOutput)

	res = api.get("/v2/tasks/" + tr.call.ID + "/executions")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	list = getList(t, res.body, "executions")
	require.Len(t, list, 1)
	require.Equal(t, tr.child.ID, get(t, list[0].(*value.Map), "id"))
	res = api.get("/v2/tasks/" + tr.failed.ID + "/executions")
	require.Empty(t, getList(t, res.body, "executions"))

	requireFault(t, api.get("/v2/executions/nope/executions"), http.StatusNotFound)
	requireFault(t, api.get("/v2/tasks/nope/executions"), http.StatusNotFound)
	requireFault(t, api.get("/v2/executions/"+tr.root.ID+"/executions?max_depth=deep"), http.StatusBadRequest)
}

func TestRerunTask(t *testing.T) {
	api := newTestAPI(t)
	tr := newExecutionTree(t, api)
	path := "/v2/tasks/" + tr.failed.ID

	// What the client sends: id, state, reset and the env JSON-encoded.
	res := api.putJSON(path, `{"id": "`+tr.failed.ID+`", "state": "RUNNING", "reset": true, "env": "{\"k\": \"v\"}"}`)
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	require.Equal(t, "RUNNING", get(t, res.body, "state"), "the state the rerun set, as Mistral answers")
	require.Nil(t, get(t, res.body, "state_info"))
	require.Nil(t, get(t, res.body, "finished_at"))
	require.Equal(t, []rerunCall{{tr.failed.ID, true, value.MapOf("k", "v")}}, api.engine.reruns)

	for _, tc := range []struct{ body, want string }{
		{`{"state": "SUCCESS"}`, "Invalid task state. Only updating task to rerun is supported."},
		{`{"state": "RUNNING", "name": "other"}`, "Task name does not match."},
		{`{"state": "RUNNING", "workflow_name": "other"}`, "Workflow name does not match."},
		{`{"state": "RUNNING", "reset": "yes"}`, "Invalid input for field/attribute reset: expected a boolean, got string."},
		{`{"state": "RUNNING", "env": "[1]"}`, "Invalid input for field/attribute env: expected a JSON object, got list."},
	} {
		require.Equal(t, tc.want, requireFault(t, api.putJSON("/v2/tasks/"+tr.call.ID, tc.body), http.StatusBadRequest), tc.body)
	}
	msg := requireFault(t, api.putJSON("/v2/tasks/"+tr.call.ID, `{"state": "RUNNING"}`), http.StatusBadRequest)
	require.Equal(t, "The current task execution must be in ERROR for rerun. Only updating task to rerun is supported.", msg)
	msg = requireFault(t, api.putJSON("/v2/tasks/nope", `{"state": "RUNNING"}`), http.StatusNotFound)
	require.Equal(t, "Task execution not found [id=nope]", msg)
	require.Len(t, api.engine.reruns, 1)
}

func TestRerunRefusalWording(t *testing.T) {
	err := rerunRefusal(wrapWrongState("rerun task: wrong state: invalid state transition: Only with-items task has the option to not reset."))
	require.Equal(t, http.StatusBadRequest, statusOf(err))
	require.Equal(t, "Only with-items task has the option to not reset.", err.Error())
}

// wrapWrongState builds the error the engine returns for a refused rerun.
func wrapWrongState(text string) error {
	return &wrongStateError{text}
}

type wrongStateError struct{ text string }

func (e *wrongStateError) Error() string { return e.text }
func (e *wrongStateError) Is(target error) bool {
	return target == engine.ErrWrongState
}
