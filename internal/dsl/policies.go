package dsl

import (
	"github.com/bora-workflow/bora/internal/value"
	"go.yaml.in/yaml/v3"
)

// retryAttrs are the keys of the retry policy (Mistral's RetrySpec).
var retryAttrs = []string{"count", "delay", "break-on", "continue-on"}

// parsePolicy parses one policy attribute of a task or task-defaults into
// pol. Every policy may be an expression; Mistral checks its syntax.
func (p *parser) parsePolicy(e entry, what string, v any, pol *Policies) {
	switch e.Name() {
	case "retry":
		pol.Retry = p.parseRetry(e.Val, what, v)
		return
	case "wait-before", "wait-after", "timeout", "concurrency":
		if !p.checkExprOrNonNegativeInt(e.Val, what, v) {
			return
		}
	case "pause-before", "fail-on", "safe-rerun":
		if !p.checkExprOrBool(e.Val, what, v) {
			return
		}
	default:
		return
	}
	p.checkExprs(e.Val, what, v)
	switch e.Name() {
	case "wait-before":
		pol.WaitBefore = v
	case "wait-after":
		pol.WaitAfter = v
	case "timeout":
		pol.Timeout = v
	case "concurrency":
		pol.Concurrency = v
	case "pause-before":
		pol.PauseBefore = v
	case "fail-on":
		pol.FailOn = v
	case "safe-rerun":
		pol.SafeRerun = v
	}
}

// parseRetry reads the retry policy, either a mapping or the one-line form
// `count=3 delay=1 break-on=<% ... %>`, which Mistral turns into the same
// mapping before checking it. count and delay are required.
func (p *parser) parseRetry(n *yaml.Node, what string, v any) *Retry {
	var m *value.Map
	switch t := v.(type) {
	case *value.Map:
		p.checkKeys(n, what, retryAttrs, metaAttrs)
		m = t
	case string:
		if t == "" {
			p.errorf(n, "%s must not be empty", what)
			return nil
		}
		_, params, err := parseCommand(t)
		if err != nil {
			p.errorf(n, "%s: %v", what, err)
			return nil
		}
		m = params
		if m == nil {
			m = value.NewMap(0)
		}
		for _, k := range m.Keys() {
			if !contains(retryAttrs, k) && !contains(metaAttrs, k) {
				p.errorf(n, "%s: unknown retry parameter %q; allowed: %s", what, k, listAllowed(retryAttrs))
			}
		}
	default:
		p.errorf(n, "%s must be a mapping (count, delay, break-on, continue-on) or a line like `count=3 delay=1`, not %s", what, describe(v))
		return nil
	}
	r := &Retry{}
	ok := true
	for _, k := range []string{"count", "delay"} {
		if !m.Has(k) {
			p.errorf(n, "%s needs %q", what, k)
			ok = false
		}
	}
	m.Range(func(k string, item any) bool {
		at := valueNodeOf(n, k)
		switch k {
		case "count", "delay":
			ok = p.checkExprOrNonNegativeInt(at, what+"."+k, item) && ok
		case "break-on", "continue-on":
			ok = p.checkExprOnly(at, what+"."+k, item) && ok
		}
		return true
	})
	if !ok {
		return nil
	}
	p.checkExprs(n, what, m)
	r.Count, _ = m.Get("count")
	r.Delay, _ = m.Get("delay")
	r.BreakOn, _ = m.Get("break-on")
	r.ContinueOn, _ = m.Get("continue-on")
	return r
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
