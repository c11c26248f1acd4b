package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

func exerciseFilters(t *testing.T, open Opener) {
	leaf(t, "Operators", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		a := Execution(t, s, func(ex *workflow.Execution) {
			ex.WorkflowName, ex.State, ex.Description = "alpha", workflow.StateSuccess, "50% done_x"
			ex.CreatedAt = T0
		})
		b := Execution(t, s, func(ex *workflow.Execution) {
			ex.WorkflowName, ex.State, ex.Description = "beta", workflow.StateError, "500 done"
			ex.CreatedAt = T0.Add(time.Minute)
			ex.RootExecutionID, ex.TaskExecutionID = a.ID, "task-of-a"
		})
		c := Execution(t, s, func(ex *workflow.Execution) {
			ex.WorkflowName, ex.State, ex.Description = "gamma", workflow.StateRunning, ""
			ex.CreatedAt = T0.Add(2 * time.Minute)
		})
		ids := func(fs ...store.Filter) []string {
			t.Helper()
			list, err := s.ExecutionList(ctx, store.ExecutionListParams{ListParams: store.ListParams{Filters: fs}})
			require.NoError(t, err)
			out := make([]string, len(list))
			for i, ex := range list {
				out[i] = ex.ID
			}
			return out
		}
		f := func(col string, op store.FilterOp, vals ...any) store.Filter {
			return store.Filter{Column: col, Op: op, Values: vals}
		}
		require.Equal(t, []string{b.ID}, ids(f("workflow_name", store.FilterEq, "beta")))
		require.Equal(t, []string{a.ID, c.ID}, ids(f("workflow_name", store.FilterNeq, "beta")))
		require.Equal(t, []string{a.ID, c.ID}, ids(f("state", store.FilterIn, "SUCCESS", "RUNNING")))
		require.Equal(t, []string{b.ID}, ids(f("state", store.FilterNin, "SUCCESS", "RUNNING")))
		require.Equal(t, []string{b.ID, c.ID}, ids(f("created_at", store.FilterGt, T0)))
		require.Equal(t, []string{a.ID, b.ID, c.ID}, ids(f("created_at", store.FilterGte, T0)))
		require.Equal(t, []string{a.ID}, ids(f("created_at", store.FilterLt, T0.Add(time.Minute))))
		require.Equal(t, []string{a.ID, b.ID}, ids(f("created_at", store.FilterLte, T0.Add(time.Minute))))
		// has: a substring, wildcards taken literally.
		require.Equal(t, []string{a.ID, b.ID}, ids(f("description", store.FilterHas, "done")))
		require.Equal(t, []string{a.ID}, ids(f("description", store.FilterHas, "0%")))
		require.Equal(t, []string{a.ID}, ids(f("description", store.FilterHas, "e_x")))
		// null: unset text, NULL or "".
		require.Equal(t, []string{a.ID, c.ID}, ids(f("root_execution_id", store.FilterNull)))
		require.Equal(t, []string{c.ID}, ids(f("description", store.FilterNull)))
		// Several filters all apply, with the typed ones and the marker.
		require.Equal(t, []string{c.ID}, ids(f("created_at", store.FilterGt, T0), f("state", store.FilterNeq, "ERROR")))
		list, err := s.ExecutionList(ctx, store.ExecutionListParams{
			ListParams:   store.ListParams{Marker: a.ID, Filters: []store.Filter{f("state", store.FilterNeq, "ERROR")}},
			WorkflowName: "gamma",
		})
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Equal(t, c.ID, list[0].ID)

		// Filters on other tables and column types.
		two, five := 2, 5
		require.NoError(t, s.CronTriggerCreate(ctx, &store.CronTrigger{Name: "two", WorkflowName: "w", Pattern: "* * * * *", NextExecutionTime: T0, RemainingExecutions: &two}))
		require.NoError(t, s.CronTriggerCreate(ctx, &store.CronTrigger{Name: "five", WorkflowName: "w", Pattern: "* * * * *", NextExecutionTime: T0, RemainingExecutions: &five}))
		triggers, err := s.CronTriggerList(ctx, store.ListParams{Filters: []store.Filter{f("remaining_executions", store.FilterGt, int64(3))}})
		require.NoError(t, err)
		require.Equal(t, []string{"five"}, cronTriggerNames(triggers))
		task := Task(t, s, a, func(tk *workflow.Task) { tk.Name = "only" })
		tasks, err := s.TaskList(ctx, store.TaskListParams{ListParams: store.ListParams{Filters: []store.Filter{f("name", store.FilterIn, "only", "other")}}})
		require.NoError(t, err)
		require.Len(t, tasks, 1)
		require.Equal(t, task.ID, tasks[0].ID)

		// Refused: a column the table cannot be filtered by, a malformed filter.
		for _, bad := range []store.Filter{
			f("input", store.FilterEq, "x"),
			f("state; DROP TABLE executions", store.FilterEq, "x"),
			f("state", store.FilterEq),
			f("state", store.FilterIn),
			f("state", store.FilterNull, "x"),
			f("state", "like", "x"),
			f("created_at", store.FilterHas, T0),
		} {
			_, err := s.ExecutionList(ctx, store.ExecutionListParams{ListParams: store.ListParams{Filters: []store.Filter{bad}}})
			require.Error(t, err, "%+v", bad)
		}
	})
}
