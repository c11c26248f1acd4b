package dsl

import (
	"fmt"
	"math/big"
	"unicode/utf8"

	"github.com/bora-workflow/bora/internal/value"
	"go.yaml.in/yaml/v3"
)

// Task names are stored in DB unique keys: Mistral caps them at 255
// characters, and join tasks at 208 (their lock name adds 47).
const (
	maxTaskNameLen     = 255
	maxJoinTaskNameLen = maxTaskNameLen - 47
)

// The attributes of tasks, per workflow type (Mistral's TaskSpec,
// DirectWorkflowTaskSpec, ReverseWorkflowTaskSpec schemas).
var (
	taskCommonAttrs = []string{
		"description", "tags", "action", "workflow",
		"input", "with-items", "publish", "publish-on-error", "target",
		"keep-result", "safe-rerun",
		"retry", "wait-before", "wait-after", "timeout", "pause-before", "concurrency", "fail-on",
	}
	directOnlyTaskAttrs  = []string{"join", "on-success", "on-error", "on-complete"}
	reverseOnlyTaskAttrs = []string{"requires"}
)

// parseTask parses one task of workflow w.
func (p *parser) parseTask(w *Workflow, name string, key, n *yaml.Node) *Task {
	where := fmt.Sprintf("workflow %q, task %q", w.Name, name)
	if !isMapping(n) || len(n.Content) == 0 {
		p.errorf(n, "%s must be a non-empty mapping of task attributes, not %s", where, describe(p.value(n)))
		return nil
	}
	t := &Task{Name: name, Pos: p.pos(key)}
	if utf8.RuneCountInString(name) > maxTaskNameLen {
		p.errorf(key, "%s: a task name must not be longer than %d characters", where, maxTaskNameLen)
	}
	p.checkTaskKeys(n, where, w.Type)
	for _, e := range entries(n) {
		v := p.value(e.Val)
		what := where + ": " + e.Name()
		switch e.Name() {
		case "description":
			if p.checkNonEmptyString(e.Val, what, v) {
				t.Description = v.(string)
			}
		case "tags":
			t.Tags, _ = p.checkUniqueStringList(e.Val, what, v)
		case "action", "workflow":
			p.parseTaskCommand(t, e, what, v)
		case "input":
			switch v.(type) {
			case *value.Map, string:
				if m, ok := v.(*value.Map); ok && m.Len() == 0 || v == "" {
					p.errorf(e.Val, "%s must not be empty", what)
					continue
				}
				t.Input = v
				p.checkExprs(e.Val, what, v)
			default:
				p.errorf(e.Val, "%s must be a mapping or one expression, not %s", what, describe(v))
			}
		case "with-items":
			t.WithItems = p.parseWithItems(e.Val, what, v)
		case "publish":
			if m, ok := p.checkNonEmptyMap(e.Val, what, v); ok {
				t.Publish = m
				p.checkExprs(e.Val, what, m)
			}
		case "publish-on-error":
			if m, ok := p.checkNonEmptyMap(e.Val, what, v); ok {
				t.PublishOnError = m
				p.checkExprs(e.Val, what, m)
			}
		case "target":
			if p.checkNonEmptyString(e.Val, what, v) {
				t.Target = v.(string)
			}
		case "keep-result":
			if p.checkExprOrBool(e.Val, what, v) {
				t.Keep = KeepResult{Set: true, Value: v}
				p.checkExprs(e.Val, what, v)
			}
		case "join":
			if w.Type == TypeDirect {
				t.Join = p.parseJoin(e.Val, what, v)
			}
		case "on-success", "on-error", "on-complete":
			if w.Type == TypeDirect {
				setOnClause(t, e.Name(), p.parseOnClause(e.Val, what, v))
			}
		case "requires":
			if w.Type == TypeReverse {
				t.Requires = p.parseRequires(e.Val, what, v)
			}
		default:
			p.parsePolicy(e, what, v, &t.Policies)
		}
	}
	hasAction, hasWorkflow := lookup(n, "action") != nil, lookup(n, "workflow") != nil
	switch {
	case hasAction && hasWorkflow:
		p.errorf(key, "%s has both action and workflow; a task runs either an action or a sub-workflow", where)
	case !hasAction && !hasWorkflow:
		t.Action = "std.noop"
	}
	if t.Join.IsJoin() && utf8.RuneCountInString(name) > maxJoinTaskNameLen {
		p.errorf(key, "%s: a join task name must not be longer than %d characters", where, maxJoinTaskNameLen)
	}
	return t
}

// checkTaskKeys reports unknown task attributes, and says so plainly when
// an attribute belongs to the other workflow type.
func (p *parser) checkTaskKeys(n *yaml.Node, where, wfType string) {
	allowed := append(append([]string{}, taskCommonAttrs...), directOnlyTaskAttrs...)
	other, otherType := reverseOnlyTaskAttrs, TypeReverse
	if wfType == TypeReverse {
		allowed = append(append([]string{}, taskCommonAttrs...), reverseOnlyTaskAttrs...)
		other, otherType = directOnlyTaskAttrs, TypeDirect
	}
	isOther := map[string]bool{}
	for _, a := range other {
		isOther[a] = true
	}
	known := map[string]bool{}
	for _, a := range allowed {
		known[a] = true
	}
	for _, e := range entries(n) {
		switch {
		case known[e.Name()], e.Name() == "type", contains(injectedAttrs, e.Name()):
			// Mistral sets a task's `type` to its workflow's type itself,
			// overwriting whatever is written.
		case isOther[e.Name()]:
			p.errorf(e.Key, "%s: %q is only allowed in %s workflows, and this workflow is %s", where, e.Name(), otherType, wfType)
		default:
			p.errorf(e.Key, "%s: unknown attribute %q%s; allowed: %s", where, e.Name(), didYouMean(e.Name(), allowed), listAllowed(allowed))
		}
	}
}

// parseTaskCommand handles `action:` / `workflow:` with inline parameters.
func (p *parser) parseTaskCommand(t *Task, e entry, what string, v any) {
	if !p.checkNonEmptyString(e.Val, what, v) {
		return
	}
	name, params, err := parseCommand(v.(string))
	if err != nil {
		p.errorf(e.Val, "%s: %v", what, err)
		return
	}
	p.checkExprs(e.Val, what, params)
	if e.Name() == "action" {
		t.Action = name
	} else {
		t.Workflow = name
	}
	t.InlineInput = params
}

// parseJoin reads `join: all | one | N`.
func (p *parser) parseJoin(n *yaml.Node, what string, v any) Join {
	switch t := v.(type) {
	case string:
		switch t {
		case "all":
			return Join{All: true}
		case "one":
			return Join{Count: 1}
		}
	case int64:
		if t >= 0 {
			return Join{Count: int(t)}
		}
	case *big.Int:
		if t.Sign() > 0 {
			p.errorf(n, "%s: %s is more inbound transitions than any workflow can have", what, t)
			return Join{}
		}
	}
	p.errorf(n, "%s must be \"all\", \"one\" or a number of inbound tasks (0 or more), not %s", what, describe(v))
	return Join{}
}

// parseRequires reads `requires: name` or `requires: [names]`.
func (p *parser) parseRequires(n *yaml.Node, what string, v any) []string {
	if s, ok := v.(string); ok {
		if s == "" {
			p.errorf(n, "%s must not be empty", what)
			return nil
		}
		return []string{s}
	}
	l, _ := p.checkUniqueStringList(n, what, v)
	return l
}

func setOnClause(t *Task, kind string, c *OnClause) {
	switch kind {
	case "on-success":
		t.OnSuccess = c
	case "on-error":
		t.OnError = c
	case "on-complete":
		t.OnComplete = c
	}
}
