package workflow

import (
	"context"
	"fmt"
	"slices"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/value"
)

// A join decides its fate as soon as it can, as Mistral 15's
// DirectWorkflowController._get_join_logical_state does each time a task
// upstream of a waiting join completes: an inbound task that completed
// without a transition to the join, or that can no longer run at all
// (every task leading to it completed without a transition to it), will
// never arrive. Once too few inbound tasks are left for the join to fire
// (any, for join: all; more than inbound minus N, for join: N) the join
// fails at once with "Failed by tasks: [...]", takes its own on-error
// clause, and the workflow goes on with whatever still runs.
//
// Mistral re-reads the join's inbound tasks on every such event; here
// the join task counts the inbound tasks that will not arrive
// (TaskRuntime.JoinFailedFrom) beside those that did, so an event costs
// the same however wide the join is. A miss that comes before the join
// has a task execution waits in ExecutionRuntime.Unreached, which also
// serves to find tasks that can no longer run. Only targets with a join
// at or after them are recorded: no other task cares.

// missTransitions records that the completed task did not take its
// transitions to the tasks outside chosen, for the joins they lead to.
func (m *Machine) missTransitions(ctx context.Context, s *Step, t *dsl.Task, chosen []chosenTransition) error {
	if s.Execution.State.IsCompleted() {
		return nil // Mistral refreshes no join of a finished workflow
	}
	transitions := 0
	for _, c := range effectiveClauses(s.spec, t) {
		if c != nil {
			transitions += len(c.Next)
		}
	}
	if transitions == len(chosen) {
		return nil // every transition taken: the common case costs no more
	}
	taken := make(map[string]bool, len(chosen))
	for _, c := range chosen {
		taken[c.target] = true
	}
	if taken[t.Name] {
		// The task runs again at once: Mistral judges a join by an inbound
		// task's latest run, and that one has not ended.
		return nil
	}
	for _, target := range s.spec.OutboundTasks(t.Name) {
		if taken[target] || !s.spec.LeadsToJoin(target) {
			continue
		}
		if err := m.miss(ctx, s, t.Name, target); err != nil {
			return err
		}
	}
	return nil
}

// miss handles the news that inbound task from will never arrive at
// target: a waiting join counts it and may fail; a task not run yet may
// thereby have become unreachable, which its own targets then learn.
func (m *Machine) miss(ctx context.Context, s *Step, from, target string) error {
	ex := s.Execution
	if ex.State.IsCompleted() {
		return nil
	}
	next := s.spec.TaskByName[target]
	if next.Join.IsJoin() {
		task, err := m.waitingJoin(ctx, s, next)
		if err != nil {
			return err
		}
		if task != nil {
			if task.Runtime.hasArrived(from) || slices.Contains(task.Runtime.JoinFailedFrom, from) {
				return nil // a loop ran from again; its first word stands
			}
			task.Runtime.JoinFailedFrom = append(task.Runtime.JoinFailedFrom, from)
			s.touchTask(task)
			return m.settleJoin(ctx, s, next, task)
		}
	}
	exists, err := m.hasTask(ctx, s, target)
	if err != nil {
		return err
	}
	if exists {
		return nil // it ran (or a join fired or failed): nothing to learn
	}
	missed := ex.Runtime.Unreached[target]
	need := len(s.spec.InboundTasks(target))
	if len(missed) >= need || slices.Contains(missed, from) {
		return nil // already known unreachable, or already counted
	}
	if ex.Runtime.Unreached == nil {
		ex.Runtime.Unreached = map[string][]string{}
	}
	missed = append(missed, from)
	ex.Runtime.Unreached[target] = missed
	s.touchExecution()
	if len(missed) < need {
		return nil
	}
	// No inbound task is left to start target: it will never run, so
	// none of its own transitions will be taken either (Mistral's
	// _possible_route finds the same by walking back from the join).
	for _, after := range s.spec.OutboundTasks(target) {
		if !s.spec.LeadsToJoin(after) {
			continue
		}
		if err := m.miss(ctx, s, target, after); err != nil {
			return err
		}
	}
	return nil
}

// waitingJoin returns the WAITING task of join t: the one this step
// created or touched, else the stored one; nil when there is none.
func (m *Machine) waitingJoin(ctx context.Context, s *Step, t *dsl.Task) (*Task, error) {
	if task := s.joins[t.Name]; task != nil {
		if task.State != StateWaiting {
			return nil, nil
		}
		return task, nil
	}
	task, err := s.reader.WaitingTask(ctx, s.Execution.ID, t.Name)
	if err != nil {
		return nil, fmt.Errorf("find waiting join task %q: %w", t.Name, err)
	}
	if task != nil {
		s.joins[t.Name] = task
	}
	return task, nil
}

// hasTask reports whether the named task has a task execution, stored
// or made by this step.
func (m *Machine) hasTask(ctx context.Context, s *Step, name string) (bool, error) {
	if s.joins[name] != nil {
		return true, nil
	}
	for _, t := range s.NewTasks {
		if t.Name == name {
			return true, nil
		}
	}
	t, err := s.reader.TaskByName(ctx, s.Execution.ID, name)
	if err != nil {
		return false, fmt.Errorf("find task %q: %w", name, err)
	}
	return t != nil, nil
}

// settleJoin decides a waiting join: it fires when enough inbound tasks
// arrived, fails when too few can still arrive, and waits otherwise.
func (m *Machine) settleJoin(ctx context.Context, s *Step, t *dsl.Task, task *Task) error {
	ex := s.Execution
	inbound := s.spec.InboundCount(t.Name)
	need := t.Join.Count
	if t.Join.All {
		need = inbound
	}
	if task.Runtime.JoinArrived >= need {
		if later := task.Runtime.JoinContext; later != nil {
			value.MergeDicts(task.InContext, later)
			task.Runtime.JoinContext = nil
		}
		task.State = StateRunning
		ex.Runtime.WaitingJoins--
		ex.Runtime.ActiveTasks++
		s.touchExecution()
		return m.beginTask(ctx, s, t, task)
	}
	if len(task.Runtime.JoinFailedFrom) > inbound-need {
		return m.failJoin(ctx, s, t, task)
	}
	return nil
}

// failJoin ends a join that can no longer fire in ERROR, as Mistral's
// refresh of a join does: "Failed by tasks: [...]" names the inbound
// tasks that will not arrive, in the workflow's order; the join ran
// nothing, so its result is []. Then it completes like any failed task:
// publish-on-error, on-error or on-complete, or an unhandled error.
func (m *Machine) failJoin(ctx context.Context, s *Step, t *dsl.Task, task *Task) error {
	ex := s.Execution
	var failedBy []any
	for _, name := range s.spec.InboundTasks(t.Name) {
		if slices.Contains(task.Runtime.JoinFailedFrom, name) {
			failedBy = append(failedBy, name)
		}
	}
	if failedBy == nil {
		failedBy = []any{}
	}
	task.State = StateError
	task.StateInfo = "Failed by tasks: " + value.PyStr(failedBy)
	task.Result = []any{}
	task.Runtime.JoinContext = nil // the later arrivals' contexts never join in
	ex.Runtime.WaitingJoins--
	ex.Runtime.ActiveTasks++ // completeTask counts it out again
	s.touchTask(task)
	s.touchExecution()
	if err := m.publishRun(ctx, s, t, task); err != nil {
		m.forceFail(ctx, s, task, fmt.Sprintf("Failed to complete task [error=%s, wf=%s, task=%s]", err.Error(), s.spec.Name, t.Name))
		return nil
	}
	return m.completeTask(ctx, s, t, task)
}
