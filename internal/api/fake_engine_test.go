package api

import (
	"context"
	"fmt"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// The fake engine's lifecycle calls: they record what they were asked and
// change the stored rows the simplest way the real engine would.

type rerunCall struct {
	taskID string
	reset  bool
	env    *value.Map
}

func (e *fakeEngine) UpdateExecution(ctx context.Context, u engine.ExecutionUpdate) (*workflow.Execution, error) {
	e.mu.Lock()
	e.updates = append(e.updates, u)
	err := e.updateErr
	e.mu.Unlock()
	if err != nil {
		return nil, err
	}
	ex, err := e.store.ExecutionGet(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if u.Description != nil {
		ex.Description = *u.Description
	}
	if u.State != "" {
		ex.State, ex.StateInfo = u.State, u.StateInfo
	}
	if u.Env != nil {
		ex.Params.Set("env", u.Env)
	}
	if err := e.store.ExecutionUpdate(ctx, ex); err != nil {
		return nil, err
	}
	return ex, nil
}

func (e *fakeEngine) RerunTask(ctx context.Context, taskID string, reset bool, env *value.Map) (*workflow.Task, error) {
	e.mu.Lock()
	e.reruns = append(e.reruns, rerunCall{taskID, reset, env})
	e.mu.Unlock()
	t, err := e.store.TaskGet(ctx, taskID)
	if err != nil {
		return nil, err
	}
	if t.State != workflow.StateError {
		return nil, fmt.Errorf("%w: task %s is %s", engine.ErrWrongState, taskID, t.State)
	}
	// Like the engine's inline actions, the rerun has already failed
	// again when the answer comes: the store says ERROR, the answer says
	// what the request set.
	t.StateInfo = "failed again"
	if err := e.store.TaskUpdate(ctx, t); err != nil {
		return nil, err
	}
	answer := *t
	// As the engine's rerun does, the result goes until the new run ends.
	answer.State, answer.StateInfo, answer.Result = workflow.StateRunning, "", nil
	return &answer, nil
}

// StartStandaloneAction runs std.echo at once and leaves any other known
// action RUNNING (as one an executor would take); std.missing is unknown.
func (e *fakeEngine) StartStandaloneAction(ctx context.Context, req engine.StandaloneAction) (*workflow.ActionExecution, error) {
	e.mu.Lock()
	e.standalone = append(e.standalone, req)
	e.mu.Unlock()
	if req.Name == "std.missing" {
		return nil, fmt.Errorf("%w: Action not found [action_name=%s]", store.ErrNotFound, req.Name)
	}
	input := req.Input
	if input == nil {
		input = value.NewMap(0)
	}
	a := &workflow.ActionExecution{
		ID: id.New(), Name: req.Name, Description: req.Description, ProjectID: workflow.DefaultProjectID,
		State: workflow.StateRunning, Input: input, Target: req.Target, Attempt: 1,
		CreatedAt: storetest.T0, UpdatedAt: storetest.T0,
	}
	if req.Name == "std.echo" {
		a.State, a.Result, a.Accepted = workflow.StateSuccess, mapGet(input, "output"), true
	}
	if err := e.store.ActionExecutionInsert(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

func (e *fakeEngine) ParseWorkflow(name, definition string) (*dsl.Workflow, error) {
	doc, err := dsl.Parse(name+".yaml", []byte(definition), dsl.Options{})
	if err != nil {
		return nil, err
	}
	for _, wf := range doc.Workflows {
		if wf.Name == name {
			return wf, nil
		}
	}
	return nil, fmt.Errorf("no workflow %s in its definition", name)
}

func mapGet(m *value.Map, key string) any {
	v, _ := m.Get(key)
	return v
}
