package compat

import (
	"strconv"
	"strings"
)

// A path names places in a record's generic JSON tree: segments joined by
// dots, each one a map key, a list index, `*` (every key or element), or
// `key=value` (the list elements whose field key is the string value, as
// in `executions.ex.tasks.name=t1.result`).
type path []string

func parsePath(s string) path { return strings.Split(s, ".") }

// matches lists the children of v that the segment names, as
// (key-or-index, child) pairs.
func (p path) children(v any, seg string) []child {
	var out []child
	switch x := v.(type) {
	case map[string]any:
		if seg == "*" {
			for k, e := range x {
				out = append(out, child{key: k, val: e})
			}
		} else if e, ok := x[seg]; ok {
			out = append(out, child{key: seg, val: e})
		}
	case []any:
		field, want, isSelect := strings.Cut(seg, "=")
		n, numErr := strconv.Atoi(seg)
		for i, e := range x {
			switch {
			case seg == "*":
			case isSelect:
				m, _ := e.(map[string]any)
				if s, _ := m[field].(string); m == nil || s != want {
					continue
				}
			case numErr == nil && n == i:
			default:
				continue
			}
			out = append(out, child{idx: i, isIdx: true, val: e})
		}
	}
	return out
}

type child struct {
	key   string
	idx   int
	isIdx bool
	val   any
}

// remove deletes every place p names from v (list elements become
// absent, so later indexes shift; ignore paths rarely end on one).
func (p path) remove(v any) any {
	if len(p) == 0 {
		return v
	}
	seg, rest := p[0], p[1:]
	switch x := v.(type) {
	case map[string]any:
		for _, c := range p.children(v, seg) {
			if len(rest) == 0 {
				delete(x, c.key)
			} else {
				x[c.key] = rest.remove(c.val)
			}
		}
		return x
	case []any:
		drop := map[int]bool{}
		for _, c := range p.children(v, seg) {
			if len(rest) == 0 {
				drop[c.idx] = true
			} else {
				x[c.idx] = rest.remove(c.val)
			}
		}
		if len(drop) == 0 {
			return x
		}
		out := x[:0:0]
		for i, e := range x {
			if !drop[i] {
				out = append(out, e)
			}
		}
		return out
	}
	return v
}

// set puts val at every place p names in v; a missing last map key is
// added, a nil val deletes the place instead.
func (p path) set(v, val any) any {
	if len(p) == 0 {
		return val
	}
	if len(p) == 1 && val == nil {
		return p.remove(v)
	}
	seg, rest := p[0], p[1:]
	switch x := v.(type) {
	case map[string]any:
		kids := p.children(v, seg)
		if len(kids) == 0 && seg != "*" {
			kids = []child{{key: seg}}
		}
		for _, c := range kids {
			x[c.key] = rest.set(c.val, val)
		}
		return x
	case []any:
		for _, c := range p.children(v, seg) {
			x[c.idx] = rest.set(c.val, val)
		}
		return x
	case nil:
		// A path through a missing object creates it.
		return p.set(map[string]any{}, val)
	}
	return v
}
