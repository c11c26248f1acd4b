package api

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

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
	// filters are the query parameters that filter this list.
	filters []string
	// defaultSort is the sort key when the request names none; "" means
	// created_at.
	defaultSort string
}

// listRequest is a parsed list query.
type listRequest struct {
	store.ListParams
	fields        []string          // requested attributes; empty means all
	filters       map[string]string // filter parameter -> value
	includeOutput bool
	// sortKeys and sortDirs are repeated in the `next` link.
	sortKeys, sortDirs []string
}

// parseListRequest reads marker, limit, sort_keys, sort_dirs, fields,
// include_output and the spec's filters. Any other parameter is refused,
// as Mistral refuses unknown arguments: a filter silently ignored would
// return the wrong resources.
func parseListRequest(q url.Values, spec listSpec) (listRequest, error) {
	req := listRequest{filters: map[string]string{}}
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
			if val != "" {
				return req, badRequest("The nulls filter (--rootsonly) is not supported yet.")
			}
		default:
			if !slices.Contains(spec.filters, name) {
				return req, badRequest("Unknown argument: %q. This list accepts marker, limit, sort_keys, sort_dirs, fields%s.",
					name, listOf(spec.filters))
			}
			v, err := filterValue(name, val)
			if err != nil {
				return req, err
			}
			req.filters[name] = v
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

// filterValue strips Mistral's `eq:` operator from a filter value; the
// other operators (neq, in, gt ...) are not supported yet and are refused
// rather than misread as equality.
func filterValue(name, val string) (string, error) {
	op, rest, ok := strings.Cut(val, ":")
	if !ok {
		return val, nil
	}
	switch op {
	case "eq":
		return rest, nil
	case "neq", "in", "nin", "gt", "gte", "lt", "lte", "has":
		return "", badRequest("Filter operator %q on %s is not supported; only equality is.", op, name)
	}
	return val, nil // a colon inside a plain value
}

// stateFilter reads the `state` filter.
func (req *listRequest) stateFilter() (workflow.State, error) {
	s, ok := req.filters["state"]
	if !ok || s == "" {
		return "", nil
	}
	st := workflow.State(s)
	if !st.Valid() {
		return "", badRequest("Invalid input for field/attribute state. Value: '%s'.", s)
	}
	return st, nil
}

// nextLink is Mistral's `next`: the URL of the following page, set only
// when this page is full.
func (req *listRequest) nextLink(r *http.Request, collection string, count int, lastID string) any {
	if count == 0 || count < req.Limit {
		return nil
	}
	q := url.Values{}
	for name, v := range req.filters {
		q.Set(name, v)
	}
	q.Set("sort_keys", strings.Join(req.sortKeys, ","))
	q.Set("sort_dirs", strings.Join(req.sortDirs, ","))
	q.Set("limit", strconv.Itoa(req.Limit))
	q.Set("marker", lastID)
	if len(req.fields) > 0 {
		q.Set("fields", strings.Join(req.fields, ","))
	}
	return fmt.Sprintf("%s/v2/%s?%s", baseURL(r), collection, q.Encode())
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
