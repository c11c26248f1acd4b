package api

import (
	"context"
	"fmt"
	"sort"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

// The engine writes a with-items task's result once, when its last item
// ends, so that each item costs it O(1). Mistral instead computes a task's
// result on every read from the runs it has accepted
// (data_flow.get_task_execution_result): while a with-items task runs, GET
// /v2/tasks/{id} already shows the items that finished, in item order,
// failed ones included. The API works that out here, on read, and only for
// the one task it shows: Mistral's task lists carry no result at all.

// needsItemResults reports whether t's result has to be read from its
// items: a with-items task whose run has not ended. A run that ended
// (completed, or held back by wait-after or a retry delay) left its
// result on the row.
func needsItemResults(t *workflow.Task) bool {
	return t.Runtime.WithItems != nil && t.Result == nil && !t.State.IsCompleted()
}

// withItemResults returns t as GET shows it: for a with-items task still
// running, a copy whose result lists the items finished so far. The stored
// row is left alone.
func (s *Server) withItemResults(ctx context.Context, t *workflow.Task) (*workflow.Task, error) {
	if !needsItemResults(t) {
		return t, nil
	}
	runs, err := s.itemRuns(ctx, t)
	if err != nil {
		return nil, err
	}
	shown := *t
	shown.Result = finishedItemResults(runs)
	return &shown, nil
}

// itemRun is one run of one item of a with-items task.
type itemRun struct {
	index int
	// finished is true once the task has taken the run's result.
	finished bool
	result   any
}

// itemRuns reads the runs of t's current attempt in creation order: the
// same rows, and the same order, the engine builds the final result from
// (workflow's itemRuns), so a partial result never disagrees with the
// final one.
func (s *Server) itemRuns(ctx context.Context, t *workflow.Task) ([]itemRun, error) {
	var runs []itemRun
	if t.Type == workflow.TaskTypeWorkflow {
		children, err := s.store.ExecutionList(ctx, store.ExecutionListParams{TaskExecutionID: t.ID})
		if err != nil {
			return nil, fmt.Errorf("read the items of task %s: %w", t.ID, err)
		}
		for _, c := range children {
			if !c.Runtime.Item || c.Runtime.TaskAttempt != t.Runtime.Attempt {
				continue
			}
			// A child's end and its parent task taking it are one
			// transaction, so a completed child is an accepted one;
			// Mistral's result of a sub-workflow item is its whole output.
			runs = append(runs, itemRun{index: c.Runtime.ItemIndex, finished: c.State.IsCompleted(), result: c.Output})
		}
		return runs, nil
	}
	actions, err := s.store.ActionExecutionList(ctx, store.ActionExecutionListParams{TaskExecutionID: t.ID})
	if err != nil {
		return nil, fmt.Errorf("read the items of task %s: %w", t.ID, err)
	}
	for _, a := range actions {
		if a.Attempt != t.Runtime.Attempt {
			continue
		}
		// A result recorded but not yet accepted is not the task's yet
		// (an ad-hoc action's output transforms apply on acceptance), as
		// Mistral shows only accepted runs.
		runs = append(runs, itemRun{index: a.Index, finished: a.State.IsCompleted() && a.Accepted, result: a.Result})
	}
	return runs, nil
}

// finishedItemResults picks, from runs in creation order, the latest run
// of each item (a rerun without reset adds a new run for a failed item in
// the same attempt) and lists the results of those that finished, in item
// order. Never nil: no finished item shows as [].
func finishedItemResults(runs []itemRun) []any {
	latest := make(map[int]itemRun, len(runs))
	for _, r := range runs {
		latest[r.index] = r
	}
	finished := make([]itemRun, 0, len(latest))
	for _, r := range latest {
		if r.finished {
			finished = append(finished, r)
		}
	}
	sort.Slice(finished, func(i, j int) bool { return finished[i].index < finished[j].index })
	results := make([]any, len(finished))
	for i, r := range finished {
		results[i] = r.result
	}
	return results
}
