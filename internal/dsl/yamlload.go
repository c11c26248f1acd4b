package dsl

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlErrLineRe pulls the line number out of yaml.v3 messages such as
// "yaml: line 4: mapping values are not allowed in this context".
var yamlErrLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// loadYAML parses src into a node tree. An empty document (or only
// comments) yields nil, as PyYAML's `load(...) or {}` does for Mistral.
func (p *parser) loadYAML(src []byte) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		// Mistral's loader lets a plain scalar start with '@' (YAML
		// reserves it) and reads `*name` as text even when no anchor
		// `&name` exists; yaml.v3 rejects both. Quote such values, retry.
		fixed, changed := quoteIndicatorScalars(src)
		retry := strings.Contains(err.Error(), "cannot start any token") || strings.Contains(err.Error(), "unknown anchor")
		if !changed || !retry || yaml.Unmarshal(fixed, &doc) != nil {
			p.addYAMLError(err)
			return nil
		}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil
	}
	if len(bytes.TrimSpace(src)) > 0 && doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null" {
		return nil
	}
	return doc.Content[0]
}

func (p *parser) addYAMLError(err error) {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, m := range te.Errors {
			p.addYAMLError(errors.New(m))
		}
		return
	}
	msg := err.Error()
	line := 1
	if m := yamlErrLineRe.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	line = p.locateYAMLError(line, msg)
	p.errs = append(p.errs, &Error{
		Pos: Position{File: p.file, Line: line, Column: p.firstColumn(line)},
		Msg: "the document is not valid YAML: " + msg,
	})
}

// yamlLocateWindow bounds how many lines locateYAMLError tries.
const yamlLocateWindow = 100

// indicatorScalarRe finds a value or list item starting with '@' or '*' on
// one line: `key: @x`, `- *x`, up to a comment.
var indicatorScalarRe = regexp.MustCompile(`^(\s*(?:- +|[^\s#'"][^#'"]*?: +))([@*][^#]*?)(\s+#.*)?$`)

// quoteIndicatorScalars single-quotes every plain scalar that starts with
// '@' or '*', so yaml.v3 reads the string PyYAML with Mistral's loader does.
func quoteIndicatorScalars(src []byte) ([]byte, bool) {
	lines := strings.Split(string(src), "\n")
	changed := false
	for i, line := range lines {
		m := indicatorScalarRe.FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m == nil {
			continue
		}
		lines[i] = m[1] + "'" + strings.ReplaceAll(strings.TrimRight(m[2], " \t"), "'", "''") + "'" + m[3]
		changed = true
	}
	return []byte(strings.Join(lines, "\n")), changed
}

// locateYAMLError finds the line a YAML error really is on. yaml.v3 often
// reports the line where the enclosing construct starts, or one line early
// (it prints libyaml's 0-based context line), while users need the line
// with the mistake. Parsing ever longer prefixes of the document from
// there on, the first prefix failing with the same message ends on it.
func (p *parser) locateYAMLError(reported int, msg string) int {
	lines := p.lines()
	start := reported - 1
	if start < 1 {
		start = 1
	}
	for k := start; k <= len(lines) && k < start+yamlLocateWindow; k++ {
		prefix := strings.Join(lines[:k], "\n")
		var doc yaml.Node
		err := yaml.Unmarshal([]byte(prefix), &doc)
		if err == nil {
			continue
		}
		got := err.Error()
		if m := yamlErrLineRe.FindStringSubmatch(got); m != nil {
			got = m[2]
		}
		if got == msg {
			return k
		}
	}
	return reported
}

// firstColumn is the column of the first non-blank character of a line.
func (p *parser) firstColumn(line int) int {
	lines := p.lines()
	if line < 1 || line > len(lines) {
		return 1
	}
	text := lines[line-1]
	return len(text) - len(strings.TrimLeft(text, " \t")) + 1
}

// checkLoadable reports what yaml.v3 accepts but PyYAML with Mistral's
// loader rejects, so a document loads here exactly when it loads there:
//   - an anchor on a block mapping or list (Mistral reads `&name` as the
//     start of a plain string, and a block cannot follow it; an anchored
//     flow collection on one line, `&a [1, 2]`, is just text, see value());
//   - a mapping or list used as a mapping key, typically an unquoted
//     `key: {{ expr }}`, which PyYAML reads as a mapping keyed by a mapping;
//   - a plain `=`, YAML 1.1's "value" type, which PyYAML cannot construct.
func (p *parser) checkLoadable(n *yaml.Node) {
	if n == nil {
		return
	}
	if n.Kind == yaml.ScalarNode && n.Value == "=" && n.Style == 0 {
		p.errorf(n, "a plain `=` is not a valid value (YAML 1.1 reserves it); quote it: '='")
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind == yaml.MappingNode || k.Kind == yaml.SequenceNode {
				p.errorf(k, "a mapping key must be a plain value, not a mapping or list; if this is a Jinja expression, quote it: \"{{ ... }}\"")
			}
		}
	}
	if n.Anchor != "" && (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle == 0 {
		// Report where Mistral's loader fails: at the first entry of the
		// block, which cannot follow the plain text `&name`.
		at := n
		if len(n.Content) > 0 {
			at = n.Content[0]
		}
		p.errorf(at, "YAML anchors are not supported: `&%s` on line %d is read as plain text, so this block cannot follow it", n.Anchor, n.Line)
	}
	for _, c := range n.Content {
		p.checkLoadable(c)
	}
}
