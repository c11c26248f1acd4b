package api

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

// maxListLimit caps a page, as Mistral's [api] max_limit does: a list
// without a limit, or with a larger one, returns at most this many
// resources and a `next` link.
const maxListLimit = 1000

// listSpec says what one list endpoint accepts.
type listSpec struct {
	// collection names the list in the response and in `next` links.
	collection string
	// fields are the resource's attributes, the names `fields` may use.
	fields []string
	// sortColumns maps the attributes a list may be sorted by to the
	// store's column names.
	sortColumns map[string]string
	// filters are the query parameters the handler applies itself, with
	// equality (the store's typed list parameters).
	filters []string
	// storeFilters, when set, lets every sortable attribute be filtered
	// with any of Mistral's operators, by the store (ListParams.Filters);
	// lists the store does not build leave it off.
	storeFilters bool
	// defaultSort is the sort key when the request names none; "" means
	// created_at.
	defaultSort string
	// memoryFilters lets every sortable attribute be filtered with any of
	// Mistral's operators, by the handler on the rendered resources
	// (matchFilters): the actions list, which merges the standard
	// actions with the stored ones.
	memoryFilters bool
	// nameMarker: the marker is a resource's id or name (actions), not a
	// UUID, so it is not checked as one.
	nameMarker bool
}

// listRequest is a parsed list query.
type listRequest struct {
	store.ListParams
	fields        []string          // requested attributes; empty means all
	filters       map[string]string // typed filter parameter -> value (equality)
	rawFilters    url.Values        // every filter as the client sent it, for `next`
	includeOutput bool
	// sortKeys and sortDirs are repeated in the `next` link.
	sortKeys, sortDirs []string
}

// parseListRequest reads marker, limit, sort_keys, sort_dirs, fields,
// include_output and the spec's filters. Any other parameter is refused,
// as Mistral refuses unknown arguments: a filter silently ignored would
// return the wrong resources.
func parseListRequest(q url.Values, spec listSpec) (listRequest, error) {
	req := listRequest{filters: map[string]string{}, rawFilters: url.Values{}}
	req.Limit = maxListLimit
	sortKeys, sortDirs := []string{"created_at"}, []string{"asc"}
	if spec.defaultSort != "" {
		sortKeys[0] = spec.defaultSort
	}
	// Sorted, so a query with several faults always reports the same one.
	for _, name := range slices.Sorted(maps.Keys(q)) {
		val := q.Get(name)
		switch name {
		case "marker":
			if !spec.nameMarker && val != "" && !uuidLike(val) {
				// Mistral types the marker as a UUID: anything else is a
				// bad request, not an unknown resource.
				return req, badRequest("Invalid input for field/attribute marker. Value: '%s'. unable to convert to uuid. Error: Expected a uuid but received %s.", val, val)
			}
			req.Marker = val
		case "limit":
			n, err := strconv.Atoi(val)
			if err != nil {
				return req, badRequest("Invalid input for field/attribute limit: %q is not an integer.", val)
			}
			if n <= 0 {
				return req, badRequest("Limit must be positive.")
			}
			req.Limit = min(n, maxListLimit)
		case "sort_keys":
			if val != "" {
				sortKeys = strings.Split(val, ",")
			}
		case "sort_dirs":
			if val != "" {
				sortDirs = strings.Split(val, ",")
			}
		case "fields":
			if val != "" {
				req.fields = strings.Split(val, ",")
			}
		case "include_output":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return req, badRequest("Invalid input for field/attribute include_output: %q is not a boolean.", val)
			}
			req.includeOutput = b
		case "all_projects":
			// Without authentication every resource is in one project.
		case "nulls":
			// Mistral's client sends `nulls=` (or the attributes that
			// must be unset, for --rootsonly) on every execution list.
			if err := req.addNulls(spec, val); err != nil {
				return req, err
			}
		default:
			if err := req.addFilter(spec, name, val); err != nil {
				return req, err
			}
		}
	}
	if err := req.setSort(spec, sortKeys, sortDirs); err != nil {
		return req, err
	}
	fields, err := checkFields(req.fields, spec.fields)
	if err != nil {
		return req, err
	}
	req.fields = fields
	return req, nil
}

// setSort checks the sort keys and directions. The store orders by one
// key (then id), so the first key decides; the others are checked only.
func (req *listRequest) setSort(spec listSpec, keys, dirs []string) error {
	if len(keys) < len(dirs) {
		return badRequest("Length of sort_keys must be equal or greater than sort_dirs.")
	}
	for len(dirs) < len(keys) {
		dirs = append(dirs, "asc")
	}
	for _, k := range keys {
		if _, ok := spec.sortColumns[k]; !ok {
			return badRequest("Cannot sort %s by %q; the sort keys are %s.",
				spec.collection, k, strings.Join(slices.Sorted(maps.Keys(spec.sortColumns)), ", "))
		}
	}
	for _, d := range dirs {
		if d != "asc" && d != "desc" {
			return badRequest("Unknown sort direction, must be 'desc' or 'asc'.")
		}
	}
	// Mistral makes the order total with id and shows it in `next`.
	if !slices.Contains(keys, "id") {
		keys, dirs = append(keys, "id"), append(dirs, "asc")
	}
	req.SortKey = spec.sortColumns[keys[0]]
	req.SortDesc = dirs[0] == "desc"
	req.sortKeys, req.sortDirs = keys, dirs
	return nil
}

// checkFields checks the attributes a `fields` parameter asks for; id is
// always added, as Mistral does, since the `next` link needs it.
func checkFields(requested, allowed []string) ([]string, error) {
	if len(requested) == 0 {
		return nil, nil
	}
	var unknown []string
	for _, f := range requested {
		if !slices.Contains(allowed, f) {
			unknown = append(unknown, f)
		}
	}
	if len(unknown) > 0 {
		return nil, badRequest("Some fields do not exist [%s], please choose from [%s]",
			strings.Join(unknown, ", "), strings.Join(allowed, ", "))
	}
	if !slices.Contains(requested, "id") {
		requested = append([]string{"id"}, requested...)
	}
	return requested, nil
}

// fieldsParam reads the `fields` query parameter of a GET of one resource.
func fieldsParam(r *http.Request, allowed []string) ([]string, error) {
	v := r.URL.Query().Get("fields")
	if v == "" {
		return nil, nil
	}
	return checkFields(strings.Split(v, ","), allowed)
}

// filterNames are the filter parameters a list accepts.
func (spec listSpec) filterNames() []string {
	names := slices.Clone(spec.filters)
	if spec.storeFilters || spec.memoryFilters {
		for name := range spec.sortColumns {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	return names
}

// addFilter reads one filter parameter, `name=value` or `name=op:value`
// as Mistral's filter_utils reads it. Equality on a typed filter goes to
// the handler; anything else to the store, as a Filter on the column.
func (req *listRequest) addFilter(spec listSpec, name, val string) error {
	column, generic := spec.sortColumns[name]
	generic = generic && (spec.storeFilters || spec.memoryFilters)
	typed := slices.Contains(spec.filters, name)
	if !typed && !generic {
		return badRequest("Unknown argument: %q. This list accepts marker, limit, sort_keys, sort_dirs, fields%s.",
			name, listOf(spec.filterNames()))
	}
	op, rest := store.FilterEq, val
	if prefix, after, ok := strings.Cut(val, ":"); ok {
		switch o := store.FilterOp(prefix); o {
		case store.FilterEq, store.FilterNeq, store.FilterIn, store.FilterNin, store.FilterGt,
			store.FilterGte, store.FilterLt, store.FilterLte, store.FilterHas:
			op, rest = o, after
		}
		// Any other prefix is a colon inside a plain value.
	}
	req.rawFilters.Set(name, val)
	if typed && op == store.FilterEq {
		req.filters[name] = rest
		return nil
	}
	if !generic {
		return badRequest("Filter operator %q on %s is not supported; only equality is.", op, name)
	}
	texts := []string{rest}
	if op == store.FilterIn || op == store.FilterNin {
		texts = strings.Split(rest, ",")
	}
	values := make([]any, len(texts))
	for i, text := range texts {
		v, err := filterArgument(name, text)
		if err != nil {
			return err
		}
		values[i] = v
	}
	if _, isText := values[0].(string); op == store.FilterHas && !isText {
		return badRequest("Invalid filter %s=%s: has applies to text attributes only.", name, val)
	}
	req.Filters = append(req.Filters, wholeSeconds(store.Filter{Column: column, Op: op, Values: values})...)
	return nil
}

// wholeSeconds reads a time given to the second, as Mistral shows times,
// as that whole second: a row created at 10:00:05.3 is "lte 10:00:05" and
// "eq 10:00:05", though the store keeps microseconds.
func wholeSeconds(f store.Filter) []store.Filter {
	if len(f.Values) != 1 {
		return []store.Filter{f}
	}
	t, ok := f.Values[0].(time.Time)
	if !ok || t.Nanosecond() != 0 {
		return []store.Filter{f}
	}
	end := []any{t.Add(time.Second)}
	switch f.Op {
	case store.FilterLte:
		return []store.Filter{{Column: f.Column, Op: store.FilterLt, Values: end}}
	case store.FilterGt:
		return []store.Filter{{Column: f.Column, Op: store.FilterGte, Values: end}}
	case store.FilterEq:
		return []store.Filter{{Column: f.Column, Op: store.FilterGte, Values: f.Values}, {Column: f.Column, Op: store.FilterLt, Values: end}}
	}
	return []store.Filter{f}
}

// addNulls reads `nulls`: the attributes that must be unset.
func (req *listRequest) addNulls(spec listSpec, val string) error {
	if val == "" {
		return nil
	}
	for _, name := range strings.Split(val, ",") {
		column, ok := spec.sortColumns[name]
		if !ok || !spec.storeFilters || filterKind(name) != kindText {
			return badRequest("Invalid input for field/attribute nulls: %q cannot be filtered as unset.", name)
		}
		req.Filters = append(req.Filters, store.Filter{Column: column, Op: store.FilterNull})
	}
	req.rawFilters.Set("nulls", val)
	return nil
}

// The kinds of attribute a filter value is read as.
const (
	kindText = iota
	kindTime
	kindInt
)

func filterKind(name string) int {
	switch {
	case strings.HasSuffix(name, "_at"), strings.HasSuffix(name, "_time"):
		return kindTime
	case name == "remaining_executions":
		return kindInt
	}
	return kindText
}

// filterTimeLayouts are the forms a time filter takes: Mistral's own,
// ISO 8601, and a bare date.
var filterTimeLayouts = []string{"2006-01-02 15:04:05.999999", "2006-01-02T15:04:05.999999", time.RFC3339Nano, "2006-01-02"}

// filterArgument reads one filter value as the attribute holds it.
func filterArgument(name, text string) (any, error) {
	switch filterKind(name) {
	case kindTime:
		for _, layout := range filterTimeLayouts {
			if t, err := time.Parse(layout, text); err == nil {
				return t.UTC(), nil
			}
		}
		return nil, badRequest("Invalid input for field/attribute %s. Value: '%s'. Expected a time (YYYY-MM-DD HH:MM:SS).", name, text)
	case kindInt:
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, badRequest("Invalid input for field/attribute %s. Value: '%s'. Expected an integer.", name, text)
		}
		return n, nil
	}
	// A state is text to Mistral's filters too: a state no resource can
	// be in (state=SLEEPING) matches nothing, it is not an error.
	return text, nil
}

// stateFilter reads the `state` filter (equality); see filterArgument on
// states that do not exist.
func (req *listRequest) stateFilter() (workflow.State, error) {
	return workflow.State(req.filters["state"]), nil
}

// uuidLike reports whether s reads as a UUID the way Mistral's uuid type
// reads one: 32 hex digits, with or without dashes, braces or a urn:uuid:
// prefix, in either case.
func uuidLike(s string) bool {
	s = strings.ToLower(s)
	s = strings.TrimPrefix(s, "urn:")
	s = strings.TrimPrefix(s, "uuid:")
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	s = strings.ReplaceAll(s, "-", "")
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// nextLink is Mistral's `next`: the URL of the following page, set only
// when this page is full.
func (req *listRequest) nextLink(r *http.Request, collection string, count int, lastID string) any {
	if count == 0 || count < req.Limit {
		return nil
	}
	// The parameters come in Mistral's order (sort, filters, limit,
	// marker, fields), with the commas and colons of lists and operators
	// left readable as Mistral leaves them.
	var q strings.Builder
	param := func(name, val string) {
		if q.Len() > 0 {
			q.WriteByte('&')
		}
		q.WriteString(name + "=" + queryText(val))
	}
	param("sort_keys", strings.Join(req.sortKeys, ","))
	param("sort_dirs", strings.Join(req.sortDirs, ","))
	for _, name := range slices.Sorted(maps.Keys(req.rawFilters)) {
		param(name, req.rawFilters.Get(name))
	}
	param("limit", strconv.Itoa(req.Limit))
	param("marker", lastID)
	if len(req.fields) > 0 {
		param("fields", strings.Join(req.fields, ","))
	}
	return fmt.Sprintf("%s/v2/%s?%s", baseURL(r), collection, q.String())
}

// queryText escapes a query parameter's value but for the commas and
// colons Mistral's lists and filter operators are written with (they
// are legal in a query).
func queryText(v string) string {
	v = url.QueryEscape(v)
	return strings.NewReplacer("%2C", ",", "%3A", ":").Replace(v)
}

// withNext adds `next` to a list body when there is a next page, as
// Mistral leaves it out otherwise.
func withNext(body object, next any) object {
	if next != nil {
		body = append(body, field{"next", next})
	}
	return body
}

// baseURL is the scheme and host the client used to reach us.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	return scheme + "://" + r.Host
}

// listOf continues a sentence's comma-separated list with names.
func listOf(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return ", " + strings.Join(names, ", ")
}

// sameColumns is a sortColumns map for attributes named as their columns.
func sameColumns(names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = n
	}
	return m
}
