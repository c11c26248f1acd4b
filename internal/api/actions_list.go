package api

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
)

// listActions is GET /v2/actions: the system actions and the ad-hoc ones
// of one namespace ("" unless `namespace` says otherwise, as Mistral),
// sorted by name by default. System actions are in the default namespace.
func (s *Server) listActions(w http.ResponseWriter, r *http.Request) {
	req, err := parseListRequest(r.URL.Query(), actionList)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	namespace := req.filters["namespace"]
	adhoc, err := s.store.ActionDefinitionList(r.Context(), store.ActionDefinitionListParams{
		ListParams: store.ListParams{Namespace: namespace, HasNamespace: true},
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var all []object
	if namespace == "" {
		for _, name := range s.actions.Names() {
			sys, _ := s.systemAction(name)
			all = append(all, sys)
		}
	}
	for _, a := range adhoc {
		all = append(all, renderActionDefinition(a))
	}
	all = slices.DeleteFunc(all, func(o object) bool {
		return !matchesActionFilters(o, req.filters) || !matchesFilters(o, req.Filters)
	})
	slices.SortStableFunc(all, func(a, b object) int { return compareBy(a, b, req.sortKeys, req.sortDirs) })
	if req.Marker != "" {
		i := slices.IndexFunc(all, func(o object) bool {
			return fieldOf(o, "id") == req.Marker || fieldOf(o, "name") == req.Marker
		})
		if i < 0 {
			s.writeError(w, r, notFoundAs(store.ErrNotFound, "Action not found [id=%s]", req.Marker))
			return
		}
		all = all[i+1:]
	}
	if req.Limit > 0 && len(all) > req.Limit {
		all = all[:req.Limit]
	}
	out := make([]object, len(all))
	for i, o := range all {
		out[i] = o.only(req.fields)
	}
	var lastID string
	if len(all) > 0 {
		lastID, _ = fieldOf(all[len(all)-1], "id").(string)
	}
	writeJSON(w, http.StatusOK, withNext(object{{"actions", out}},
		req.nextLink(r, actionList.collection, len(all), lastID)))
}

// matchesActionFilters applies the list's equality filters but namespace
// (applied when loading).
func matchesActionFilters(o object, filters map[string]string) bool {
	for name, want := range filters {
		if name == "namespace" {
			continue
		}
		got := fieldOf(o, name)
		if b, ok := got.(bool); ok {
			if strconv.FormatBool(b) != want {
				return false
			}
			continue
		}
		if s, _ := got.(string); s != want {
			return false
		}
	}
	return true
}

// matchesFilters applies filters with operators (eq, neq, in, nin, gt,
// gte, lt, lte, has) to a rendered resource, as the store applies them to
// rows. An unset attribute matches no comparison, as NULL in SQL.
func matchesFilters(o object, filters []store.Filter) bool {
	for _, f := range filters {
		got := comparable(fieldOf(o, f.Column))
		if got == nil {
			return false
		}
		cmps := make([]int, len(f.Values))
		for i, v := range f.Values {
			c, ok := compareFilterValue(got, v)
			if !ok {
				return false
			}
			cmps[i] = c
		}
		var ok bool
		switch f.Op {
		case store.FilterEq:
			ok = cmps[0] == 0
		case store.FilterNeq:
			ok = cmps[0] != 0
		case store.FilterIn:
			ok = slices.Contains(cmps, 0)
		case store.FilterNin:
			ok = !slices.Contains(cmps, 0)
		case store.FilterGt:
			ok = cmps[0] > 0
		case store.FilterGte:
			ok = cmps[0] >= 0
		case store.FilterLt:
			ok = cmps[0] < 0
		case store.FilterLte:
			ok = cmps[0] <= 0
		case store.FilterHas:
			text, _ := got.(string)
			want, _ := f.Values[0].(string)
			ok = strings.Contains(text, want)
		}
		if !ok {
			return false
		}
	}
	return true
}

// comparable is an attribute's value as a filter compares it: text, a
// boolean as "true"/"false", a rendered time as a time; nil when unset.
func comparable(v any) any {
	switch v := v.(type) {
	case nil:
		return nil
	case bool:
		return strconv.FormatBool(v)
	case string:
		if v == "" {
			return v
		}
		if t, err := time.Parse(timeLayout, v); err == nil {
			return t
		}
		return v
	}
	return nil
}

// compareFilterValue compares an attribute's value with a filter's; false
// when they are of different kinds (a time against text).
func compareFilterValue(got, want any) (int, bool) {
	switch g := got.(type) {
	case time.Time:
		w, ok := want.(time.Time)
		if !ok {
			return 0, false
		}
		return g.Compare(w), true
	case string:
		w, ok := want.(string)
		if !ok {
			return 0, false
		}
		return cmp.Compare(g, w), true
	}
	return 0, false
}

// compareBy orders two resources by their sort keys, nulls first, as
// Mistral's in-memory sort of actions does.
func compareBy(a, b object, keys, dirs []string) int {
	for i, k := range keys {
		c := compareValues(fieldOf(a, k), fieldOf(b, k))
		if c == 0 {
			continue
		}
		if i < len(dirs) && dirs[i] == "desc" {
			return -c
		}
		return c
	}
	return 0
}

func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if x, ok := a.(bool); ok {
		y, _ := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	}
	x, _ := a.(string)
	y, _ := b.(string)
	return cmp.Compare(x, y)
}

// fieldOf is the value of a resource's attribute, nil when absent.
func fieldOf(o object, key string) any {
	for _, f := range o {
		if f.key == key {
			return f.val
		}
	}
	return nil
}

// systemAction renders a standard action as an Action resource, as
// Mistral 15 does: its name is its id, no definition, tags, scope or
// project, empty times, the default namespace. Mistral 15 reports every
// action with is_system false (its action providers lost the flag); bora
// says which ones are built in.
func (s *Server) systemAction(name string) (object, bool) {
	def, ok := s.actions.Get(name)
	if !ok {
		return nil, false
	}
	return object{
		{"id", def.Name},
		{"name", def.Name},
		{"is_system", true},
		{"input", systemInputLine(def.Params)},
		{"description", nullable(def.Description)},
		{"tags", nil},
		{"definition", ""},
		{"scope", nil},
		{"project_id", nil},
		{"created_at", ""},
		{"updated_at", ""},
		{"namespace", ""},
	}, true
}

// systemInputLine is the input line of a standard action, in the same
// form as an ad-hoc action's.
func systemInputLine(params []action.Param) string {
	ps := make([]dsl.Param, len(params))
	for i, p := range params {
		ps[i] = dsl.Param{Name: p.Name, Default: value.FromGo(p.Default), HasDefault: p.HasDefault}
	}
	return actionInputLine(ps)
}
