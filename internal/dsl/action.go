package dsl

import (
	"go.yaml.in/yaml/v3"
)

// actionAttrs are the keys of an ad-hoc action (Mistral's ActionSpec).
var actionAttrs = []string{"description", "tags", "base", "base-input", "input", "output"}

// parseAction parses one ad-hoc action named name.
func (p *parser) parseAction(name string, key, n *yaml.Node) *Action {
	where := "action " + quote(name)
	a := &Action{Name: name, Pos: p.pos(key)}
	p.checkKeys(n, where, actionAttrs, injectedAttrs)
	if lookup(n, "base") == nil {
		p.errorf(key, "%s has no base; add `base: <action name>` (the action it wraps)", where)
	}
	for _, e := range entries(n) {
		v := p.value(e.Val)
		what := where + ": " + e.Name()
		switch e.Name() {
		case "description":
			if p.checkNonEmptyString(e.Val, what, v) {
				a.Description = v.(string)
			}
		case "tags":
			a.Tags, _ = p.checkUniqueStringList(e.Val, what, v)
		case "base":
			if !p.checkNonEmptyString(e.Val, what, v) {
				continue
			}
			base, params, err := parseCommand(v.(string))
			if err != nil {
				p.errorf(e.Val, "%s: %v", what, err)
				continue
			}
			p.checkExprs(e.Val, what, params)
			a.Base, a.BaseInline = base, params
		case "base-input":
			if m, ok := p.checkNonEmptyMap(e.Val, what, v); ok {
				a.BaseInput = m
				p.checkExprs(e.Val, what, m)
			}
		case "input":
			a.Input = p.parseParams(e.Val, what, v)
		case "output":
			// Mistral checks the output's expressions only when it is one
			// string; nested ones fail at run time.
			a.Output = v
			if s, ok := v.(string); ok {
				p.checkExpr(e.Val, what, s)
			}
		}
	}
	return a
}
