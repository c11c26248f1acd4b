package compat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// file reads one of the case's definition files.
func (pl *play) file(name string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(pl.c.Dir, name))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	return string(raw), nil
}

// nsQuery is the ?namespace= suffix of an upload.
func nsQuery(ns string) string {
	if ns == "" {
		return ""
	}
	return "?namespace=" + url.QueryEscape(ns)
}

// simple sends one request and records its status (and fault).
func (pl *play) simple(ctx context.Context, method, path string, body json.RawMessage) (StepResult, error) {
	var (
		r   response
		err error
	)
	if body == nil {
		r, err = pl.cl.do(ctx, method, path, "", nil)
	} else {
		r, err = pl.cl.do(ctx, method, path, "application/json", body)
	}
	if err != nil {
		return StepResult{}, err
	}
	return StepResult{Status: r.status, Fault: r.fault()}, nil
}

// upload sends a YAML document and records what it created: the names
// listed under key, or the workbook's name when key is "".
func (pl *play) upload(ctx context.Context, method, path, file, key string) (StepResult, error) {
	text, err := pl.file(file)
	if err != nil {
		return StepResult{}, err
	}
	r, err := pl.cl.yaml(ctx, method, path, text)
	if err != nil {
		return StepResult{}, err
	}
	res := StepResult{Status: r.status, Fault: r.fault()}
	if r.status >= 300 {
		return res, nil
	}
	if key == "" {
		if name := str(r.obj(), "name"); name != "" {
			res.Created = []string{name}
		}
		return res, nil
	}
	for _, item := range list(r.obj(), key) {
		res.Created = append(res.Created, str(item, "name"))
	}
	slices.Sort(res.Created)
	return res, nil
}

func (pl *play) validate(ctx context.Context, s Step) (StepResult, error) {
	text, err := pl.file(s.File)
	if err != nil {
		return StepResult{}, err
	}
	r, err := pl.cl.yaml(ctx, "POST", "/workflows/validate", text)
	if err != nil {
		return StepResult{}, err
	}
	res := StepResult{Status: r.status, Fault: r.fault()}
	if v, ok := r.obj()["valid"].(bool); ok {
		res.Valid = &v
		res.ValidError = str(r.obj(), "error")
	}
	return res, nil
}

func (pl *play) start(ctx context.Context, s Step) (StepResult, error) {
	body := map[string]any{"workflow_name": s.Workflow}
	if s.Namespace != "" {
		body["workflow_namespace"] = s.Namespace
	}
	// Mistral takes input and params as JSON-encoded strings, as the
	// client sends them.
	if len(s.Input) > 0 {
		body["input"] = string(s.Input)
	}
	if len(s.Params) > 0 {
		body["params"] = string(s.Params)
	}
	r, err := pl.cl.json(ctx, "POST", "/executions", body)
	if err != nil {
		return StepResult{}, err
	}
	res := StepResult{Status: r.status, Fault: r.fault()}
	if r.status < 300 {
		id := str(r.obj(), "id")
		if id == "" {
			res.Problem = "start answered without an id"
			return res, nil
		}
		pl.ids[s.As] = id
		pl.order = append(pl.order, s.As)
		// The state start answers is left out: Mistral answers RUNNING,
		// while a server that runs the first tasks inside the request may
		// already be done; the final snapshot is what users wait for.
		pl.norm.execution(id, s.As)
	}
	return res, nil
}

// setState sends PUT /v2/executions/{id}.
func (pl *play) setState(ctx context.Context, name string, body map[string]any) (StepResult, error) {
	r, err := pl.cl.json(ctx, "PUT", "/executions/"+pl.ids[name], body)
	if err != nil {
		return StepResult{}, err
	}
	return StepResult{Status: r.status, Fault: r.fault(), State: str(r.obj(), "state")}, nil
}

// setStateOf sends PUT /v2/executions/{id} to the step's execution, or,
// when the step names a task, to the sub-executions that workflow task
// started (the first Count of them in input order; all when Count is 0),
// as a user acting on a child alone does.
func (pl *play) setStateOf(ctx context.Context, s Step, body map[string]any) (StepResult, error) {
	if s.Task == "" {
		return pl.setState(ctx, s.Execution, body)
	}
	tasks, err := pl.findTasks(ctx, pl.ids[s.Execution], s.Task)
	if err != nil {
		return StepResult{}, err
	}
	var subs []map[string]any
	for _, t := range tasks {
		found, err := pl.subExecutions(ctx, str(t, "id"))
		if err != nil {
			return StepResult{}, err
		}
		subs = append(subs, found...)
	}
	if len(subs) == 0 {
		return StepResult{Problem: "no sub-execution of task " + s.Task}, nil
	}
	// Input order is the same on every server; creation order within
	// one second is not readable from Mistral's API.
	slices.SortStableFunc(subs, func(a, b map[string]any) int {
		return strings.Compare(canonical(jsonString(a["input"])), canonical(jsonString(b["input"])))
	})
	if s.Count > 0 && len(subs) > s.Count {
		subs = subs[:s.Count]
	}
	var res StepResult
	for _, sub := range subs {
		r, err := pl.cl.json(ctx, "PUT", "/executions/"+str(sub, "id"), body)
		if err != nil {
			return StepResult{}, err
		}
		// The last answer stands for all: they are all the same request.
		res = StepResult{Status: r.status, Fault: r.fault(), State: str(r.obj(), "state")}
	}
	return res, nil
}

// rerun sends PUT /v2/tasks/{id} for the named task (the last failed one
// when the name ran several times), as `mistral task-rerun` does.
func (pl *play) rerun(ctx context.Context, s Step) (StepResult, error) {
	tasks, err := pl.findTasks(ctx, pl.ids[s.Execution], s.Task)
	if err != nil {
		return StepResult{}, err
	}
	var id string
	for _, t := range tasks {
		if str(t, "state") == "ERROR" || id == "" {
			id = str(t, "id")
		}
	}
	if id == "" {
		return StepResult{Problem: "no task " + s.Task}, nil
	}
	body := map[string]any{"id": id, "state": "RUNNING", "reset": *s.Reset}
	if len(s.Env) > 0 {
		body["env"] = string(s.Env)
	}
	r, err := pl.cl.json(ctx, "PUT", "/tasks/"+id, body)
	if err != nil {
		return StepResult{}, err
	}
	return StepResult{Status: r.status, Fault: r.fault(), State: str(r.obj(), "state")}, nil
}
