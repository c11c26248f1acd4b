package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// defaultRunSyncTimeout bounds how long a synchronous action run
// (POST /v2/action_executions) waits for an executor, unless the request
// sets params.timeout.
const defaultRunSyncTimeout = 60 * time.Second

// runActionParams are the `params` of a POST /v2/action_executions.
type runActionParams struct {
	runSync    bool
	saveResult bool
	target     string
	timeout    time.Duration
}

// runAction is POST /v2/action_executions: run one action outside any
// workflow (`mistral run-action`). As in Mistral, the answer waits for the
// result unless the action is asynchronous or only save_result is asked
// for; unlike Mistral, the action execution is always recorded (the
// engine runs every action through a row), so it can be fetched later.
func (s *Server) runAction(w http.ResponseWriter, r *http.Request) {
	req, p, err := readRunAction(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.engine.StartStandaloneAction(r.Context(), req)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			err = &requestError{status: http.StatusBadRequest, cause: err,
				msg: fmt.Sprintf("Failed to find action [action_name=%s]", req.Name)}
		}
		s.writeError(w, r, err)
		return
	}
	wait := p.runSync || !p.saveResult
	if wait && !a.State.IsCompleted() && !a.Async {
		if a, err = s.waitForAction(r.Context(), a.ID, p.timeout); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if p.runSync && a.Async {
		s.writeError(w, r, badRequest("Action does not support synchronous execution."))
		return
	}
	rendered, err := renderActionExecution(a, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, rendered)
}

// readRunAction reads a POST /v2/action_executions body.
func readRunAction(r *http.Request) (engine.StandaloneAction, runActionParams, error) {
	p := runActionParams{timeout: defaultRunSyncTimeout}
	var req engine.StandaloneAction
	body, err := readJSONBody(r, actionExecutionBodyFields)
	if err != nil {
		return req, p, err
	}
	if req.Name, err = body.text("name"); err != nil {
		return req, p, err
	}
	if req.Name == "" {
		return req, p, badRequest("Please provide at least action name to run action.")
	}
	if req.Description, err = body.text("description"); err != nil {
		return req, p, err
	}
	if req.Input, err = body.jsonObject("action_ex", "input"); err != nil {
		return req, p, err
	}
	params, err := body.jsonObject("action_ex", "params")
	if err != nil {
		return req, p, err
	}
	var badParam error
	params.Range(func(k string, v any) bool {
		switch k {
		case "run_sync":
			p.runSync, badParam = paramBool(k, v)
		case "save_result":
			p.saveResult, badParam = paramBool(k, v)
		case "target":
			s, ok := v.(string)
			if !ok && v != nil {
				badParam = badRequest("Invalid input for field/attribute params.target: expected a string, got %s.", value.TypeName(v))
			}
			p.target = s
		case "timeout":
			secs, ok := paramNumber(v)
			if !ok || secs <= 0 {
				badParam = badRequest("Invalid input for field/attribute params.timeout: expected a positive number of seconds.")
			}
			p.timeout = time.Duration(secs * float64(time.Second))
		default:
			badParam = badRequest("Unknown parameter %q in params; run-action takes run_sync, save_result, target and timeout.", k)
		}
		return badParam == nil
	})
	if badParam != nil {
		return req, p, badParam
	}
	req.Target = p.target
	return req, p, nil
}

func paramBool(name string, v any) (bool, error) {
	b, ok := v.(bool)
	if !ok && v != nil {
		return false, badRequest("Invalid input for field/attribute params.%s: expected a boolean, got %s.", name, value.TypeName(v))
	}
	return b, nil
}

func paramNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// waitForAction polls an action execution until it completes; when the
// timeout passes first the row is returned as it is (still RUNNING).
func (s *Server) waitForAction(ctx context.Context, id string, timeout time.Duration) (*workflow.ActionExecution, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	poll := 10 * time.Millisecond
	for {
		a, err := s.store.ActionExecutionGet(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("wait for action execution %s: %w", id, err)
		}
		if a.State.IsCompleted() {
			return a, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for action execution %s: %w", id, ctx.Err())
		case <-deadline.C:
			return a, nil
		case <-time.After(poll):
		}
		poll = min(2*poll, 250*time.Millisecond)
	}
}

// deleteActionExecution is DELETE /v2/action_executions/{id}. Mistral
// refuses it unless its operator turned on allow_action_execution_deletion,
// which is off by default; bora keeps that default (an action's row is
// the record of what ran), and, as Mistral, says so before it looks the
// action execution up.
func (s *Server) deleteActionExecution(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, &requestError{status: http.StatusForbidden, msg: "Action execution deletion is not allowed."})
}
