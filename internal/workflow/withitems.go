package workflow

import (
	"context"
	"fmt"
	"sort"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/value"
)

// startItems starts a with-items task: it evaluates the collections,
// zips them into one binding per item and starts as many items as the
// concurrency policy allows. An empty collection succeeds at once with [].
func (m *Machine) startItems(ctx context.Context, s *Step, t *dsl.Task, task *Task, view *value.Map, h host) error {
	if t.Workflow != "" {
		return m.finishRun(ctx, s, t, task, StateError, nil, fmt.Sprintf("task %q: with-items over a sub-workflow is not supported yet", t.Name))
	}
	bindings, err := m.itemBindings(ctx, t, view, h)
	if err != nil {
		return m.startFailure(ctx, s, t, task, err.Error())
	}
	if len(bindings) == 0 {
		return m.finishRun(ctx, s, t, task, StateSuccess, []any{}, "")
	}
	conc, err := m.policySeconds(ctx, s.spec.EffectivePolicies(t).Concurrency, view, h)
	if err != nil {
		return m.finishRun(ctx, s, t, task, StateError, nil, fmt.Sprintf("Failed to evaluate concurrency of task %q: %v", t.Name, err))
	}
	wi := &WithItemsState{Count: len(bindings), Concurrency: int(conc)}
	if wi.Concurrency < 0 || wi.Concurrency >= wi.Count {
		wi.Concurrency = 0
	}
	task.Runtime.WithItems = wi
	if wi.Concurrency > 0 {
		wi.Pending = bindings[wi.Concurrency:]
		bindings = bindings[:wi.Concurrency]
	}
	for _, b := range bindings {
		if err := m.startItem(ctx, s, t, task, b); err != nil {
			return err
		}
		if task.State != StateRunning {
			break // an item failed to start and that ended the task
		}
	}
	return nil
}

// startItem starts the next item with its binding of the item variables.
func (m *Machine) startItem(ctx context.Context, s *Step, t *dsl.Task, task *Task, binding *value.Map) error {
	wi := task.Runtime.WithItems
	index := wi.Next
	wi.Next++
	wi.Running++
	itemCtx := task.InContext.Clone()
	itemCtx.Update(binding)
	view := dataView(s.Execution, itemCtx, task)
	return m.startAction(ctx, s, t, task, view, host{step: s, task: task}, index)
}

// itemBindings evaluates `var in <collection>` clauses and zips them.
func (m *Machine) itemBindings(ctx context.Context, t *dsl.Task, view *value.Map, h host) ([]*value.Map, error) {
	var (
		vars  []string
		lists [][]any
	)
	for _, wi := range t.WithItems {
		v, err := m.eval.Evaluate(ctx, wi.Collection, view, h)
		if err != nil {
			return nil, fmt.Errorf("Failed to evaluate with-items of task %q: %v", t.Name, err)
		}
		list, ok := v.([]any)
		if !ok {
			if d, isMap := v.(*value.Map); isMap {
				// Iterating a dict yields its keys, as in Python.
				for _, k := range d.Keys() {
					list = append(list, k)
				}
			} else {
				return nil, fmt.Errorf("Wrong input format for: {}. Iterable type is expected for each value.")
			}
		}
		if len(lists) > 0 && len(list) != len(lists[0]) {
			return nil, fmt.Errorf("Invalid array in 'with-items' clause: %s. All arrays must have the same length.", wi.Var)
		}
		vars = append(vars, wi.Var)
		lists = append(lists, list)
	}
	if len(lists) == 0 {
		return nil, nil
	}
	out := make([]*value.Map, len(lists[0]))
	for i := range out {
		b := value.NewMap(len(vars))
		for j, name := range vars {
			b.Set(name, lists[j][i])
		}
		out[i] = b
	}
	return out, nil
}

// itemDone counts a finished item, starts the next one under the
// concurrency cap, and when every item finished completes the task with
// the results in item order: ERROR if any item failed.
func (m *Machine) itemDone(ctx context.Context, s *Step, t *dsl.Task, task *Task, succeeded bool) error {
	wi := task.Runtime.WithItems
	s.touchTask(task)
	if succeeded {
		wi.Succeeded++
	} else {
		wi.Failed++
	}
	for wi.Next < wi.Count && len(wi.Pending) > 0 && (wi.Concurrency == 0 || wi.Running < wi.Concurrency) {
		b := wi.Pending[0]
		wi.Pending = wi.Pending[1:]
		if err := m.startItem(ctx, s, t, task, b); err != nil {
			return err
		}
		if task.State != StateRunning {
			return nil
		}
	}
	if wi.Succeeded+wi.Failed < wi.Count {
		return nil
	}
	results, err := m.itemResults(ctx, s, task)
	if err != nil {
		return err
	}
	if wi.Failed > 0 {
		return m.finishRun(ctx, s, t, task, StateError, results, "One or more actions had failed.")
	}
	return m.finishRun(ctx, s, t, task, StateSuccess, results, "")
}

// itemResults reads the results of the current attempt's items, in item
// order. It reads each item once, when the task completes: O(items) once,
// not per item.
func (m *Machine) itemResults(ctx context.Context, s *Step, task *Task) ([]any, error) {
	acts, err := s.reader.TaskActions(ctx, task.ID)
	if err != nil {
		return nil, fmt.Errorf("read the items of task %s: %w", task.ID, err)
	}
	// The latest action of each item wins: a rerun without reset adds a
	// new action for a failed item in the same attempt.
	latest := map[int]*ActionExecution{}
	for _, a := range acts {
		if a.Attempt == task.Runtime.Attempt {
			latest[a.Index] = a
		}
	}
	current := make([]*ActionExecution, 0, len(latest))
	for _, a := range latest {
		current = append(current, a)
	}
	sort.Slice(current, func(i, j int) bool { return current[i].Index < current[j].Index })
	results := make([]any, len(current))
	for i, a := range current {
		results[i] = a.Result
	}
	return results, nil
}
