package workflow

import (
	"context"
	"fmt"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/value"
)

// Reverse workflows run a target task (params.task_name) and, before it,
// everything it requires, transitively. A task starts when every task it
// requires succeeded; its inbound context merges their outbound contexts.
// There are no transitions: a failure fails the workflow once nothing is
// left running, and the output is the target's outbound context.

// ReverseTarget returns the target task of a reverse workflow execution,
// or an error naming what is wrong with params.task_name.
func ReverseTarget(spec *dsl.Workflow, params *value.Map) (*dsl.Task, error) {
	raw, _ := params.Get("task_name")
	name, _ := raw.(string)
	t := spec.TaskByName[name]
	if t == nil {
		return nil, &InputError{Workflow: spec.Name, Type: spec.Type, message: fmt.Sprintf(
			"Invalid task name [wf_spec=%s, task_name=%s]: a reverse workflow runs the task named by params.task_name", spec.Name, value.PyStr(raw))}
	}
	return t, nil
}

// reverseOrder lists the tasks the target needs, dependencies first (a
// depth-first post-order from the target, as Mistral walks its graph).
func reverseOrder(spec *dsl.Workflow, target *dsl.Task) []*dsl.Task {
	var order []*dsl.Task
	seen := map[string]bool{}
	var visit func(t *dsl.Task)
	visit = func(t *dsl.Task) {
		if seen[t.Name] {
			return
		}
		seen[t.Name] = true
		for _, r := range spec.RequiredTasks(t) {
			if dep := spec.TaskByName[r]; dep != nil {
				visit(dep)
			}
		}
		order = append(order, t)
	}
	visit(target)
	return order
}

// startReverse starts the needed tasks that require nothing.
func (m *Machine) startReverse(ctx context.Context, s *Step) error {
	target, err := ReverseTarget(s.spec, s.Execution.Params)
	if err != nil {
		m.failWorkflow(ctx, s, err.Error())
		return nil
	}
	for _, t := range reverseOrder(s.spec, target) {
		if len(s.spec.RequiredTasks(t)) == 0 {
			if err := m.arrive(ctx, s, t, value.NewMap(0), ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// completeReverseTask records a finished task of a reverse workflow and
// starts the needed tasks whose requirements are now all met.
func (m *Machine) completeReverseTask(ctx context.Context, s *Step, t *dsl.Task, task *Task, outbound *value.Map) error {
	ex := s.Execution
	if task.State == StateError {
		ex.Runtime.FailedTasks = append(ex.Runtime.FailedTasks, failedTask(task))
		return nil
	}
	target, err := ReverseTarget(s.spec, ex.Params)
	if err != nil {
		return err
	}
	if t.Name == target.Name {
		ex.Runtime.FinalContext = value.MergeDicts(ex.Runtime.FinalContext, outbound)
		return nil
	}
	if task.State != StateSuccess {
		return nil
	}
	for _, next := range reverseOrder(s.spec, target) {
		if !requires(s.spec, next, t.Name) {
			continue
		}
		inCtx, ok, err := m.requirementsMet(ctx, s, next, task, outbound)
		if err != nil {
			return err
		}
		if ok {
			if err := m.arrive(ctx, s, next, inCtx, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

func requires(spec *dsl.Workflow, t *dsl.Task, name string) bool {
	for _, r := range spec.RequiredTasks(t) {
		if r == name {
			return true
		}
	}
	return false
}

// requirementsMet reports whether every task next requires succeeded and
// next has not run yet; it returns next's inbound context.
func (m *Machine) requirementsMet(ctx context.Context, s *Step, next *dsl.Task, done *Task, doneOutbound *value.Map) (*value.Map, bool, error) {
	existing, err := s.reader.TaskByName(ctx, s.Execution.ID, next.Name)
	if err != nil || existing != nil {
		return nil, false, err
	}
	inCtx := value.NewMap(0)
	for _, r := range s.spec.RequiredTasks(next) {
		if r == done.Name {
			value.MergeDicts(inCtx, doneOutbound)
			continue
		}
		dep, err := s.reader.TaskByName(ctx, s.Execution.ID, r)
		if err != nil {
			return nil, false, err
		}
		if dep == nil || dep.State != StateSuccess {
			return nil, false, nil
		}
		value.MergeDicts(inCtx, value.MergeDicts(dep.InContext.Clone(), dep.Published))
	}
	return inCtx, true, nil
}
