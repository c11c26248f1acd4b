package dsl

import (
	"strings"

	"github.com/bora-workflow/bora/internal/value"
	"go.yaml.in/yaml/v3"
)

// entry is one key/value pair of a YAML mapping.
type entry struct {
	Key *yaml.Node
	Val *yaml.Node
}

// Name is the key as text.
func (e entry) Name() string { return e.Key.Value }

// entries returns the pairs of a mapping node. PyYAML lets a later duplicate
// key silently replace an earlier one (the key keeps its first place, the
// value is the last one), and Mistral documents rely on that, so we do the
// same instead of rejecting duplicates.
func entries(m *yaml.Node) []entry {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]entry, 0, len(m.Content)/2)
	index := make(map[string]int, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		e := entry{Key: m.Content[i], Val: m.Content[i+1]}
		if at, dup := index[e.Name()]; dup {
			out[at] = e
			continue
		}
		index[e.Name()] = len(out)
		out = append(out, e)
	}
	return out
}

// lookup returns the value node stored under key (the last one if repeated).
func lookup(m *yaml.Node, key string) *yaml.Node {
	for _, e := range entries(m) {
		if e.Name() == key {
			return e.Val
		}
	}
	return nil
}

// isMapping reports whether n is a mapping node.
func isMapping(n *yaml.Node) bool { return n != nil && n.Kind == yaml.MappingNode }

// pos is the position of n in the current file.
func (p *parser) pos(n *yaml.Node) Position {
	if n == nil {
		return Position{File: p.file, Line: 1, Column: 1}
	}
	return Position{File: p.file, Line: n.Line, Column: n.Column}
}

// value converts a node to the value model with PyYAML's rules. Errors
// (unsupported tags) are reported and the offending value becomes nil.
func (p *parser) value(n *yaml.Node) any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return p.value(n.Content[0])
	case yaml.AliasNode:
		// Mistral's loader disables aliases: `*name` is plain text.
		return "*" + n.Value
	case yaml.MappingNode, yaml.SequenceNode:
		if n.Anchor != "" {
			// `&a [1, 2]`: Mistral's loader reads the anchor and the rest of
			// the line as one plain string.
			return p.anchoredText(n)
		}
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := value.NewMap(len(n.Content) / 2)
		for _, e := range entries(n) {
			m.Set(p.keyString(e.Key), p.value(e.Val))
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			l = append(l, p.value(c))
		}
		return l
	case yaml.ScalarNode:
		return p.scalar(n)
	}
	return nil
}

// keyString is a mapping key as the string Mistral sees. Keys are almost
// always strings; other scalars keep their text.
func (p *parser) keyString(n *yaml.Node) string {
	if n.Kind == yaml.AliasNode {
		return "*" + n.Value
	}
	return n.Value
}

// scalar converts one scalar node.
func (p *parser) scalar(n *yaml.Node) any {
	if n.Anchor != "" {
		// Mistral's loader disables anchors: `&name text` is plain text.
		return p.anchoredText(n)
	}
	if n.Style&yaml.TaggedStyle != 0 {
		v, err := taggedScalar(n)
		if err != nil && !p.tagReported[n] {
			// A subtree may be converted more than once (to check it as a
			// whole, then attribute by attribute); report each node once.
			if p.tagReported == nil {
				p.tagReported = map[*yaml.Node]bool{}
			}
			p.tagReported[n] = true
			p.errorf(n, "%v", err)
		}
		return v
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Value
	}
	return plainScalar(n.Value)
}

// anchoredText rebuilds `&name rest-of-line` from the source, since PyYAML
// with Mistral's loader reads an anchor and what follows as one plain scalar.
func (p *parser) anchoredText(n *yaml.Node) string {
	lines := p.lines()
	if n.Line >= 1 && n.Line <= len(lines) {
		line := lines[n.Line-1]
		if col := n.Column - 1; col >= 0 && col < len(line) && line[col] == '&' {
			text := line[col:]
			if i := strings.Index(text, " #"); i >= 0 {
				text = text[:i]
			}
			return strings.TrimRight(text, " \t\r")
		}
	}
	return "&" + n.Anchor + " " + n.Value
}

// lines splits the source once, for anchoredText.
func (p *parser) lines() []string {
	if p.srcLines == nil {
		p.srcLines = strings.Split(string(p.src), "\n")
	}
	return p.srcLines
}
