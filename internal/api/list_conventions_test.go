package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// The edge cases of Mistral's list conventions, on the executions list
// (the store's lists all go through the same code) and on the actions
// list (filtered in memory).
func TestListConventions(t *testing.T) {
	api := newTestAPI(t)
	var ids []string
	for i, state := range []workflow.State{workflow.StateSuccess, workflow.StateError, workflow.StateRunning} {
		ex := storetest.Execution(t, api.store, func(ex *workflow.Execution) {
			ex.WorkflowName, ex.State = fmt.Sprintf("wf%d", i), state
			ex.CreatedAt = storetest.T0.Add(time.Duration(i) * time.Minute)
		})
		ids = append(ids, ex.ID)
	}
	tests := []struct {
		name, query string
		want        []string
		next        string // the `next` link's query, after the marker's value; "" when none
	}{
		{"default order is created_at", "", ids, ""},
		{"limit, next in Mistral's order", "limit=2",
			ids[:2], "sort_keys=created_at,id&sort_dirs=asc,asc&limit=2&marker=" + ids[1]},
		{"after the marker", "limit=2&marker=" + ids[1], ids[2:], ""},
		{"descending", "sort_keys=created_at&sort_dirs=desc", []string{ids[2], ids[1], ids[0]}, ""},
		{"sort_dirs defaults to asc", "sort_keys=workflow_name,created_at&sort_dirs=desc", []string{ids[2], ids[1], ids[0]}, ""},
		{"filters and fields travel in next", "state=in:SUCCESS,ERROR&fields=state&limit=1",
			ids[:1], "sort_keys=created_at,id&sort_dirs=asc,asc&state=in:SUCCESS,ERROR&limit=1&marker=" + ids[0] + "&fields=id,state"},
		{"a full last page still has next", "limit=3", ids, "sort_keys=created_at,id&sort_dirs=asc,asc&limit=3&marker=" + ids[2]},
		{"a state nothing is in matches nothing, as in Mistral", "state=SLEEPING", nil, ""},
		{"an unknown state among others", "state=in:SLEEPING,RUNNING", ids[2:], ""},
		{"a value with spaces in next", "description=neq:a b&limit=1",
			ids[:1], "sort_keys=created_at,id&sort_dirs=asc,asc&description=neq:a+b&limit=1&marker=" + ids[0]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := api.get("/v2/executions?" + strings.ReplaceAll(tc.query, " ", "%20"))
			require.Equal(t, tc.want, listIDs(t, res, "executions"))
			if tc.next == "" {
				require.False(t, res.body.Has("next"), "no next link: %s", res.raw)
				return
			}
			require.Equal(t, "http://example.com/v2/executions?"+tc.next, get(t, res.body, "next"))
		})
	}
}

// A limit above the maximum is clamped to it: the page holds
// maxListLimit resources and `next` carries the clamped limit.
func TestListLimitIsClamped(t *testing.T) {
	api := newTestAPI(t)
	tx, err := api.store.Begin(t.Context())
	require.NoError(t, err)
	for i := range maxListLimit + 1 {
		storetest.Execution(t, tx, func(ex *workflow.Execution) {
			ex.CreatedAt = storetest.T0.Add(time.Duration(i) * time.Millisecond)
		})
	}
	require.NoError(t, tx.Commit(t.Context()))

	for _, query := range []string{"", "?limit=5000"} {
		res := api.get("/v2/executions" + query)
		require.Len(t, listIDs(t, res, "executions"), maxListLimit, query)
		require.Contains(t, get(t, res.body, "next"), fmt.Sprintf("&limit=%d&marker=", maxListLimit), query)
	}
	res := api.get("/v2/executions?limit=1000&fields=id&marker=" + listIDs(t, api.get("/v2/executions?limit=1000&fields=id"), "executions")[999])
	require.Len(t, listIDs(t, res, "executions"), 1)
	require.False(t, res.body.Has("next"))
}

// What a list refuses, with the field it names.
func TestListRefusalsNameTheField(t *testing.T) {
	api := newTestAPI(t)
	for _, tc := range []struct {
		query, want string
		status      int
	}{
		{"/v2/executions?marker=nope", "field/attribute marker. Value: 'nope'", 400},
		{"/v2/executions?marker=" + id.New(), "WorkflowExecution not found", 404},
		{"/v2/tasks?marker=12", "field/attribute marker", 400},
		// A UUID in another form is still a UUID (not a 400), but Mistral
		// looks it up as written.
		{"/v2/executions?marker=" + strings.ToUpper(strings.ReplaceAll(id.New(), "-", "")), "WorkflowExecution not found", 404},
		{"/v2/executions?limit=ten", "field/attribute limit", 400},
		{"/v2/executions?limit=-1", "Limit must be positive.", 400},
		{"/v2/executions?sort_keys=colour", `"colour"`, 400},
		{"/v2/executions?sort_dirs=asc,desc", "Length of sort_keys must be equal or greater than sort_dirs.", 400},
		{"/v2/executions?sort_dirs=up", "Unknown sort direction", 400},
		{"/v2/executions?fields=colour", "Some fields do not exist [colour]", 400},
		{"/v2/executions?colour=red", `Unknown argument: "colour"`, 400},
		{"/v2/executions?updated_at=lt:noon", "field/attribute updated_at. Value: 'noon'", 400},
		{"/v2/cron_triggers?remaining_executions=gt:x", "field/attribute remaining_executions", 400},
		{"/v2/executions?include_output=maybe", "field/attribute include_output", 400},
		{"/v2/actions?colour=red", `Unknown argument: "colour"`, 400},
		{"/v2/actions?marker=no.such.action", "Action not found", 404},
	} {
		t.Run(tc.query, func(t *testing.T) {
			require.Contains(t, requireFault(t, api.get(tc.query), tc.status), tc.want)
		})
	}
}

// The actions list merges the standard actions with the stored ones, so
// it filters in memory; the operators work as on the store's lists.
func TestListActionsFilterOperators(t *testing.T) {
	api := newTestAPI(t)
	res := api.postYAML("/v2/actions", "version: '2.0'\nmy.greet:\n  base: std.echo\n  base-input:\n    output: hi\n")
	require.Equal(t, http.StatusCreated, res.status, "%s", res.raw)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"name=in:std.echo,std.noop,my.greet", []string{"my.greet", "std.echo", "std.noop"}},
		{"name=nin:std.echo,std.noop&name=has:std.&limit=3", []string{"my.greet", "std.async_noop", "std.email"}}, // the first of a repeated parameter counts
		{"name=has:gree", []string{"my.greet"}},
		{"name=gte:std.t&name=lt:std.u", []string{"std.test_dict"}},
		{"is_system=false", []string{"my.greet"}},
		{"is_system=neq:true", []string{"my.greet"}},
		{"created_at=gte:2000-01-01", []string{"my.greet"}},
		{"name=in:std.echo,my.greet&sort_keys=name&sort_dirs=desc", []string{"std.echo", "my.greet"}},
		{"name=in:std.echo,my.greet&limit=1&marker=my.greet", []string{"std.echo"}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			res := api.get("/v2/actions?" + tc.query)
			require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
			var got []string
			for _, a := range getList(t, res.body, "actions") {
				got = append(got, get(t, a.(*value.Map), "name").(string))
			}
			require.Equal(t, tc.want, got)
		})
	}
}
