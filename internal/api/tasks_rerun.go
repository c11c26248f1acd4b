package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// taskBodyFields are the attributes a PUT /v2/tasks/{id} may carry: the
// Task resource and the rerun options.
var taskBodyFields = append([]string{"reset", "env"}, taskFields...)

// rerunTask is PUT /v2/tasks/{id}: re-run a task in ERROR (the only task
// update Mistral supports). reset (default true) re-runs all of a
// with-items task, false only its failed items; env is merged into the
// execution's environment first.
func (s *Server) rerunTask(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, err := readJSONBody(r, taskBodyFields)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req, err := readRerun(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	task, err := s.store.TaskGet(r.Context(), id)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "Task execution not found [id=%s]", id))
		return
	}
	if err := req.check(task); err != nil {
		s.writeError(w, r, err)
		return
	}
	task, err = s.engine.RerunTask(r.Context(), id, req.reset, req.env)
	if err != nil {
		s.writeError(w, r, notFoundAs(rerunRefusal(err), "Task execution not found [id=%s]", id))
		return
	}
	// Mistral answers with the task as the rerun set it (RUNNING, not
	// finished), not as it is by the time the answer leaves: an action
	// run inline may already have completed it again.
	answer := *task
	answer.FinishedAt = nil
	// Mistral reads the result after the rerun: without reset, the items
	// that succeeded before keep showing theirs.
	shown, err := s.withItemResults(r.Context(), &answer)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rendered, err := renderTask(shown, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rendered)
}

// rerunRequest is a parsed PUT /v2/tasks/{id} body.
type rerunRequest struct {
	state        string
	name         string
	workflowName string
	reset        bool
	env          *value.Map
}

func readRerun(body jsonBody) (rerunRequest, error) {
	req := rerunRequest{reset: true}
	var err error
	for _, f := range []struct {
		name string
		dst  *string
	}{{"state", &req.state}, {"name", &req.name}, {"workflow_name", &req.workflowName}} {
		if *f.dst, err = body.text(f.name); err != nil {
			return req, err
		}
	}
	if v, ok := body.fields.Get("reset"); ok && v != nil {
		b, isBool := v.(bool)
		if !isBool {
			return req, badRequest("Invalid input for field/attribute reset: expected a boolean, got %s.", value.TypeName(v))
		}
		req.reset = b
	}
	if v, ok := body.fields.Get("env"); ok && !pythonFalsy(v) {
		// The task resource's env is a JsonType field, so bad text is
		// refused while the body is validated, as for other JSON text.
		m, isMap, err := envMap(v, func(text string) (any, error) { return body.decodeJSONText("task", text) })
		if err != nil {
			return req, err
		}
		if isMap {
			req.env = m
		}
	}
	return req, nil
}

// check applies Mistral's rules before the engine is asked.
func (req rerunRequest) check(task *workflow.Task) error {
	if req.name != "" && req.name != task.Name {
		return badRequest("Task name does not match.")
	}
	if req.workflowName != "" && req.workflowName != task.WorkflowName {
		return badRequest("Workflow name does not match.")
	}
	if req.state != string(workflow.StateRunning) {
		return badRequest("Invalid task state. Only updating task to rerun is supported.")
	}
	if task.State != workflow.StateError {
		return badRequest("The current task execution must be in ERROR for rerun. Only updating task to rerun is supported.")
	}
	return nil
}

// rerunRefusal words the engine's refusal of a rerun as Mistral does: a
// 400 with the reason alone.
func rerunRefusal(err error) error {
	if !errors.Is(err, engine.ErrWrongState) {
		return err
	}
	// The reason is the machine's sentence after the sentinels' words.
	msg := err.Error()
	for _, prefix := range []string{engine.ErrWrongState.Error() + ": ", workflow.ErrTransition.Error() + ": "} {
		if i := strings.LastIndex(msg, prefix); i >= 0 {
			msg = msg[i+len(prefix):]
		}
	}
	return &requestError{status: http.StatusBadRequest, msg: msg, cause: err}
}
