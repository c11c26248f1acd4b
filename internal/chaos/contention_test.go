package chaos

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wideYAML is a workflow whose completions all land on one execution at
// once: n parallel branches joined by one task, then a with-items over
// the input list with concurrency 20. Every action is a non-safe sink hit,
// so a second run of any of them shows.
func wideYAML(n int) string {
	var b strings.Builder
	b.WriteString("version: '2.0'\nchaos_wide:\n  input:\n    - key\n    - sink\n    - items\n  tasks:\n    start:\n      action: std.noop\n      on-success:\n")
	for i := range n {
		fmt.Fprintf(&b, "        - b%d\n", i)
	}
	for i := range n {
		fmt.Fprintf(&b, "    b%d:\n      action: std.http\n      input:\n        url: <%% $.sink %%>/hit/once-<%% $.key %%>-b%d\n      on-success: joined\n", i, i)
	}
	b.WriteString(`    joined:
      join: all
      action: std.noop
      on-success: each
    each:
      with-items: i in <% $.items %>
      concurrency: 20
      action: std.http
      input:
        url: <% $.sink %>/hit/once-<% $.key %>-item-<% $.i %>
`)
	return b.String()
}

// TestContendedJoinAndWithItems runs wide joins and big with-items on 3
// engine processes and 2 executors, so many engines apply completions of
// one execution at the same moment (scenario 14 of the reliability
// research). The join must be created once, every branch and item must
// run once, and PostgreSQL must detect no deadlock: engines lock an
// execution tree by its root, in id order.
func TestContendedJoinAndWithItems(t *testing.T) {
	e := setup(t)
	e.start(3, 2)
	branches, items, workflows := 20, 50, 2
	if e.set.long {
		branches, items, workflows = 200, 500, 3
	}
	require.NoError(t, e.api.CreateWorkflows(e.ctx, wideYAML(branches)))
	r := &Report{Scenario: "contention", NoExecutorLoss: true, Config: fmt.Sprintf(
		"%d executions of a %d-branch join then a %d-item with-items (concurrency 20), 3 engines, 2 executors, no faults",
		workflows, branches, items)}
	deadlocksBefore, err := e.in.Deadlocks(e.ctx)
	require.NoError(t, err)
	list := make([]int, items)
	for i := range list {
		list[i] = i
	}
	began := time.Now()
	var starts []Start
	for i := range workflows {
		key := fmt.Sprintf("wide-%d", i)
		id, code, err := e.api.StartExecution(e.ctx, "chaos_wide", map[string]any{"key": key, "sink": e.sink.URL(), "items": list})
		require.NoError(t, err)
		starts = append(starts, Start{Key: key, ID: id, Code: code, At: time.Now()})
	}
	require.NoError(t, r.Settle(e.ctx, e.in, starts, 5*time.Minute))
	r.Duration = time.Since(began)
	// pg_stat_database counts deadlocks of the whole database: another
	// package's tests could add to it, never take away.
	deadlocksAfter, err := e.in.Deadlocks(context.WithoutCancel(e.ctx))
	require.NoError(t, err)
	for _, s := range starts {
		n, err := e.in.TaskCount(e.ctx, s.ID)
		require.NoError(t, err)
		assert.Equal(t, branches+3, n, "%s: start, %d branches, the join and the with-items task, each once", s.Key, branches)
	}
	r.Add("deadlocks (pg_stat_database)", "%d", deadlocksAfter-deadlocksBefore)
	r.Add("tasks per second", "%.0f", float64(workflows*(branches+3+items))/r.Duration.Seconds())
	e.finish(r)
	assert.Equal(t, workflows*(branches+items), r.Runs, "every branch and item ran")
	assert.Equal(t, r.Started, r.Succeeded, "every workflow succeeds")
	assert.Zero(t, deadlocksAfter-deadlocksBefore, "PostgreSQL detected deadlocks")
}
