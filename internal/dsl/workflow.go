package dsl

import (
	"regexp"
	"strings"

	"github.com/bora-workflow/bora/internal/value"
	"go.yaml.in/yaml/v3"
)

// workflowAttrs are the workflow attributes Mistral knows. Mistral does not
// reject others (its schema merge drops additionalProperties: false), so
// unknown ones are warnings here, not errors.
var workflowAttrs = []string{
	"type", "description", "tags", "input", "output",
	"output-on-error", "vars", "task-defaults", "tasks",
}

// parseWorkflow parses one workflow definition named name.
func (p *parser) parseWorkflow(name string, key, n *yaml.Node) *Workflow {
	where := "workflow " + quote(name)
	w := &Workflow{Name: name, Type: TypeDirect, Pos: p.pos(key), TaskByName: map[string]*Task{}}
	if isUUIDLike(name) {
		p.errorf(key, "%s: a workflow name cannot look like a UUID (it would be mistaken for an ID)", where)
	}
	p.warnUnknownKeys(n, where, workflowAttrs)
	for _, e := range entries(n) {
		v := p.value(e.Val)
		what := where + ": " + e.Name()
		switch e.Name() {
		case "type":
			if v != TypeDirect && v != TypeReverse {
				p.errorf(e.Val, "%s must be %q or %q, not %s", what, TypeDirect, TypeReverse, describe(v))
				return nil
			}
			w.Type = v.(string)
		case "description":
			if s, ok := v.(string); ok {
				w.Description = s
			}
		case "tags":
			w.Tags, _ = p.checkUniqueStringList(e.Val, what, v)
		case "input":
			w.Input = p.parseParams(e.Val, what, v)
		case "output":
			if m, ok := p.checkNonEmptyMap(e.Val, what, v); ok {
				w.Output = m
				p.checkExprs(e.Val, what, m)
			}
		case "output-on-error":
			if m, ok := p.checkNonEmptyMap(e.Val, what, v); ok {
				w.OutputOnError = m
			}
		case "vars":
			if m, ok := p.checkNonEmptyMap(e.Val, what, v); ok {
				w.Vars = m
				p.checkExprs(e.Val, what, m)
			}
		}
	}
	if td := lookup(n, "task-defaults"); td != nil {
		w.TaskDefaults = p.parseTaskDefaults(where, td)
	}
	tasks := lookup(n, "tasks")
	switch {
	case tasks == nil:
		p.errorf(key, "%s has no tasks; add a `tasks:` mapping", where)
	case !isMapping(tasks) || len(tasks.Content) == 0:
		p.errorf(tasks, "%s: tasks must be a non-empty mapping of task names to tasks, not %s", where, describe(p.value(tasks)))
	default:
		for _, e := range entries(tasks) {
			if t := p.parseTask(w, e.Name(), e.Key, e.Val); t != nil {
				w.Tasks = append(w.Tasks, t)
				w.TaskByName[t.Name] = t
			}
		}
		p.checkGraph(w, key)
		p.warnUnknownTaskRefs(w, n)
	}
	return w
}

// parseParams parses a declared input list (workflow or ad-hoc action
// `input`): bare names are required, one-key mappings `name: default` are
// optional. Defaults are plain values, not checked as expressions (Mistral
// does not check them either; they fail at run time).
func (p *parser) parseParams(n *yaml.Node, what string, v any) []Param {
	l, ok := v.([]any)
	if !ok {
		p.errorf(n, "%s must be a list of names or `name: default` mappings, not %s", what, describe(v))
		return nil
	}
	if len(l) == 0 {
		p.errorf(n, "%s must not be empty", what)
		return nil
	}
	var params []Param
	seen := map[string]bool{}
	for i, item := range l {
		at := itemNode(n, i)
		var prm Param
		switch t := item.(type) {
		case string:
			if t == "" {
				p.errorf(at, "%s: item %d is an empty name", what, i+1)
				continue
			}
			prm = Param{Name: t}
		case *value.Map:
			if t.Len() != 1 {
				p.errorf(at, "%s: item %d must be a name or a one-key mapping `name: default`, but it has %d keys", what, i+1, t.Len())
				continue
			}
			k := t.Keys()[0]
			d, _ := t.Get(k)
			prm = Param{Name: k, Default: d, HasDefault: true}
		default:
			p.errorf(at, "%s: item %d must be a name or a one-key mapping `name: default`, not %s", what, i+1, describe(item))
			continue
		}
		if seen[prm.Name] {
			p.errorf(at, "%s: %q is declared twice", what, prm.Name)
			continue
		}
		seen[prm.Name] = true
		params = append(params, prm)
	}
	return params
}

// warnUnknownKeys records a warning for every key not in known.
func (p *parser) warnUnknownKeys(m *yaml.Node, where string, known []string) {
	ok := make(map[string]bool, len(known))
	for _, k := range append(append([]string{}, known...), injectedAttrs...) {
		ok[k] = true
	}
	for _, e := range entries(m) {
		if !ok[e.Name()] {
			p.warnf(e.Key, "%s: %s %q%s is ignored; known: %s", where, warnUnknownAttr, e.Name(), didYouMean(e.Name(), known), listAllowed(known))
		}
	}
}

var uuidHexRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

// isUUIDLike mirrors oslo's uuidutils.is_uuid_like: Mistral tells names
// from IDs by that test, so such a name could never be looked up.
func isUUIDLike(s string) bool {
	t := strings.ToLower(s)
	t = strings.TrimPrefix(t, "urn:")
	t = strings.TrimPrefix(t, "uuid:")
	t = strings.Trim(t, "{}")
	t = strings.ReplaceAll(t, "-", "")
	return uuidHexRe.MatchString(t)
}

// quote quotes a name for a message.
func quote(s string) string { return "\"" + s + "\"" }
