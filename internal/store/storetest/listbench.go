package storetest

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// listBenchRows is how many executions BenchmarkExecutionList stores;
// BORA_BENCH_LIST_ROWS overrides it (the figure is 1,000,000).
func listBenchRows(b *testing.B) int {
	n := 100_000
	if v := os.Getenv("BORA_BENCH_LIST_ROWS"); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(b, err, "BORA_BENCH_LIST_ROWS")
	}
	return n
}

// BenchmarkExecutionList measures the execution list the REST API serves
// (a page of 100) over a large store: the first page, a page deep behind
// a marker, and the filters the client sends most. Every case must stay
// an index walk: its time must not grow with the number of rows.
func BenchmarkExecutionList(b *testing.B, s store.Store) {
	rows := listBenchRows(b)
	ctx := b.Context()
	started := time.Now()
	middle := loadExecutions(b, s, rows)
	loaded := time.Since(started)
	b.Logf("%d executions loaded in %s (%.0f rows/s)", rows, loaded.Round(time.Millisecond), float64(rows)/loaded.Seconds())
	cases := []struct {
		name string
		p    store.ExecutionListParams
	}{
		{"FirstPage", store.ExecutionListParams{}},
		{"FirstPageNewest", store.ExecutionListParams{ListParams: store.ListParams{SortDesc: true}}},
		{"AfterMarker", store.ExecutionListParams{ListParams: store.ListParams{Marker: middle}}},
		{"Workflow", store.ExecutionListParams{WorkflowName: "wf7"}},
		{"StateRunning", store.ExecutionListParams{State: workflow.StateRunning}},
		{"StateIn", store.ExecutionListParams{ListParams: store.ListParams{Filters: []store.Filter{
			{Column: "state", Op: store.FilterIn, Values: []any{"RUNNING", "PAUSED"}}}}}},
		{"CreatedAfter", store.ExecutionListParams{ListParams: store.ListParams{Filters: []store.Filter{
			{Column: "created_at", Op: store.FilterGt, Values: []any{T0.Add(time.Duration(rows/2) * time.Millisecond)}}}}}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			c.p.Limit = 100
			for b.Loop() {
				list, err := s.ExecutionList(ctx, c.p)
				require.NoError(b, err)
				require.NotEmpty(b, list)
			}
		})
	}
}

// loadExecutions stores rows executions for the list benchmark and
// returns the id of the middle one. 1 in 100 executions is RUNNING, the
// rest SUCCESS, over 100 workflows. The rows go in transactions of
// listBenchBatch; on a driver that can batch writes (PostgreSQL) each
// transaction's inserts travel in one round trip, so a million rows load
// in well under a minute instead of a million round trips.
func loadExecutions(b *testing.B, s store.Store, rows int) string {
	ctx := b.Context()
	var middle string
	for start := 0; start < rows; start += listBenchBatch {
		exs := make([]*workflow.Execution, 0, listBenchBatch)
		for i := start; i < min(start+listBenchBatch, rows); i++ {
			state := workflow.StateSuccess
			if i%100 == 0 {
				state = workflow.StateRunning
			}
			at := T0.Add(time.Duration(i) * time.Millisecond)
			ex := &workflow.Execution{
				ID: id.New(), WorkflowID: "wf-id", WorkflowName: fmt.Sprintf("wf%d", i%100), State: state,
				Input: value.NewMap(0), Params: value.NewMap(0), Context: value.NewMap(0),
				ProjectID: workflow.DefaultProjectID, CreatedAt: at, UpdatedAt: at,
			}
			if i == rows/2 {
				middle = ex.ID
			}
			exs = append(exs, ex)
		}
		insert := func(q store.Queries) error {
			for _, ex := range exs {
				if err := q.ExecutionInsert(ctx, ex); err != nil {
					return fmt.Errorf("insert execution %s: %w", ex.ID, err)
				}
			}
			return nil
		}
		tx, err := s.Begin(ctx)
		require.NoError(b, err)
		if batcher, ok := tx.(store.Batcher); ok {
			err = batcher.Batch(ctx, insert)
		} else {
			err = insert(tx)
		}
		require.NoError(b, err)
		require.NoError(b, tx.Commit(ctx))
	}
	return middle
}

// listBenchBatch is how many executions one loading transaction stores.
const listBenchBatch = 5000
