package dsl

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// EffectiveOnClauses returns the on-success, on-error and on-complete
// clauses that apply to task t, merging task-defaults the way Mistral's
// DirectWorkflowSpec does: a task's own clause is used when it names at
// least one next task; otherwise the task-defaults clause of the same kind
// applies, minus any transition back to t itself. Publishing always comes
// from the task's own clause — Mistral ignores publish in task-defaults.
func (w *Workflow) EffectiveOnClauses(t *Task) (onSuccess, onError, onComplete *OnClause) {
	if w.index != nil {
		if c, ok := w.index.clauses[t]; ok {
			return c[0], c[1], c[2]
		}
	}
	var defs TaskDefaults
	if w.TaskDefaults != nil {
		defs = *w.TaskDefaults
	}
	return effectiveClause(t.OnSuccess, defs.OnSuccess, t.Name),
		effectiveClause(t.OnError, defs.OnError, t.Name),
		effectiveClause(t.OnComplete, defs.OnComplete, t.Name)
}

// effectiveClause merges one task clause with its default.
func effectiveClause(own, def *OnClause, self string) *OnClause {
	if own != nil && len(own.Next) > 0 {
		return own
	}
	if def == nil || len(def.Next) == 0 {
		return own
	}
	merged := &OnClause{Pos: def.Pos}
	if own != nil {
		merged.Publish, merged.PublishGlobal, merged.PublishAtomic = own.Publish, own.PublishGlobal, own.PublishAtomic
		merged.Pos = own.Pos
	}
	for _, tr := range def.Next {
		if tr.Target != self {
			merged.Next = append(merged.Next, tr)
		}
	}
	return merged
}

// outboundTransitions lists every transition leaving t after task-defaults
// are applied, whatever its guard.
func (w *Workflow) outboundTransitions(t *Task) []Transition {
	var out []Transition
	s, e, c := w.EffectiveOnClauses(t)
	for _, cl := range []*OnClause{e, s, c} {
		if cl != nil {
			out = append(out, cl.Next...)
		}
	}
	return out
}

// InboundCount is the number of distinct tasks with a transition (in any
// on-* clause, guarded or not, task-defaults included) to the task named
// name. Joins wait for that many; Mistral counts the same way.
func (w *Workflow) InboundCount(name string) int {
	if w.index != nil {
		return w.index.inbound[name]
	}
	return w.countInbound(name)
}

// InboundTasks names the tasks with a transition (in any on-* clause,
// guarded or not, task-defaults included) to the named task, in the order
// the workflow lists them (Mistral's find_inbound_task_specs).
func (w *Workflow) InboundTasks(name string) []string { return w.graph().inbound[name] }

// OutboundTasks names the tasks the named task has a transition to, each
// once, in clause order (on-success, on-error, on-complete); engine
// commands are left out.
func (w *Workflow) OutboundTasks(name string) []string { return w.graph().outbound[name] }

// LeadsToJoin reports whether the named task is a join or has a join
// somewhere after it: only such tasks matter to a join that waits.
func (w *Workflow) LeadsToJoin(name string) bool { return w.graph().leadsToJoin[name] }

// taskGraph is the task-to-task graph of a workflow, for joins.
type taskGraph struct {
	inbound     map[string][]string
	outbound    map[string][]string
	leadsToJoin map[string]bool
}

// graph returns the parsed workflow's graph, or computes it for a
// workflow Parse did not index.
func (w *Workflow) graph() *taskGraph {
	if w.index != nil {
		return w.index.graph
	}
	return w.newTaskGraph()
}

func (w *Workflow) newTaskGraph() *taskGraph {
	g := &taskGraph{inbound: map[string][]string{}, outbound: map[string][]string{}, leadsToJoin: map[string]bool{}}
	var joins []string
	for _, t := range w.Tasks {
		seen := map[string]bool{}
		s, e, c := w.EffectiveOnClauses(t)
		for _, cl := range []*OnClause{s, e, c} {
			if cl == nil {
				continue
			}
			for _, tr := range cl.Next {
				if w.TaskByName[tr.Target] == nil || seen[tr.Target] {
					continue
				}
				seen[tr.Target] = true
				g.outbound[t.Name] = append(g.outbound[t.Name], tr.Target)
				g.inbound[tr.Target] = append(g.inbound[tr.Target], t.Name)
			}
		}
		if t.Join.IsJoin() {
			g.leadsToJoin[t.Name] = true
			joins = append(joins, t.Name)
		}
	}
	for len(joins) > 0 {
		name := joins[0]
		joins = joins[1:]
		for _, from := range g.inbound[name] {
			if !g.leadsToJoin[from] {
				g.leadsToJoin[from] = true
				joins = append(joins, from)
			}
		}
	}
	return g
}

func (w *Workflow) countInbound(name string) int {
	n := 0
	for _, t := range w.Tasks {
		for _, tr := range w.outboundTransitions(t) {
			if tr.Target == name {
				n++
				break
			}
		}
	}
	return n
}

// RequiredTasks lists the tasks a reverse-workflow task depends on: its own
// `requires` plus task-defaults `requires`, without itself.
func (w *Workflow) RequiredTasks(t *Task) []string {
	var out []string
	seen := map[string]bool{t.Name: true}
	add := func(names []string) {
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	add(t.Requires)
	if w.TaskDefaults != nil {
		add(w.TaskDefaults.Requires)
	}
	return out
}

// checkGraph validates the task graph once every task is parsed.
func (p *parser) checkGraph(w *Workflow, key *yaml.Node) {
	if w.Type == TypeReverse {
		p.checkRequires(w)
		return
	}
	inbound := map[string]int{}
	reported := map[Position]bool{}
	for _, t := range w.Tasks {
		seen := map[string]bool{}
		for _, tr := range w.outboundTransitions(t) {
			if !seen[tr.Target] {
				seen[tr.Target] = true
				inbound[tr.Target]++
			}
			if w.TaskByName[tr.Target] == nil && !IsCommand(tr.Target) && !reported[tr.Pos] {
				reported[tr.Pos] = true
				p.errs = append(p.errs, &Error{Pos: tr.Pos, Msg: fmt.Sprintf(
					"workflow %q, task %q: transition to unknown task %q (not a task of this workflow nor one of the commands fail, succeed, pause, noop)",
					w.Name, t.Name, tr.Target)})
			}
		}
	}
	hasStart := false
	for _, t := range w.Tasks {
		if inbound[t.Name] == 0 {
			hasStart = true
		}
		p.checkJoin(w, t, inbound[t.Name])
	}
	if !hasStart && len(w.Tasks) > 0 {
		p.errorf(key, "workflow %q has no start task: every task is the target of a transition, so none can run first", w.Name)
	}
}

// checkJoin checks a join task has enough inbound tasks to ever run.
func (p *parser) checkJoin(w *Workflow, t *Task, inbound int) {
	at := Position{File: p.file, Line: t.Pos.Line, Column: t.Pos.Column}
	switch {
	case t.Join.All && inbound == 0:
		p.errs = append(p.errs, &Error{Pos: at, Msg: fmt.Sprintf(
			"workflow %q, task %q has `join: all` but no task has a transition to it", w.Name, t.Name)})
	case !t.Join.All && t.Join.Count > inbound:
		p.errs = append(p.errs, &Error{Pos: at, Msg: fmt.Sprintf(
			"workflow %q, task %q has `join: %d` but only %d task(s) have a transition to it", w.Name, t.Name, t.Join.Count, inbound)})
	}
}

// checkRequires checks every `requires` of a reverse workflow names a task.
func (p *parser) checkRequires(w *Workflow) {
	for _, t := range w.Tasks {
		for _, r := range w.RequiredTasks(t) {
			if w.TaskByName[r] == nil {
				p.errs = append(p.errs, &Error{Pos: t.Pos, Msg: fmt.Sprintf(
					"workflow %q, task %q requires unknown task %q", w.Name, t.Name, r)})
			}
		}
	}
}

// workflowIndex is the precomputed part of a workflow's graph.
type workflowIndex struct {
	clauses  map[*Task][3]*OnClause
	inbound  map[string]int
	policies map[*Task]*Policies
	graph    *taskGraph
}

// EffectivePolicies returns a task's policies with task-defaults filled
// in: each policy the task does not set comes from task-defaults, as
// Mistral's construct_policies_list does (retry is taken whole).
func (w *Workflow) EffectivePolicies(t *Task) *Policies {
	if w.index != nil {
		if p, ok := w.index.policies[t]; ok {
			return p
		}
	}
	return w.mergePolicies(t)
}

func (w *Workflow) mergePolicies(t *Task) *Policies {
	p := t.Policies
	if w.TaskDefaults == nil {
		return &p
	}
	d := w.TaskDefaults.Policies
	if p.Retry == nil {
		p.Retry = d.Retry
	}
	for _, f := range []struct{ own, def *any }{
		{&p.WaitBefore, &d.WaitBefore}, {&p.WaitAfter, &d.WaitAfter}, {&p.Timeout, &d.Timeout},
		{&p.PauseBefore, &d.PauseBefore}, {&p.Concurrency, &d.Concurrency}, {&p.FailOn, &d.FailOn},
		{&p.SafeRerun, &d.SafeRerun},
	} {
		if *f.own == nil {
			*f.own = *f.def
		}
	}
	return &p
}

// buildIndex computes the index; Parse calls it once the workflow is final.
func (w *Workflow) buildIndex() {
	idx := &workflowIndex{clauses: make(map[*Task][3]*OnClause, len(w.Tasks)), inbound: map[string]int{},
		policies: make(map[*Task]*Policies, len(w.Tasks))}
	for _, t := range w.Tasks {
		idx.policies[t] = w.mergePolicies(t)
		s, e, c := w.EffectiveOnClauses(t)
		idx.clauses[t] = [3]*OnClause{s, e, c}
		seen := map[string]bool{}
		for _, cl := range []*OnClause{e, s, c} {
			if cl == nil {
				continue
			}
			for _, tr := range cl.Next {
				if !seen[tr.Target] {
					seen[tr.Target] = true
					idx.inbound[tr.Target]++
				}
			}
		}
	}
	w.index = idx
	idx.graph = w.newTaskGraph() // after the clauses are indexed, which it reads
}
