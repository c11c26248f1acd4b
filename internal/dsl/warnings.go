package dsl

import (
	"fmt"
	"regexp"

	"go.yaml.in/yaml/v3"
)

// Mistral accepts a few things that are almost always mistakes. They stay
// valid here too (compatibility), but Document.Warnings tells the user.

// Phrases that start each kind of warning, so callers and tests can tell
// them apart.
const (
	warnDuplicateKey = "duplicate key"
	warnAnchorText   = "YAML anchor or alias read as text"
	warnVersion      = "non-canonical version"
	warnTaskRef      = "reference to an unknown task"
	warnUnknownAttr  = "unknown attribute"
)

// taskRefRe finds task(name) references inside expressions.
var taskRefRe = regexp.MustCompile(`\btask\(\s*['"]?([A-Za-z0-9_\-]+)['"]?\s*\)`)

// warnf records a warning at node n.
func (p *parser) warnf(n *yaml.Node, format string, args ...any) {
	p.warns = append(p.warns, &Error{Pos: p.pos(n), Msg: fmt.Sprintf(format, args...)})
}

// warnYAMLOddities walks the whole tree once for duplicate keys and for
// anchors and aliases, which Mistral's loader reads as plain text.
func (p *parser) warnYAMLOddities(n *yaml.Node) {
	if n == nil {
		return
	}
	switch {
	case n.Kind == yaml.AliasNode:
		p.warnf(n, "%s: *%s is the string %q, not a copy of the anchored value (Mistral disables aliases)", warnAnchorText, n.Value, "*"+n.Value)
	case n.Anchor != "" && (n.Kind == yaml.ScalarNode || n.Style&yaml.FlowStyle != 0):
		p.warnf(n, "%s: &%s is part of the string %q (Mistral disables anchors)", warnAnchorText, n.Anchor, p.anchoredText(n))
		return // an anchored flow collection is one string; nothing inside counts
	}
	if n.Kind == yaml.MappingNode {
		first := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if prev, dup := first[k.Value]; dup {
				p.warnf(k, "%s %q (first on line %d): the last one wins and the earlier value is ignored", warnDuplicateKey, k.Value, prev.Line)
				continue
			}
			first[k.Value] = k
		}
	}
	for _, c := range n.Content {
		p.warnYAMLOddities(c)
	}
}

// warnVersionForm flags a version that is not the string '2.0'. For a
// workbook it matters: Mistral then skips validating the workbook at all.
func (p *parser) warnVersionForm(root *yaml.Node, kind string) {
	n := lookup(root, "version")
	if n == nil || p.value(n) == "2.0" {
		return
	}
	if !isVersion2(p.value(n)) {
		if kind != KindWorkbook && isListVersion(p.value(n)) {
			p.warnf(n, "%s %s: Mistral accepts any version on a workflow or action list and runs it as '2.0'; write '2.0' (quoted)", warnVersion, n.Value)
		}
		return
	}
	if kind == KindWorkbook {
		p.warnf(n, "%s %s: write '2.0' (quoted); Mistral does not validate a workbook with any other version, so errors show up only when it runs", warnVersion, n.Value)
		return
	}
	p.warnf(n, "%s %s: write '2.0' (quoted)", warnVersion, n.Value)
}

// warnUnknownTaskRefs flags task(name) in expressions of workflow w where
// w has no task of that name: it evaluates to null at run time.
func (p *parser) warnUnknownTaskRefs(w *Workflow, n *yaml.Node) {
	if n == nil {
		return
	}
	if n.Kind == yaml.ScalarNode && holdsExpression(n.Value) {
		for _, m := range taskRefRe.FindAllStringSubmatch(n.Value, -1) {
			if w.TaskByName[m[1]] == nil {
				p.warnf(n, "%s: task(%s) in workflow %q names no task of this workflow; it will be null at run time", warnTaskRef, m[1], w.Name)
			}
		}
	}
	for _, c := range n.Content {
		p.warnUnknownTaskRefs(w, c)
	}
}
