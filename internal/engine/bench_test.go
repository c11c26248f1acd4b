package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/expression"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/workflow"
)

func parYAML(n int, join bool) string {
	var sb strings.Builder
	sb.WriteString("version: '2.0'\npar:\n  tasks:\n    start:\n      on-success:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "        - p%d\n", i)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "    p%d:\n      action: std.noop\n", i)
		if join {
			sb.WriteString("      on-success: done\n")
		}
	}
	if join {
		sb.WriteString("    done:\n      join: all\n")
	}
	return sb.String()
}

// withItemsYAML is one task over n items, counted as n tasks (one action
// each), as bora bench reports actions/s for with-items.
func withItemsYAML(n int) string {
	var sb strings.Builder
	sb.WriteString("version: '2.0'\nitems:\n  tasks:\n    each:\n      with-items: i in <% range(0, ")
	fmt.Fprintf(&sb, "%d", n)
	sb.WriteString(") %>\n      action: std.echo output=<% $.i %>\n")
	return sb.String()
}

// BenchmarkWorkflow runs whole workflows through the engine on SQLite
// (and PostgreSQL when BORA_TEST_DATABASE_URL is set) and reports tasks/s.
func BenchmarkWorkflow(b *testing.B) {
	shapes := []struct {
		name, yaml, wf string
		tasks          int
	}{
		// Small ones show the fixed cost of an execution, which the
		// per-task time of a 10-task workflow cannot hide.
		{"seq_10", seqYAML(10, "std.noop"), "seq", 10},
		{"with_items_10", withItemsYAML(10), "items", 10},
		{"seq_1000", seqYAML(1000, "std.noop"), "seq", 1000},
		{"par_1000", parYAML(1000, false), "par", 1001},
		{"join_1000", parYAML(1000, true), "par", 1002},
		{"with_items_1000", withItemsYAML(1000), "items", 1000},
		// Ten times wider: time per task must stay flat (nothing O(N²)),
		// though past the inline time budget results go through events.
		{"par_10000", parYAML(10000, false), "par", 10001},
	}
	for drv, open := range map[string]func(testing.TB) store.Store{"sqlite": storetest.OpenSQLite, "postgres": storetest.OpenPostgres} {
		for _, sh := range shapes {
			b.Run(drv+"/"+sh.name, func(b *testing.B) {
				st := open(b)
				eng := engine.New(st, action.Standard(), expression.New(expression.Options{}), engine.Options{})
				bb := &bundle{store: st, eng: eng}
				defineTB(b, bb, sh.yaml)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					ex, err := eng.StartExecution(b.Context(), engine.StartRequest{WorkflowIdentifier: sh.wf})
					require.NoError(b, err)
					for {
						n, err := eng.ProcessOnce(b.Context())
						require.NoError(b, err)
						if n == 0 {
							break
						}
					}
					got, err := st.ExecutionGet(b.Context(), ex.ID)
					require.NoError(b, err)
					require.Equal(b, workflow.StateSuccess, got.State)
				}
				b.ReportMetric(float64(sh.tasks*b.N)/b.Elapsed().Seconds(), "tasks/s")
			})
		}
	}
}
