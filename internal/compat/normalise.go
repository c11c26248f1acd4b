package compat

import (
	"regexp"
	"strings"
)

// uuidPattern matches the ids both servers generate.
var uuidPattern = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// timePattern matches the timestamps Mistral puts in texts and results
// ("2026-11-24 03:24:00", ISO forms with T, fractions and zones).
var timePattern = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?`)

// tracebackPattern matches a Python traceback Mistral appends to a
// state_info: its frame lines are indented, the exception line that ends
// it is not. The text before it already says what failed; the frames are
// Mistral's source lines, nothing another server could match.
var tracebackPattern = regexp.MustCompile(`Traceback \(most recent call last\):\n(?:[ \t].*\n)+[^\n]*\n?`)

// normaliser replaces the nondeterministic parts of one case's record: the
// ids of the executions and tasks it knows by name become placeholders
// naming them, other ids and times become generic placeholders.
type normaliser struct {
	names map[string]string // id -> placeholder
}

func newNormaliser() *normaliser {
	return &normaliser{names: map[string]string{}}
}

// execution names an execution id ("<wf_ex_id:ex>").
func (n *normaliser) execution(id, name string) {
	n.add(id, "<wf_ex_id:"+name+">")
}

// task names a task execution id ("<task_ex_id:t1>").
func (n *normaliser) task(id, name string) {
	n.add(id, "<task_ex_id:"+name+">")
}

// action names an action execution id.
func (n *normaliser) action(id string) {
	n.add(id, "<action_ex_id>")
}

// add keeps the first name an id got: an id must not change its name
// between the snapshots of one case.
func (n *normaliser) add(id, placeholder string) {
	if id == "" {
		return
	}
	if _, ok := n.names[strings.ToLower(id)]; !ok {
		n.names[strings.ToLower(id)] = placeholder
	}
}

// text normalises one string.
func (n *normaliser) text(s string) string {
	s = uuidPattern.ReplaceAllStringFunc(s, func(id string) string {
		if p, ok := n.names[strings.ToLower(id)]; ok {
			return p
		}
		return "<uuid>"
	})
	s = tracebackPattern.ReplaceAllString(s, "<traceback>")
	return cut(timePattern.ReplaceAllString(s, "<time>"))
}

// maxText is the longest text a record keeps, in characters: Mistral's
// validation errors dump its whole JSON schema (250 KB), which no case
// compares in full.
const maxText = 4000

// cut shortens a text longer than maxText, marking the cut.
func cut(s string) string {
	if len(s) <= maxText { // bytes >= characters
		return s
	}
	r := []rune(s)
	if len(r) <= maxText {
		return s
	}
	return string(r[:maxText]) + "<cut>"
}

// value normalises every string (and map key) inside a decoded JSON value.
func (n *normaliser) value(v any) any {
	switch x := v.(type) {
	case string:
		return n.text(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = n.value(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[n.text(k)] = n.value(e)
		}
		return out
	default:
		return v
	}
}
