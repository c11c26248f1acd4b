package compat

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// finalStates end the wait for "any final state"; PAUSED counts, as a
// paused execution stays paused until a step resumes it.
var finalStates = []string{"SUCCESS", "ERROR", "CANCELLED", "PAUSED"}

// poll calls look until it reports done or the player's wait bound runs
// out; it reports whether look ever said done.
func (pl *play) poll(ctx context.Context, look func() (bool, error)) (bool, error) {
	bound := pl.p.Wait
	if pl.timedOut && pl.p.AfterTimeout > 0 {
		bound = min(bound, pl.p.AfterTimeout)
	}
	deadline := time.Now().Add(bound)
	for {
		done, err := look()
		if err != nil || done {
			return done, err
		}
		if time.Now().After(deadline) {
			pl.timedOut = true
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("wait: %w", ctx.Err())
		case <-time.After(pl.p.Poll):
		}
	}
}

// waitExecution waits for an execution to reach state (any final state
// when state is ""); it returns whether it did and the state seen last.
func (pl *play) waitExecution(ctx context.Context, id, state string) (bool, string, error) {
	var last string
	ok, err := pl.poll(ctx, func() (bool, error) {
		r, err := pl.cl.get(ctx, "/executions/"+id)
		if err != nil {
			return false, err
		}
		if r.status != 200 {
			last = fmt.Sprintf("HTTP %d", r.status)
			return false, nil
		}
		last = str(r.obj(), "state")
		if state == "" {
			return slices.Contains(finalStates, last), nil
		}
		return last == state, nil
	})
	return ok, last, err
}

// findTasks lists the tasks of an execution named path: a task name, or
// "parent/child" for a task of the sub-workflow(s) a workflow task ran.
func (pl *play) findTasks(ctx context.Context, execID, path string) ([]map[string]any, error) {
	execIDs := []string{execID}
	parts := strings.Split(path, "/")
	for i, name := range parts {
		var found []map[string]any
		for _, ex := range execIDs {
			r, err := pl.cl.get(ctx, "/executions/"+ex+"/tasks")
			if err != nil {
				return nil, err
			}
			for _, t := range list(r.obj(), "tasks") {
				if str(t, "name") == name {
					found = append(found, t)
				}
			}
		}
		if i == len(parts)-1 {
			return found, nil
		}
		execIDs = execIDs[:0]
		for _, t := range found {
			subs, err := pl.subExecutions(ctx, str(t, "id"))
			if err != nil {
				return nil, err
			}
			for _, s := range subs {
				execIDs = append(execIDs, str(s, "id"))
			}
		}
	}
	return nil, nil
}

// subExecutions lists the workflow executions a task started.
func (pl *play) subExecutions(ctx context.Context, taskID string) ([]map[string]any, error) {
	r, err := pl.cl.get(ctx, "/executions?task_execution_id="+url.QueryEscape(taskID))
	if err != nil {
		return nil, err
	}
	return list(r.obj(), "executions"), nil
}

// runningActions lists a task's action executions still RUNNING.
func (pl *play) runningActions(ctx context.Context, taskID string) ([]map[string]any, error) {
	r, err := pl.cl.get(ctx, "/tasks/"+taskID+"/action_executions")
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for _, a := range list(r.obj(), "action_executions") {
		if str(a, "state") == "RUNNING" {
			out = append(out, a)
		}
	}
	return out, nil
}

// waitTask waits until a task of the name is in the state, and (when the
// step asks) has that many running action executions.
func (pl *play) waitTask(ctx context.Context, s Step) (StepResult, error) {
	var last string
	ok, err := pl.poll(ctx, func() (bool, error) {
		tasks, err := pl.findTasks(ctx, pl.ids[s.Execution], s.Task)
		if err != nil {
			return false, err
		}
		want := max(s.Tasks, 1)
		ready := 0
		for _, t := range tasks {
			last = str(t, "state")
			if last != s.State {
				continue
			}
			if s.Actions > 0 {
				acts, err := pl.runningActions(ctx, str(t, "id"))
				if err != nil {
					return false, err
				}
				if len(acts) < s.Actions {
					continue
				}
			}
			ready++
		}
		if ready >= want {
			// What was waited for, not the state of whichever task
			// happened to be listed last.
			last = s.State
			return true, nil
		}
		return false, nil
	})
	res := StepResult{State: last}
	if !ok {
		res.Problem = fmt.Sprintf("timed out waiting for task %s to be %s", s.Task, s.State)
		if s.Tasks > 1 {
			res.Problem = fmt.Sprintf("timed out waiting for %d tasks %s to be %s", s.Tasks, s.Task, s.State)
		}
		if s.Actions > 0 {
			res.Problem += fmt.Sprintf(" with %d running actions", s.Actions)
		}
	}
	return res, err
}

// completeAction sends the step's result for the running action
// executions of a task, as an outside system finishing std.async_noop
// does (PUT /v2/action_executions/{id}).
func (pl *play) completeAction(ctx context.Context, s Step) (StepResult, error) {
	tasks, err := pl.findTasks(ctx, pl.ids[s.Execution], s.Task)
	if err != nil {
		return StepResult{}, err
	}
	var acts []map[string]any
	for _, t := range tasks {
		a, err := pl.runningActions(ctx, str(t, "id"))
		if err != nil {
			return StepResult{}, err
		}
		acts = append(acts, a...)
	}
	if len(acts) == 0 {
		return StepResult{Problem: "no running action in task " + s.Task}, nil
	}
	if s.Count > 0 && len(acts) > s.Count {
		acts = acts[:s.Count]
	}
	state := s.State
	if state == "" {
		state = "SUCCESS"
	}
	var res StepResult
	for _, a := range acts {
		body := map[string]any{"state": state}
		if len(s.Output) > 0 {
			out, err := decodeJSON(s.Output)
			if err != nil {
				return StepResult{}, fmt.Errorf("decode output: %w", err)
			}
			if s.OutputRaw {
				body["output"] = out
			} else {
				body["output"] = string(s.Output)
			}
		}
		pl.norm.action(str(a, "id"))
		r, err := pl.cl.json(ctx, "PUT", "/action_executions/"+str(a, "id"), body)
		if err != nil {
			return StepResult{}, err
		}
		// The last answer stands for all: they are all the same request.
		res = StepResult{Status: r.status, Fault: r.fault()}
	}
	return res, nil
}
