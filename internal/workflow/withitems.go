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
	return m.startItemRun(ctx, s, t, task, view, index)
}

// startItemRun starts item index of a with-items task: its action, or
// its sub-workflow execution.
func (m *Machine) startItemRun(ctx context.Context, s *Step, t *dsl.Task, task *Task, view *value.Map, index int) error {
	h := host{step: s, task: task}
	if t.Workflow != "" {
		return m.startSubworkflow(ctx, s, t, task, view, h, index)
	}
	return m.startAction(ctx, s, t, task, view, h, index)
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
		vars = append(vars, wi.Var)
		lists = append(lists, list)
	}
	for _, list := range lists {
		if len(list) != len(lists[0]) {
			// Mistral names every collection by its variable.
			all := value.NewMap(len(vars))
			for j, name := range vars {
				all.Set(name, lists[j])
			}
			return nil, fmt.Errorf("Wrong input format for: %s. All arrays must have the same length.", value.PyStr(all))
		}
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
	results, err := m.itemResults(ctx, s, t, task)
	if err != nil {
		return err
	}
	if wi.Failed > 0 {
		return m.finishRun(ctx, s, t, task, StateError, results, "One or more actions had failed.")
	}
	return m.finishRun(ctx, s, t, task, StateSuccess, results, "")
}

// itemRun is the latest run of one item: its action or sub-workflow.
type itemRun struct {
	index  int
	state  State
	result any
	action *ActionExecution // nil for a sub-workflow item
}

// itemRuns reads the latest run of each item of the current attempt, in
// item order. It reads each item once, when the task completes or is
// rerun: O(items) once, not per item.
func (m *Machine) itemRuns(ctx context.Context, s *Step, t *dsl.Task, task *Task) ([]itemRun, error) {
	// The latest run of each item wins: a rerun without reset adds a new
	// one for a failed item in the same attempt.
	latest := map[int]itemRun{}
	if t.Workflow != "" {
		children, err := s.reader.TaskChildren(ctx, task.ID)
		if err != nil {
			return nil, fmt.Errorf("read the items of task %s: %w", task.ID, err)
		}
		for _, c := range children {
			if isItemOf(task, c) {
				// Mistral's result of a sub-workflow item is its whole output.
				latest[c.Runtime.ItemIndex] = itemRun{index: c.Runtime.ItemIndex, state: c.State, result: c.Output}
			}
		}
	} else {
		acts, err := s.reader.TaskActions(ctx, task.ID)
		if err != nil {
			return nil, fmt.Errorf("read the items of task %s: %w", task.ID, err)
		}
		for _, a := range acts {
			if a.Attempt == task.Runtime.Attempt {
				latest[a.Index] = itemRun{index: a.Index, state: a.State, result: a.Result, action: a}
			}
		}
	}
	runs := make([]itemRun, 0, len(latest))
	for _, r := range latest {
		runs = append(runs, r)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].index < runs[j].index })
	return runs, nil
}

// itemResults is the task's result: each item's result in item order.
func (m *Machine) itemResults(ctx context.Context, s *Step, t *dsl.Task, task *Task) ([]any, error) {
	runs, err := m.itemRuns(ctx, s, t, task)
	if err != nil {
		return nil, err
	}
	results := make([]any, len(runs))
	for i, r := range runs {
		results[i] = r.result
	}
	return results, nil
}
