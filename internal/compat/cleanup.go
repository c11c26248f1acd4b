package compat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// resource is something a case created on the server.
type resource struct {
	kind      string // "workflows", "workbooks", "actions", "environments"
	name      string
	namespace string
}

// noteCreated remembers what a successful step created, for cleanup.
func (pl *play) noteCreated(s Step, res StepResult) {
	if res.Status >= 300 || res.Status == 0 {
		return
	}
	switch s.Op {
	case OpCreateWorkflows:
		for _, n := range res.Created {
			pl.created = append(pl.created, resource{"workflows", n, s.Namespace})
		}
	case OpCreateActions:
		for _, n := range res.Created {
			pl.created = append(pl.created, resource{"actions", n, ""})
		}
	case OpCreateWorkbook:
		for _, n := range res.Created {
			pl.created = append(pl.created, resource{"workbooks", n, s.Namespace})
		}
	case OpCreateEnvironment:
		var env struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(s.Body, &env) == nil && env.Name != "" {
			pl.created = append(pl.created, resource{"environments", env.Name, ""})
		}
	}
}

// cleanup deletes what the case created, so the next case (or the next
// recording) starts from the same server state: executions first (they
// name their workflows), then workbooks (taking their workflows and
// actions along), workflows, actions and environments. Errors are
// reported, not fatal: a case that deleted its own resources leaves 404s.
func (pl *play) cleanup(ctx context.Context) []string {
	var problems []string
	del := func(path string) {
		r, err := pl.cl.do(ctx, "DELETE", path, "", nil)
		switch {
		case err != nil:
			problems = append(problems, err.Error())
		case r.status >= 300 && r.status != 404:
			problems = append(problems, fmt.Sprintf("DELETE %s: HTTP %d %s", path, r.status, r.fault()))
		}
	}
	for _, name := range slices.Backward(pl.order) {
		if !pl.deleted[name] {
			del("/executions/" + pl.ids[name] + "?force=true")
		}
	}
	for _, kind := range []string{"workbooks", "workflows", "actions", "environments"} {
		for _, r := range slices.Backward(pl.created) {
			if r.kind != kind {
				continue
			}
			del("/" + kind + "/" + url.PathEscape(r.name) + nsQuery(r.namespace))
			if kind == "workbooks" {
				// Mistral 15 leaves a deleted workbook's workflows and
				// actions behind; they would leak into the next case.
				for _, sub := range []string{"workflows", "actions"} {
					for _, name := range pl.namesWithPrefix(ctx, sub, r.name+".", r.namespace) {
						del("/" + sub + "/" + url.PathEscape(name) + nsQuery(r.namespace))
					}
				}
			}
		}
	}
	return problems
}

// namesWithPrefix lists the workflows or actions whose name starts with
// prefix (none when the server cannot list them).
func (pl *play) namesWithPrefix(ctx context.Context, kind, prefix, namespace string) []string {
	path := "/" + kind + "?limit=1000"
	if namespace != "" {
		path += "&namespace=" + url.QueryEscape(namespace)
	}
	r, err := pl.cl.get(ctx, path)
	if err != nil || r.status != 200 {
		return nil
	}
	var out []string
	for _, item := range list(r.obj(), kind) {
		if name := str(item, "name"); strings.HasPrefix(name, prefix) {
			out = append(out, name)
		}
	}
	return out
}
