package dsl

import (
	"bytes"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Mistral stores, and returns in the API's `definition` field, a
// different text for each way a workflow or action arrives:
//   - a workflow list with one workflow, or an action list: the whole
//     uploaded text;
//   - a workflow list with several workflows: `version` plus that one
//     workflow, dumped again as YAML (services/workflows.py);
//   - a workbook: the lines of that item cut out of the workbook text and
//     dedented (parser._parse_def_from_wb).
// The functions below produce the same three forms.

// redumpDefinition renders one workflow of a multi-workflow list as
// `version: ...` followed by the workflow, re-encoded with 2-space
// indentation and unindented lists like PyYAML's dump.
func (p *parser) redumpDefinition(root, key, val *yaml.Node) string {
	item := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, e := range entries(root) {
		if e.Name() == "version" {
			item.Content = append(item.Content, e.Key, e.Val)
		}
	}
	item.Content = append(item.Content, key, val)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(item); err != nil {
		// yaml.v3 re-encoding a tree it parsed itself does not fail in
		// practice; the source text is the best fallback.
		return string(p.src)
	}
	_ = enc.Close()
	return buf.String()
}

// cutDefinition returns the text of the workbook item whose key is key:
// the key line and every following line indented deeper (blank lines and
// comments included), dedented to the key's column.
func (p *parser) cutDefinition(key *yaml.Node) string {
	lines := p.lines()
	if key.Line < 1 || key.Line > len(lines) {
		return ""
	}
	indent := key.Column - 1
	out := []string{strings.TrimLeft(lines[key.Line-1], " ")}
	for _, line := range lines[key.Line:] {
		trimmed := strings.TrimSpace(line)
		lead := len(line) - len(strings.TrimLeft(line, " "))
		switch {
		case trimmed == "":
			out = append(out, line)
		case strings.HasPrefix(trimmed, "#"):
			if lead < indent {
				out = append(out, line)
			} else {
				out = append(out, line[indent:])
			}
		case lead > indent:
			out = append(out, line[indent:])
		default:
			return strings.TrimRight(strings.Join(out, "\n"), " \t\r\n") + "\n"
		}
	}
	return strings.TrimRight(strings.Join(out, "\n"), " \t\r\n") + "\n"
}
