package compat

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
)

// Expected is the record bora must produce for a case: the golden, with
// the case's ignored paths removed and its deliberate differences applied.
func Expected(c *Case, golden any) (any, error) {
	exp := deepCopy(golden)
	if c.Bora != nil {
		for _, k := range slices.Sorted(maps.Keys(c.Bora.Set)) {
			var val any
			if raw := c.Bora.Set[k]; len(raw) > 0 {
				v, err := decodeJSON(raw)
				if err != nil {
					return nil, fmt.Errorf("case %s: bora.set %s: %w", c.Name, k, err)
				}
				val = v
			}
			exp = parsePath(k).set(exp, val)
		}
	}
	return StripIgnored(c, dropTracebacks(exp)), nil
}

// tracebackTail matches the Python tracebacks a Mistral text ends with
// (after normalisation), chained ones included, and the separator before
// them. The text before them says what failed; the frames are Mistral's
// own source, which no other server has, so the comparison leaves them out.
// Whatever follows the last one is the rest of its exception line: an
// exception message with line breaks (an action's YAML definition) runs
// past the one line the normaliser takes as the traceback's end.
var tracebackTail = regexp.MustCompile(`:?\n<traceback>(?:\nDuring handling of the above exception, another exception occurred:\n\n<traceback>)*(?s:.*)$`)

// dropTracebacks removes the traceback tails of every string in a record.
func dropTracebacks(v any) any {
	switch x := v.(type) {
	case string:
		return tracebackTail.ReplaceAllString(x, "")
	case []any:
		for i, e := range x {
			x[i] = dropTracebacks(e)
		}
		return x
	case map[string]any:
		for k, e := range x {
			x[k] = dropTracebacks(e)
		}
		return x
	default:
		return v
	}
}

// StripIgnored removes the case's ignored paths from a generic record.
func StripIgnored(c *Case, v any) any {
	for _, ig := range c.Ignore {
		v = parsePath(ig.Path).remove(v)
	}
	return v
}

// Diff lists the places where got differs from want, as
// "path: want X, got Y" lines, in a stable order.
func Diff(want, got any) []string {
	var out []string
	diff("", want, got, &out)
	return out
}

func diff(at string, want, got any, out *[]string) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			break
		}
		keys := slices.Sorted(maps.Keys(w))
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			wv, wok := w[k]
			gv, gok := g[k]
			switch {
			case !wok:
				*out = append(*out, fmt.Sprintf("%s: unexpected, got %s", join(at, k), short(gv)))
			case !gok:
				*out = append(*out, fmt.Sprintf("%s: missing, want %s", join(at, k), short(wv)))
			default:
				diff(join(at, k), wv, gv, out)
			}
		}
		return
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			break
		}
		for i := range w {
			diff(join(at, label(w[i], i)), w[i], g[i], out)
		}
		return
	}
	if canonical(want) != canonical(got) {
		*out = append(*out, fmt.Sprintf("%s: want %s, got %s", orRoot(at), short(want), short(got)))
	}
}

// label names a list element in a diff: tasks by name, others by index.
func label(v any, i int) string {
	if m, ok := v.(map[string]any); ok {
		if name, ok := m["name"].(string); ok {
			return strconv.Itoa(i) + "(" + name + ")"
		}
	}
	return strconv.Itoa(i)
}

func join(at, k string) string {
	if at == "" {
		return k
	}
	return at + "." + k
}

func orRoot(at string) string {
	if at == "" {
		return "(record)"
	}
	return at
}

// short is a value's JSON text, cut so one diff line stays readable.
func short(v any) string {
	s := canonical(v)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// deepCopy copies a generic JSON tree, so applying a case's changes never
// touches the golden it read.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	case json.Number:
		return x
	default:
		return v
	}
}
