package api

import (
	"errors"
	"net/http"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// updateExecution is PUT /v2/executions/{id}: pause, resume or stop an
// execution, or change its description or environment, with Mistral's
// rules on which may go together.
func (s *Server) updateExecution(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	// Mistral checks the execution exists before it looks at the request.
	if _, err := s.store.ExecutionGet(r.Context(), id); err != nil {
		s.writeError(w, r, notFoundAs(err, "WorkflowExecution not found [id=%s]", id))
		return
	}
	u, err := readExecutionUpdate(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ex, err := s.engine.UpdateExecution(r.Context(), u)
	if err != nil {
		if u.Env != nil && u.State == "" && errors.Is(err, engine.ErrInvalidInput) {
			// Mistral's words and status for an env change on a running execution.
			err = &requestError{status: http.StatusForbidden, cause: err,
				msg: "Updating env to workflow execution is only permitted if it is in IDLE, PAUSED, or ERROR state."}
		}
		s.writeError(w, r, notFoundAs(err, "WorkflowExecution not found [id=%s]", id))
		return
	}
	rendered, err := renderExecution(ex, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rendered)
}

// readExecutionUpdate reads a PUT /v2/executions/{id} body: state (with
// state_info as the reason of a stop), description, or params.env.
func readExecutionUpdate(r *http.Request, id string) (engine.ExecutionUpdate, error) {
	u := engine.ExecutionUpdate{ID: id}
	body, err := readJSONBody(r, executionBodyFields)
	if err != nil {
		return u, err
	}
	stateText, err := body.text("state")
	if err != nil {
		return u, err
	}
	if u.StateInfo, err = body.text("state_info"); err != nil {
		return u, err
	}
	description, err := body.text("description")
	if err != nil {
		return u, err
	}
	params, err := body.jsonObject("wf_ex", "params")
	if err != nil {
		return u, err
	}
	if env, ok := params.Get("env"); ok && !pythonFalsy(env) {
		m, isMap, err := envMap(env, decodeParamsEnv)
		if err != nil {
			return u, err
		}
		if isMap {
			u.Env = m
		}
	}
	if stateText == "" && description == "" && u.Env == nil {
		return u, badRequest("The property state, description, or env is not provided for update.")
	}
	if stateText != "" && description != "" {
		return u, badRequest("The property description must be updated separately from state.")
	}
	if u.Env != nil && stateText != "" && stateText != string(workflow.StateRunning) {
		return u, badRequest("The property env can only be updated when workflow execution is not running or on resume from pause.")
	}
	if description != "" {
		u.Description = &description
	}
	if stateText != "" {
		switch st := workflow.State(stateText); st {
		case workflow.StateRunning, workflow.StatePaused, workflow.StateSuccess, workflow.StateError, workflow.StateCancelled:
			u.State = st
		default:
			return u, badRequest("Cannot change state to %s. Allowed states are: 'RUNNING, PAUSED, SUCCESS, ERROR, CANCELLED", stateText)
		}
	}
	return u, nil
}

// decodeParamsEnv decodes an env given as text inside the params of an
// execution PUT. Mistral checks it only after finding the execution, in
// words not yet compared with bora's, so bora says it its own way.
func decodeParamsEnv(text string) (any, error) {
	v, err := value.DecodeString(text)
	if err != nil {
		return nil, badRequest("Invalid input for field/attribute env: the string is not valid JSON: %v", err)
	}
	return v, nil
}

// envMap reads an environment given as an object or as a string holding
// one (Mistral's client sends the rerun env JSON-encoded). decode turns
// the string into a value, failing in the words the caller's endpoint
// answers with.
func envMap(v any, decode func(text string) (any, error)) (*value.Map, bool, error) {
	switch t := v.(type) {
	case *value.Map:
		return t, true, nil
	case string:
		decoded, err := decode(t)
		if err != nil {
			return nil, false, err
		}
		if decoded == nil {
			return nil, false, nil
		}
		if m, ok := decoded.(*value.Map); ok {
			return m, true, nil
		}
		v = decoded
	}
	return nil, false, badRequest("Invalid input for field/attribute env: expected a JSON object, got %s.", value.TypeName(v))
}
