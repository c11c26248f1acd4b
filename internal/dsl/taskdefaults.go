package dsl

import (
	"go.yaml.in/yaml/v3"
)

// taskDefaultsAttrs are the keys of task-defaults (Mistral's TaskDefaultsSpec).
var taskDefaultsAttrs = []string{
	"on-success", "on-error", "on-complete", "requires", "safe-rerun",
	"retry", "wait-before", "wait-after", "timeout", "pause-before", "concurrency", "fail-on",
}

// parseTaskDefaults parses `task-defaults`. They stay separate in the spec;
// the engine applies them (see Workflow.EffectiveOnClauses).
func (p *parser) parseTaskDefaults(where string, n *yaml.Node) *TaskDefaults {
	what := where + ": task-defaults"
	if _, ok := p.checkNonEmptyMap(n, what, p.value(n)); !ok {
		return nil
	}
	p.checkKeys(n, what, taskDefaultsAttrs, metaAttrs)
	td := &TaskDefaults{Pos: p.pos(n)}
	for _, e := range entries(n) {
		v := p.value(e.Val)
		attr := what + " " + e.Name()
		switch e.Name() {
		case "on-success":
			td.OnSuccess = p.parseOnClause(e.Val, attr, v)
		case "on-error":
			td.OnError = p.parseOnClause(e.Val, attr, v)
		case "on-complete":
			td.OnComplete = p.parseOnClause(e.Val, attr, v)
		case "requires":
			td.Requires = p.parseRequires(e.Val, attr, v)
		default:
			p.parsePolicy(e, attr, v, &td.Policies)
		}
	}
	return td
}
