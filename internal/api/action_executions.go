package api

import (
	"fmt"
	"math/big"
	"net/http"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// actionExecutionFields are the attributes of Mistral's ActionExecution
// resource, in the order Mistral sends them.
var actionExecutionFields = []string{
	"id", "workflow_name", "workflow_namespace", "task_name", "task_execution_id",
	"state", "state_info", "tags", "name", "description", "project_id",
	"accepted", "input", "output", "created_at", "updated_at",
}

var actionExecutionList = listSpec{
	collection: "action_executions",
	fields:     actionExecutionFields,
	sortColumns: sameColumns("id", "task_execution_id", "workflow_name", "workflow_namespace",
		"task_name", "name", "description", "project_id", "state", "created_at", "updated_at"),
	filters:      []string{"task_execution_id", "state"},
	storeFilters: true,
}

// taskActionExecutionList is GET /v2/tasks/{id}/action_executions: the
// task comes from the path.
var taskActionExecutionList = listSpec{
	collection:   "action_executions",
	fields:       actionExecutionFields,
	sortColumns:  actionExecutionList.sortColumns,
	filters:      []string{"state"},
	storeFilters: true,
}

// actionExecutionBodyFields are the attributes a PUT may carry: the whole
// ActionExecution resource, as Mistral takes it; only state, output and
// state_info are used.
var actionExecutionBodyFields = append([]string{"params"}, actionExecutionFields...)

// getActionExecution is GET /v2/action_executions/{id}.
func (s *Server) getActionExecution(w http.ResponseWriter, r *http.Request) {
	s.writeActionExecution(w, r, "")
}

// getTaskActionExecution is GET /v2/tasks/{task_id}/action_executions/{id}.
func (s *Server) getTaskActionExecution(w http.ResponseWriter, r *http.Request) {
	s.writeActionExecution(w, r, r.PathValue("task_id"))
}

// writeActionExecution answers with the action execution in the path, which
// must belong to taskID when that is set.
func (s *Server) writeActionExecution(w http.ResponseWriter, r *http.Request, taskID string) {
	id := r.PathValue("id")
	fields, err := fieldsParam(r, actionExecutionFields)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.store.ActionExecutionGet(r.Context(), id)
	if err == nil && taskID != "" && a.TaskExecutionID != taskID {
		err = fmt.Errorf("action execution %s belongs to task %s, not %s: %w", id, a.TaskExecutionID, taskID, store.ErrNotFound)
	}
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "ActionExecution not found [id=%s]", id))
		return
	}
	rendered, err := renderActionExecution(a, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rendered.only(fields))
}

// listActionExecutions is GET /v2/action_executions.
func (s *Server) listActionExecutions(w http.ResponseWriter, r *http.Request) {
	req, err := parseListRequest(r.URL.Query(), actionExecutionList)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeActionExecutionList(w, r, req, req.filters["task_execution_id"])
}

// listTaskActionExecutions is GET /v2/tasks/{id}/action_executions.
func (s *Server) listTaskActionExecutions(w http.ResponseWriter, r *http.Request) {
	req, err := parseListRequest(r.URL.Query(), taskActionExecutionList)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeActionExecutionList(w, r, req, r.PathValue("id"))
}

func (s *Server) writeActionExecutionList(w http.ResponseWriter, r *http.Request, req listRequest, taskID string) {
	state, err := req.stateFilter()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	actions, err := s.store.ActionExecutionList(r.Context(), store.ActionExecutionListParams{
		ListParams:      req.ListParams,
		TaskExecutionID: taskID,
		State:           state,
	})
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "ActionExecution not found [id=%s]", req.Marker))
		return
	}
	list := make([]object, len(actions))
	for i, a := range actions {
		rendered, err := renderActionExecution(a, req.includeOutput)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		list[i] = rendered.only(req.fields)
	}
	var lastID string
	if len(actions) > 0 {
		lastID = actions[len(actions)-1].ID
	}
	writeJSON(w, http.StatusOK, withNext(object{{"action_executions", list}},
		req.nextLink(r, actionExecutionList.collection, len(actions), lastID)))
}

// updateActionExecution is PUT /v2/action_executions/{id}: the result of
// an async action, delivered from outside ({"state": "SUCCESS", "output": ...}).
func (s *Server) updateActionExecution(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	completion, err := readActionCompletion(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.engine.CompleteAction(r.Context(), completion)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "ActionExecution not found [id=%s]", id))
		return
	}
	rendered, err := renderActionExecution(a, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// Mistral's own answer here lacks task_name (it renders the engine's
	// reply, which has none), so its client shows "Task name: None"; the
	// full resource is what a client can use.
	writeJSON(w, http.StatusOK, rendered)
}

// readActionCompletion reads a PUT /v2/action_executions/{id} body.
func readActionCompletion(r *http.Request, id string) (engine.ActionCompletion, error) {
	body, err := readJSONBody(r, actionExecutionBodyFields)
	if err != nil {
		return engine.ActionCompletion{}, err
	}
	stateText, err := body.text("state")
	if err != nil {
		return engine.ActionCompletion{}, err
	}
	stateInfo, err := body.text("state_info")
	if err != nil {
		return engine.ActionCompletion{}, err
	}
	c := engine.ActionCompletion{
		ActionExecutionID: id,
		State:             workflow.State(stateText),
		StateInfo:         stateInfo,
	}
	output, err := actionOutput(body)
	if err != nil && (c.State == workflow.StateSuccess || c.State == workflow.StateError) {
		return c, err
	}
	switch c.State {
	case workflow.StateSuccess:
		c.Result = output
	case workflow.StateError:
		c.Result = output
		// Mistral: an error without details (any falsy output) is "Unknown error".
		if pythonFalsy(c.Result) {
			c.Result = "Unknown error"
		}
	case workflow.StateCancelled:
		c.Result = nil
	case workflow.StateRunning, workflow.StatePaused:
		return c, &requestError{
			status: http.StatusNotImplemented,
			msg:    fmt.Sprintf("Moving an action execution to %s is not supported; only SUCCESS, ERROR and CANCELLED are.", c.State),
		}
	default:
		shown := "None"
		if body.has("state") {
			shown = stateText
		}
		return c, badRequest("Error. Expected one of ['SUCCESS', 'ERROR', 'CANCELLED', 'PAUSED', 'RUNNING'], actual: %s", shown)
	}
	return c, nil
}

// actionOutput reads the output of a PUT as Mistral's JsonType field
// does: JSON text (what python-mistralclient sends) is decoded, and the
// value must then be a dict; any falsy value is {}. Absent or null stays
// null.
func actionOutput(body jsonBody) (any, error) {
	v, _ := body.fields.Get("output")
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		if t == "" {
			return value.NewMap(0), nil // nothing to decode: falsy
		}
		decoded, err := body.decodeJSONText("action_ex", t)
		if err != nil {
			return nil, err
		}
		v = decoded
	case *value.Map:
	default:
		// Mistral hands any other JSON value to json.loads, which wants text.
		return nil, badRequest("Invalid input for field/attribute action_ex. Value: '%s'. the JSON object must be str, bytes or bytearray, not %s",
			value.PyStr(body.fields), pyTypeName(v))
	}
	if pythonFalsy(v) {
		return value.NewMap(0), nil
	}
	if _, ok := v.(*value.Map); !ok {
		return nil, badRequest("JsonType field value must be a dictionary [actual=%s]", value.PyStr(v))
	}
	return v, nil
}

// pyTypeName is Python's type name of a decoded JSON value.
func pyTypeName(v any) string {
	switch v.(type) {
	case bool:
		return "bool"
	case float64:
		return "float"
	case []any:
		return "list"
	case *value.Map:
		return "dict"
	case string:
		return "str"
	}
	return "int"
}

// pythonFalsy reports whether Python's `not v` holds.
func pythonFalsy(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case bool:
		return !t
	case string:
		return t == ""
	case int64:
		return t == 0
	case *big.Int:
		return t.Sign() == 0
	case float64:
		return t == 0
	case []any:
		return len(t) == 0
	case *value.Map:
		return t.Len() == 0
	}
	return false
}

// renderActionExecution is Mistral's ActionExecution resource as GET
// shows it. Its output is {"result": ...} once the action has completed,
// null before; without withOutput it is left out (and not encoded).
func renderActionExecution(a *workflow.ActionExecution, withOutput bool) (object, error) {
	input, err := mapText(a.Input)
	if err != nil {
		return nil, fmt.Errorf("render input of action execution %s: %w", a.ID, err)
	}
	var output any
	if withOutput && a.State.IsCompleted() {
		text, err := jsonText(value.MapOf("result", a.Result))
		if err != nil {
			return nil, fmt.Errorf("render output of action execution %s: %w", a.ID, err)
		}
		output = text
	}
	projectID := a.ProjectID
	if projectID == "" {
		projectID = workflow.DefaultProjectID
	}
	// An action run on its own (run-action) has no workflow or task:
	// Mistral shows null there, and its namespace as "".
	var workflowName, taskName any = a.WorkflowName, a.TaskName
	if a.TaskExecutionID == "" {
		workflowName, taskName = nullable(a.WorkflowName), nullable(a.TaskName)
	}
	rendered := object{
		{"id", a.ID},
		{"workflow_name", workflowName},
		{"workflow_namespace", a.WorkflowNamespace},
		{"task_name", taskName},
		{"task_execution_id", nullable(a.TaskExecutionID)},
		{"state", string(a.State)},
		{"state_info", nullable(a.StateInfo)},
		{"tags", nil},
		{"name", a.Name},
		{"description", a.Description},
		{"project_id", projectID},
		{"accepted", a.MistralAccepted()},
		{"input", input},
		{"output", output},
		{"created_at", formatTime(a.CreatedAt)},
		{"updated_at", formatTime(a.UpdatedAt)},
	}
	if !withOutput {
		rendered = rendered.without("output")
	}
	return rendered, nil
}
