package compat

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// maxDepth bounds how deep snapshots follow sub-workflows: a runaway
// recursion on one server must not hang the recorder.
const maxDepth = 4

// snapshot reads an execution, its tasks and (recursively) the executions
// its workflow tasks started, and normalises the lot. name is what the ids
// become in placeholders.
func (pl *play) snapshot(ctx context.Context, name, id string, depth int) (*Snapshot, error) {
	r, err := pl.cl.get(ctx, "/executions/"+id)
	if err != nil {
		return nil, err
	}
	if r.status != 200 {
		return &Snapshot{State: fmt.Sprintf("HTTP %d", r.status)}, nil
	}
	ex := r.obj()
	r, err = pl.cl.get(ctx, "/executions/"+id+"/tasks")
	if err != nil {
		return nil, err
	}
	rawTasks := list(r.obj(), "tasks")
	// Every id gets its name before any text is normalised: the state_info
	// of the execution names its tasks' ids.
	for _, t := range rawTasks {
		pl.norm.task(str(t, "id"), str(t, "name"))
	}
	snap := &Snapshot{
		WorkflowName: str(ex, "workflow_name"),
		Namespace:    str(ex, "workflow_namespace"),
		State:        str(ex, "state"),
		Tasks:        []*TaskRecord{},
	}
	for _, t := range rawTasks {
		tr, err := pl.taskRecord(ctx, name, t, depth)
		if err != nil {
			return nil, err
		}
		snap.Tasks = append(snap.Tasks, tr)
	}
	snap.StateInfo = pl.norm.value(ex["state_info"])
	snap.Input = pl.norm.value(jsonString(ex["input"]))
	snap.Output = pl.norm.value(jsonString(ex["output"]))
	sortTasks(snap.Tasks)
	return snap, nil
}

// taskRecord reads one task in full (the list leaves out its result) and
// the sub-executions it started.
func (pl *play) taskRecord(ctx context.Context, exName string, t map[string]any, depth int) (*TaskRecord, error) {
	id := str(t, "id")
	r, err := pl.cl.get(ctx, "/tasks/"+id)
	if err != nil {
		return nil, err
	}
	full := r.obj()
	var problem string
	if r.status != 200 || full == nil {
		// Mistral 15 cannot show a task whose on-* clause publishes
		// globally: GET /v2/tasks/{id} re-evaluates the publish and fails
		// (the fault names a Python object address, so only the status is
		// kept). The list entry has everything but the result.
		problem = fmt.Sprintf("GET /v2/tasks/{id}: HTTP %d", r.status)
		full = t
	}
	tr := &TaskRecord{
		Name:    str(full, "name"),
		Type:    str(full, "type"),
		State:   str(full, "state"),
		Problem: problem,
	}
	if tr.Type != "WORKFLOW" {
		r, err := pl.cl.get(ctx, "/tasks/"+id+"/action_executions")
		if err != nil {
			return nil, err
		}
		tr.Actions = len(list(r.obj(), "action_executions"))
	}
	if tr.Type == "WORKFLOW" && depth < maxDepth {
		subs, err := pl.subExecutions(ctx, id)
		if err != nil {
			return nil, err
		}
		subName := exName + "/" + tr.Name
		for _, s := range subs {
			pl.norm.execution(str(s, "id"), subName)
		}
		for _, s := range subs {
			snap, err := pl.snapshot(ctx, subName, str(s, "id"), depth+1)
			if err != nil {
				return nil, err
			}
			tr.Executions = append(tr.Executions, snap)
		}
		slices.SortFunc(tr.Executions, func(a, b *Snapshot) int { return cmp.Compare(canonical(a), canonical(b)) })
	}
	tr.StateInfo = pl.norm.value(full["state_info"])
	tr.Published = pl.norm.value(jsonString(full["published"]))
	tr.Result = pl.norm.value(jsonString(full["result"]))
	return tr, nil
}

// sortTasks orders tasks by name, then by content. Mistral's timestamps
// have one-second resolution, so the creation order of tasks of the same
// name (loops, retried reruns) cannot be read from its API; content order
// is deterministic on both servers.
func sortTasks(tasks []*TaskRecord) {
	slices.SortStableFunc(tasks, func(a, b *TaskRecord) int {
		if c := cmp.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return cmp.Compare(canonical(a), canonical(b))
	})
}

// canonical is a value's JSON text with sorted keys, for ordering and
// diffs (without HTML escaping, so placeholders read as <uuid>).
func canonical(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
