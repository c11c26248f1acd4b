package engine_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/expression"
	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

var drivers = map[string]func(testing.TB) store.Store{
	"sqlite":   storetest.OpenSQLite,
	"postgres": storetest.OpenPostgres,
}

type bundle struct {
	t     *testing.T
	store store.Store
	eng   *engine.Engine
}

// defineTB stores the workflows of a document (for tests and benchmarks).
func defineTB(tb testing.TB, b *bundle, yaml string) {
	tb.Helper()
	eval := expression.New(expression.Options{})
	for _, name := range workflowNames(yaml) {
		_, err := engine.ParseWorkflow(eval, name, yaml)
		require.NoError(tb, err)
		now := time.Now().UTC()
		require.NoError(tb, b.store.WorkflowDefinitionCreate(tb.Context(), &store.WorkflowDefinition{
			ID: id.New(), Name: name, Definition: yaml, Scope: "private", CreatedAt: now, UpdatedAt: now,
		}))
	}
}

func setup(t *testing.T, open func(testing.TB) store.Store, opts engine.Options) *bundle {
	t.Helper()
	st := open(t)
	eng := engine.New(st, action.Standard(), expression.New(expression.Options{}), opts)
	return &bundle{t: t, store: st, eng: eng}
}

func (b *bundle) define(yaml string) {
	b.t.Helper()
	defineTB(b.t, b, yaml)
}

// workflowNames lists the top-level keys of a workflow document.
func workflowNames(yaml string) []string {
	var names []string
	for _, line := range strings.Split(yaml, "\n") {
		if line == "" || line[0] == ' ' || line[0] == '-' || strings.HasPrefix(line, "version") {
			continue
		}
		names = append(names, strings.TrimSuffix(strings.TrimSpace(line), ":"))
	}
	return names
}

func (b *bundle) start(name string, input *value.Map) *workflow.Execution {
	b.t.Helper()
	ex, err := b.eng.StartExecution(b.t.Context(), engine.StartRequest{WorkflowIdentifier: name, Input: input})
	require.NoError(b.t, err)
	return ex
}

// drain applies events until none are left.
func (b *bundle) drain() {
	b.t.Helper()
	for i := 0; i < 10000; i++ {
		n, err := b.eng.ProcessOnce(b.t.Context())
		require.NoError(b.t, err)
		if n == 0 {
			return
		}
	}
	b.t.Fatal("events never ran out")
}

func (b *bundle) execution(exID string) *workflow.Execution {
	b.t.Helper()
	ex, err := b.store.ExecutionGet(b.t.Context(), exID)
	require.NoError(b.t, err)
	return ex
}

func seqYAML(n int, action string) string {
	var sb strings.Builder
	sb.WriteString("version: '2.0'\nseq:\n  tasks:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "    t%d:\n      action: %s\n", i, action)
		if i+1 < n {
			fmt.Fprintf(&sb, "      on-success: t%d\n", i+1)
		}
	}
	return sb.String()
}

func TestEngine(t *testing.T) {
	t.Parallel()
	for name, open := range drivers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()

			t.Run("a sequence longer than the inline budget continues through events", func(t *testing.T) {
				t.Parallel()
				b := setup(t, open, engine.Options{InlineBudget: 7, RequestInlineBudget: 5})
				b.define(seqYAML(40, "std.noop"))
				ex := b.start("seq", nil)
				require.Equal(t, workflow.StateRunning, ex.State, "the start's transaction stops at its budget")
				b.drain()
				ex = b.execution(ex.ID)
				require.Equal(t, workflow.StateSuccess, ex.State, ex.StateInfo)
				tasks, err := b.store.TaskList(t.Context(), store.TaskListParams{ExecutionID: ex.ID})
				require.NoError(t, err)
				require.Len(t, tasks, 40)
				for _, task := range tasks {
					require.Equal(t, workflow.StateSuccess, task.State, task.Name)
				}
			})

			t.Run("a spent time budget splits the transaction, and the work goes on", func(t *testing.T) {
				t.Parallel()
				// A nanosecond is spent before the first inline run: every
				// result waits for the next transaction.
				b := setup(t, open, engine.Options{InlineTime: time.Nanosecond, RequestInlineTime: time.Nanosecond})
				b.define(seqYAML(15, "std.noop"))
				b.define(parYAML(30, true))
				seq := b.start("seq", nil)
				par := b.start("par", nil)
				require.Equal(t, workflow.StateRunning, seq.State)
				require.Equal(t, workflow.StateRunning, par.State)
				b.drain()
				for ex, tasks := range map[string]int{seq.ID: 15, par.ID: 32} {
					got := b.execution(ex)
					require.Equal(t, workflow.StateSuccess, got.State, got.StateInfo)
					list, err := b.store.TaskList(t.Context(), store.TaskListParams{ExecutionID: ex})
					require.NoError(t, err)
					require.Len(t, list, tasks)
				}
			})

			t.Run("results over the budget of a wide workflow are read back in chunks, in order", func(t *testing.T) {
				t.Parallel()
				// 600 results overflow into one event: three prefetch
				// chunks, the last one padded.
				b := setup(t, open, engine.Options{InlineBudget: 7, RequestInlineBudget: 5})
				b.define(parYAML(600, true))
				b.define("version: '2.0'\nitems:\n  input:\n    - xs\n  output:\n    ys: <% $.ys %>\n  tasks:\n    each:\n" +
					"      with-items: x in <% $.xs %>\n      action: std.echo output=<% $.x * 2 %>\n      publish:\n        ys: <% task().result %>\n")
				par := b.start("par", nil)
				xs := make([]any, 600)
				want := make([]any, 600)
				for i := range xs {
					xs[i], want[i] = int64(i), int64(2*i)
				}
				items := b.start("items", value.MapOf("xs", xs))
				b.drain()
				ex := b.execution(par.ID)
				require.Equal(t, workflow.StateSuccess, ex.State, ex.StateInfo)
				tasks, err := b.store.TaskList(t.Context(), store.TaskListParams{ExecutionID: ex.ID})
				require.NoError(t, err)
				require.Len(t, tasks, 602)
				for _, task := range tasks {
					require.Equal(t, workflow.StateSuccess, task.State, task.Name)
				}
				ex = b.execution(items.ID)
				require.Equal(t, workflow.StateSuccess, ex.State, ex.StateInfo)
				require.True(t, value.Equal(value.MapOf("ys", want), ex.Output), "%v", ex.Output)
			})

			t.Run("an action run by the executor path reports through its lease", func(t *testing.T) {
				t.Parallel()
				b := setup(t, open, engine.Options{})
				b.define("version: '2.0'\nslow:\n  output:\n    got: <% $.got %>\n  tasks:\n    t:\n      action: std.echo output=7 delay=1\n      publish:\n        got: <% task().result %>\n")
				ex := b.start("slow", nil)
				require.Equal(t, workflow.StateRunning, ex.State)
				items, err := b.store.WorkItemClaimMany(t.Context(), store.WorkItemClaimParams{Owner: "x", Now: time.Now().UTC(), Lease: time.Minute, Limit: 10})
				require.NoError(t, err)
				require.Len(t, items, 1)

				require.NoError(t, b.eng.ReportResult(t.Context(), items[0], 1, action.Outcome{Result: int64(7)}))
				b.drain()
				ex = b.execution(ex.ID)
				require.Equal(t, workflow.StateSuccess, ex.State, ex.StateInfo)
				require.True(t, value.Equal(value.MapOf("got", int64(7)), ex.Output))

				// The same report again is rejected: the lease is gone.
				err = b.eng.ReportResult(t.Context(), items[0], 1, action.Outcome{Result: int64(8)})
				require.ErrorIs(t, err, store.ErrStale)
			})

			t.Run("a lost executor fails an action that is not safe-rerun; its late result is rejected", func(t *testing.T) {
				t.Parallel()
				now := time.Now().UTC()
				b := setup(t, open, engine.Options{Now: func() time.Time { return now }})
				b.define("version: '2.0'\nslow:\n  tasks:\n    t:\n      action: std.echo output=1 delay=5\n      on-error: handle\n    handle:\n      publish:\n        why: <% task(t).state_info %>\n")
				ex := b.start("slow", nil)
				first, err := b.store.WorkItemClaimMany(t.Context(), store.WorkItemClaimParams{Owner: "a", Now: now, Lease: time.Second, Limit: 1})
				require.NoError(t, err)
				require.Len(t, first, 1)

				n, err := b.eng.RescueOnce(t.Context())
				require.NoError(t, err)
				require.Zero(t, n, "the lease still holds")
				now = now.Add(2 * time.Second)
				n, err = b.eng.RescueOnce(t.Context())
				require.NoError(t, err)
				require.Equal(t, 1, n)

				err = b.eng.ReportResult(t.Context(), first[0], 1, action.Outcome{Result: "late"})
				require.ErrorIs(t, err, store.ErrStale)
				b.drain()
				got := b.execution(ex.ID)
				require.Equal(t, workflow.StateSuccess, got.State, got.StateInfo)
				require.True(t, value.Equal(value.MapOf("why", engine.ExecutorLost), got.Output), string(value.MustEncode(got.Output)))
			})

			t.Run("a lost executor's safe-rerun action runs again on another executor", func(t *testing.T) {
				t.Parallel()
				now := time.Now().UTC()
				b := setup(t, open, engine.Options{Now: func() time.Time { return now }})
				b.define("version: '2.0'\nslow:\n  tasks:\n    t:\n      action: std.echo output=1 delay=5\n      safe-rerun: true\n")
				ex := b.start("slow", nil)
				first, err := b.store.WorkItemClaimMany(t.Context(), store.WorkItemClaimParams{Owner: "a", Now: now, Lease: time.Second, Limit: 1})
				require.NoError(t, err)
				require.Len(t, first, 1)
				now = now.Add(2 * time.Second)
				n, err := b.eng.RescueOnce(t.Context())
				require.NoError(t, err)
				require.Equal(t, 1, n)

				second, err := b.store.WorkItemClaimMany(t.Context(), store.WorkItemClaimParams{Owner: "b", Now: now, Lease: time.Minute, Limit: 1})
				require.NoError(t, err)
				require.Len(t, second, 1, "the item is back in the queue")
				require.Equal(t, 2, second[0].Claims)
				require.ErrorIs(t, b.eng.ReportResult(t.Context(), first[0], 1, action.Outcome{Result: "late"}), store.ErrStale)
				require.NoError(t, b.eng.ReportResult(t.Context(), second[0], 1, action.Outcome{Result: "on time"}))
				b.drain()
				require.Equal(t, workflow.StateSuccess, b.execution(ex.ID).State)
			})

			t.Run("completing an async action twice is refused and changes nothing", func(t *testing.T) {
				t.Parallel()
				b := setup(t, open, engine.Options{})
				b.define("version: '2.0'\nwait:\n  output:\n    got: <% $.got %>\n  tasks:\n    t:\n      action: std.async_noop\n      publish:\n        got: <% task().result %>\n")
				ex := b.start("wait", nil)
				acts, err := b.store.ActionExecutionList(t.Context(), store.ActionExecutionListParams{ExecutionID: ex.ID})
				require.NoError(t, err)
				require.Len(t, acts, 1)

				done, err := b.eng.CompleteAction(t.Context(), engine.ActionCompletion{ActionExecutionID: acts[0].ID, State: workflow.StateSuccess, Result: "first"})
				require.NoError(t, err)
				require.True(t, done.Accepted)
				_, err = b.eng.CompleteAction(t.Context(), engine.ActionCompletion{ActionExecutionID: acts[0].ID, State: workflow.StateSuccess, Result: "second"})
				require.ErrorIs(t, err, engine.ErrWrongState)
				b.drain()
				ex = b.execution(ex.ID)
				require.Equal(t, workflow.StateSuccess, ex.State)
				require.True(t, value.Equal(value.MapOf("got", "first"), ex.Output))
			})

			t.Run("a client-supplied id makes the start idempotent", func(t *testing.T) {
				t.Parallel()
				b := setup(t, open, engine.Options{})
				b.define(seqYAML(2, "std.noop"))
				req := engine.StartRequest{ID: id.New(), WorkflowIdentifier: "seq"}
				first, err := b.eng.StartExecution(t.Context(), req)
				require.NoError(t, err)
				again, err := b.eng.StartExecution(t.Context(), req)
				require.NoError(t, err)
				require.Equal(t, first.ID, again.ID)
				list, err := b.store.ExecutionList(t.Context(), store.ExecutionListParams{})
				require.NoError(t, err)
				require.Len(t, list, 1)
			})

			t.Run("bad input is refused before anything is stored", func(t *testing.T) {
				t.Parallel()
				b := setup(t, open, engine.Options{})
				b.define("version: '2.0'\nneeds:\n  input:\n    - x\n  tasks:\n    t:\n      action: std.noop\n")
				_, err := b.eng.StartExecution(t.Context(), engine.StartRequest{WorkflowIdentifier: "needs", Input: value.MapOf("y", 1)})
				require.ErrorIs(t, err, engine.ErrInvalidInput)
				require.ErrorContains(t, err, "missing=['x'], unexpected=['y']")
				_, err = b.eng.StartExecution(t.Context(), engine.StartRequest{WorkflowIdentifier: "absent"})
				require.ErrorIs(t, err, store.ErrNotFound)
				list, err := b.store.ExecutionList(t.Context(), store.ExecutionListParams{})
				require.NoError(t, err)
				require.Empty(t, list)
			})

			t.Run("a start event applied twice changes nothing the second time", func(t *testing.T) {
				t.Parallel()
				b := setup(t, open, engine.Options{})
				b.define("version: '2.0'\nwait:\n  tasks:\n    t:\n      action: std.async_noop\n")
				ex := b.start("wait", nil)
				// Deliver a duplicate start event, as a redelivery would.
				now := time.Now().UTC()
				require.NoError(t, b.store.EventInsert(t.Context(), &store.Event{
					ID: id.New(), ExecutionID: ex.ID, RootID: ex.ID, Kind: store.EventStart, Payload: []byte("{}"), AvailableAt: now, CreatedAt: now,
				}))
				b.drain()
				tasks, err := b.store.TaskList(t.Context(), store.TaskListParams{ExecutionID: ex.ID})
				require.NoError(t, err)
				require.Len(t, tasks, 1, "the duplicate start must not start the tasks again")
			})
		})
	}
}

// TestConcurrentEngines runs several engines over one store on many
// executions with joins; every execution must end SUCCESS with every task
// run exactly once.
func TestConcurrentEngines(t *testing.T) {
	t.Parallel()
	for name, open := range drivers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := open(t)
			eval := expression.New(expression.Options{})
			var engines []*engine.Engine
			for i := 0; i < 3; i++ {
				engines = append(engines, engine.New(st, action.Standard(), eval, engine.Options{BatchSize: 4, InlineBudget: 3, PollInterval: 5 * time.Millisecond}))
			}
			b := &bundle{t: t, store: st, eng: engines[0]}
			b.define(joinYAML(12))
			var ids []string
			for i := 0; i < 8; i++ {
				ids = append(ids, b.start("fanin", nil).ID)
			}
			ctx, cancel := context.WithCancel(t.Context())
			var wg sync.WaitGroup
			for _, e := range engines {
				wg.Add(1)
				go func() { defer wg.Done(); _ = e.Run(ctx) }()
			}
			deadline := time.Now().Add(60 * time.Second)
			for _, exID := range ids {
				for {
					ex := b.execution(exID)
					if ex.State.IsCompleted() {
						require.Equal(t, workflow.StateSuccess, ex.State, ex.StateInfo)
						break
					}
					require.True(t, time.Now().Before(deadline), "execution %s stuck in %s", exID, ex.State)
					time.Sleep(5 * time.Millisecond)
				}
				tasks, err := st.TaskList(t.Context(), store.TaskListParams{ExecutionID: exID})
				require.NoError(t, err)
				require.Len(t, tasks, 14, "start + 12 branches + the join, each once")
			}
			cancel()
			wg.Wait()
		})
	}
}

func joinYAML(n int) string {
	var sb strings.Builder
	sb.WriteString("version: '2.0'\nfanin:\n  tasks:\n    start:\n      on-success:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "        - b%d\n", i)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "    b%d:\n      action: std.echo output=%d\n      on-success: done\n", i, i)
	}
	sb.WriteString("    done:\n      join: all\n")
	return sb.String()
}
