package api

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

// taskFields are the attributes of Mistral's Task resource, in the order
// Mistral sends them.
var taskFields = []string{
	"id", "name", "type", "workflow_name", "workflow_namespace", "workflow_id",
	"workflow_execution_id", "tags", "state", "state_info", "project_id",
	"runtime_context", "result", "published", "processed", "created_at",
	"updated_at", "started_at", "finished_at",
}

var taskList = listSpec{
	collection: "tasks",
	fields:     taskFields,
	sortColumns: map[string]string{
		"id": "id", "name": "name", "type": "type", "workflow_name": "workflow_name",
		"workflow_id": "workflow_id", "workflow_namespace": "workflow_namespace",
		"workflow_execution_id": "execution_id", "project_id": "project_id",
		"state": "state", "created_at": "created_at", "updated_at": "updated_at",
	},
	filters:      []string{"workflow_execution_id", "state", "name"},
	storeFilters: true,
}

// executionTaskList is GET /v2/executions/{id}/tasks: the execution comes
// from the path, not from a filter.
var executionTaskList = listSpec{
	collection:   "tasks",
	fields:       taskList.fields,
	sortColumns:  taskList.sortColumns,
	filters:      []string{"state", "name"},
	storeFilters: true,
}

// getTask is GET /v2/tasks/{id}.
func (s *Server) getTask(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	fields, err := fieldsParam(r, taskFields)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.store.TaskGet(r.Context(), id)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "Task execution not found [id=%s]", id))
		return
	}
	if len(fields) == 0 || slices.Contains(fields, "result") {
		if t, err = s.withItemResults(r.Context(), t); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	rendered, err := renderTask(t, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rendered.only(fields))
}

// listTasks is GET /v2/tasks.
func (s *Server) listTasks(w http.ResponseWriter, r *http.Request) {
	req, err := parseListRequest(r.URL.Query(), taskList)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeTaskList(w, r, req, req.filters["workflow_execution_id"])
}

// listExecutionTasks is GET /v2/executions/{id}/tasks. As in Mistral, an
// unknown execution is a 404, not an empty list.
func (s *Server) listExecutionTasks(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	req, err := parseListRequest(r.URL.Query(), executionTaskList)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.store.ExecutionGet(r.Context(), id); err != nil {
		s.writeError(w, r, notFoundAs(err, "WorkflowExecution not found [id=%s]", id))
		return
	}
	s.writeTaskList(w, r, req, id)
}

func (s *Server) writeTaskList(w http.ResponseWriter, r *http.Request, req listRequest, executionID string) {
	state, err := req.stateFilter()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	tasks, err := s.store.TaskList(r.Context(), store.TaskListParams{
		ListParams:  req.ListParams,
		ExecutionID: executionID,
		State:       state,
		Name:        req.filters["name"],
	})
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "Task execution not found [id=%s]", req.Marker))
		return
	}
	list := make([]object, len(tasks))
	for i, t := range tasks {
		// Mistral computes a task's result from its action executions
		// only when one task is fetched; lists do not carry it.
		rendered, err := renderTask(t, false)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		list[i] = rendered.only(req.fields)
	}
	var lastID string
	if len(tasks) > 0 {
		lastID = tasks[len(tasks)-1].ID
	}
	writeJSON(w, http.StatusOK, withNext(object{{"tasks", list}},
		req.nextLink(r, taskList.collection, len(tasks), lastID)))
}

// renderTask is Mistral's Task resource as GET shows it; without
// withResult the result is left out (and not encoded).
func renderTask(t *workflow.Task, withResult bool) (object, error) {
	// A task that has not completed has no accepted action result yet,
	// which Mistral shows as an empty list (a running with-items task's
	// finished items come in t.Result, from withItemResults).
	result := "[]"
	if withResult && (t.State.IsCompleted() || t.Result != nil) {
		var err error
		if result, err = jsonText(t.Result); err != nil {
			return nil, fmt.Errorf("render result of task %s: %w", t.ID, err)
		}
	}
	published, err := mapText(t.Published)
	if err != nil {
		return nil, fmt.Errorf("render published of task %s: %w", t.ID, err)
	}
	if t.Runtime.PublishedNull {
		published = "null" // published only globally: Mistral leaves it null
	}
	taskType := t.Type
	if taskType == "" {
		taskType = workflow.TaskTypeAction
	}
	projectID := t.ProjectID
	if projectID == "" {
		projectID = workflow.DefaultProjectID
	}
	rendered := object{
		{"id", t.ID},
		{"name", t.Name},
		{"type", taskType},
		{"workflow_name", t.WorkflowName},
		{"workflow_namespace", t.WorkflowNamespace},
		{"workflow_id", t.WorkflowID},
		{"workflow_execution_id", t.ExecutionID},
		{"tags", []string{}},
		{"state", string(t.State)},
		{"state_info", nullable(t.StateInfo)},
		{"project_id", projectID},
		// bora's task runtime is engine bookkeeping, not Mistral's
		// runtime_context (triggered_by, with-items indexes): not shown.
		{"runtime_context", "{}"},
		{"result", result},
		{"published", published},
		{"processed", t.Processed},
		{"created_at", formatTime(t.CreatedAt)},
		{"updated_at", formatTime(t.UpdatedAt)},
		{"started_at", formatTimePtr(t.StartedAt)},
		{"finished_at", formatTimePtr(t.FinishedAt)},
	}
	if !withResult {
		rendered = rendered.without("result")
	}
	return rendered, nil
}
