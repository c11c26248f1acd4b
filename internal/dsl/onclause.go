package dsl

import (
	"fmt"
	"regexp"

	"github.com/bora-workflow/bora/internal/value"
	"go.yaml.in/yaml/v3"
)

// The three accepted spellings of a transition target (Mistral's
// on_clause.NEXT_TASK): `task1`, `fail msg="x"`, `fail(msg=<% ... %>)`.
// Mistral requires exactly one of them to match, so `fail(msg="x")`
// without a blank (matching the first and the third) is rejected there too.
var nextTaskRes = []*regexp.Regexp{
	regexp.MustCompile(`^\S+$`),
	regexp.MustCompile(`^` + word + `+ ` + word + `+=(.*)$`),
	regexp.MustCompile(`^` + word + `+\(` + word + `+=(.*)\)$`),
}

// publishScopes are the keys of an advanced publish block.
var publishScopes = []string{"branch", "global", "atomic"}

// nextTaskMatches counts how many NEXT_TASK spellings s matches.
func nextTaskMatches(s string) int {
	n := 0
	for _, re := range nextTaskRes {
		if re.MatchString(s) {
			n++
		}
	}
	return n
}

// problemNextTask says what is wrong with a plain transition target, "" if nothing.
func problemNextTask(v any) string {
	s, ok := v.(string)
	if !ok {
		return fmt.Sprintf("a transition target must be a task name, not %s", describe(v))
	}
	if nextTaskMatches(s) != 1 {
		return fmt.Sprintf("%s is not a transition target: use `task`, `command param=value` or `command(param=<%% expr %%>)` (with a blank inside the parentheses)", describe(s))
	}
	return ""
}

// problemGuarded checks the one-key form `task: <% condition %>`.
func problemGuarded(m *value.Map) string {
	if m.Len() != 1 {
		return fmt.Sprintf("a guarded transition is one `task: <%% condition %%>` pair, but this mapping has %d keys", m.Len())
	}
	k := m.Keys()[0]
	guard, _ := m.Get(k)
	if nextTaskMatches(k) > 0 && !isExpression(guard) {
		return fmt.Sprintf("the condition of transition %q must be one expression (<%% ... %%> or {{ ... }}), not %s", k, describe(guard))
	}
	return ""
}

// problemTaskList checks a list of targets and guarded targets.
func problemTaskList(l []any) string {
	msg, _ := problemTaskListAt(l)
	return msg
}

// problemTaskListAt is problemTaskList that also says which item (0-based)
// is wrong, -1 for the whole list.
func problemTaskListAt(l []any) (string, int) {
	if len(l) == 0 {
		return "the list of transitions must not be empty", -1
	}
	// Task names (strings) are found again through a map, so a task
	// fanning out to 10,000 others costs O(N), not O(N²); only the
	// guarded forms (maps) are compared pairwise, among themselves.
	firstName := map[string]int{}
	var guarded []int
	for i, item := range l {
		if name, ok := item.(string); ok {
			if j, seen := firstName[name]; seen {
				return fmt.Sprintf("transition %d repeats transition %d", i+1, j+1), i
			}
			firstName[name] = i
		} else {
			for _, j := range guarded {
				if value.Equal(l[j], item) {
					return fmt.Sprintf("transition %d repeats transition %d", i+1, j+1), i
				}
			}
			guarded = append(guarded, i)
		}
		var msg string
		if m, ok := item.(*value.Map); ok {
			msg = problemGuarded(m)
		} else {
			msg = problemNextTask(item)
		}
		if msg != "" {
			return fmt.Sprintf("transition %d: %s", i+1, msg), i
		}
	}
	return "", -1
}

// problemAdvanced checks the form `{publish: {branch, global, atomic}, next: ...}`.
func problemAdvanced(m *value.Map) string {
	if m.Len() == 0 {
		return "the clause must not be empty"
	}
	for _, k := range m.Keys() {
		if k != "publish" && k != "next" {
			return fmt.Sprintf("unknown attribute %q; the advanced form allows only publish and next", k)
		}
	}
	if pub, ok := m.Get("publish"); ok {
		pm, ok := pub.(*value.Map)
		if !ok {
			return fmt.Sprintf("publish must be a mapping of branch, global or atomic, not %s", describe(pub))
		}
		for _, k := range pm.Keys() {
			if !contains(publishScopes, k) {
				return fmt.Sprintf("publish: unknown scope %q; allowed: %s", k, listAllowed(publishScopes))
			}
			scope, _ := pm.Get(k)
			if sm, ok := scope.(*value.Map); !ok || sm.Len() == 0 {
				return fmt.Sprintf("publish.%s must be a non-empty mapping, not %s", k, describe(scope))
			}
		}
	}
	if next, ok := m.Get("next"); ok {
		switch t := next.(type) {
		case *value.Map:
			return problemGuarded(t)
		case []any:
			return problemTaskList(t)
		default:
			return problemNextTask(next)
		}
	}
	return ""
}

// parseOnClause parses on-success / on-error / on-complete in any of its
// forms and turns it into transitions.
func (p *parser) parseOnClause(n *yaml.Node, what string, v any) *OnClause {
	var problem string
	var next any
	var publish *value.Map
	advancedForm := false
	switch t := v.(type) {
	case string:
		problem, next = problemNextTask(t), t
	case []any:
		var at int
		problem, at = problemTaskListAt(t)
		next = t
		if problem != "" {
			p.errorf(itemNode(n, at), "%s: %s", what, problem)
			return nil
		}
	case *value.Map:
		// A mapping is either one guarded transition or the advanced form,
		// and must be exactly one of them.
		guarded, advanced := problemGuarded(t), problemAdvanced(t)
		switch {
		case guarded == "" && advanced == "":
			problem = "it reads both as a guarded transition and as the advanced form {publish, next}; write it as a list"
		case guarded == "":
			next = t
		case advanced == "":
			advancedForm = true
			next, _ = t.Get("next")
			if pub, ok := t.Get("publish"); ok {
				publish = pub.(*value.Map)
			}
		case t.Len() == 1 && !contains([]string{"publish", "next"}, t.Keys()[0]):
			problem = guarded
		default:
			problem = advanced
		}
	default:
		problem = fmt.Sprintf("it must be a task name, a list of them or a mapping, not %s", describe(v))
	}
	if problem != "" {
		p.errorf(n, "%s: %s", what, problem)
		return nil
	}
	c := &OnClause{Pos: p.pos(n)}
	if publish != nil {
		p.parseScopedPublish(valueNodeOf(n, "publish"), what+".publish", publish, c)
	}
	nextNode := n
	if advancedForm {
		nextNode = valueNodeOf(n, "next")
	}
	c.Next = p.transitions(nextNode, what, next)
	return c
}

// parseScopedPublish fills the publish scopes of an advanced clause.
func (p *parser) parseScopedPublish(n *yaml.Node, what string, pub *value.Map, c *OnClause) {
	get := func(k string) *value.Map {
		v, _ := pub.Get(k)
		m, _ := v.(*value.Map)
		if m != nil {
			p.checkExprs(valueNodeOf(n, k), what+"."+k, m)
		}
		return m
	}
	c.Publish, c.PublishGlobal, c.PublishAtomic = get("branch"), get("global"), get("atomic")
	if c.Publish == nil && c.PublishGlobal == nil && c.PublishAtomic == nil {
		p.errorf(n, "%s must set branch, global or atomic", what)
	}
}

// transitions turns the next part of a clause into Transitions, splitting
// `fail msg="x"` into the command and its parameters.
func (p *parser) transitions(n *yaml.Node, what string, next any) []Transition {
	var items []any
	switch t := next.(type) {
	case nil:
		return nil
	case []any:
		items = t
	default:
		items = []any{t}
	}
	var out []Transition
	for i, item := range items {
		at := itemNode(n, i)
		target, guard := "", any(nil)
		switch t := item.(type) {
		case string:
			target = t
		case *value.Map:
			target = t.Keys()[0]
			guard, _ = t.Get(target)
			at = keyNodeOf(at, target)
		}
		name, params, err := parseCommand(target)
		if err != nil {
			p.errorf(at, "%s: %v", what, err)
			continue
		}
		p.checkExpr(at, what, name)
		if s, ok := guard.(string); ok {
			p.checkExpr(at, what, s)
			if s == "" {
				guard = nil
			}
		}
		out = append(out, Transition{Target: name, Guard: guard, Params: params, Pos: p.pos(at)})
	}
	return out
}

// keyNodeOf returns the key node named key in mapping n, or n itself.
func keyNodeOf(n *yaml.Node, key string) *yaml.Node {
	for _, e := range entries(n) {
		if e.Name() == key {
			return e.Key
		}
	}
	return n
}
