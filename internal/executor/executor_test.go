package executor_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/executor"
	"github.com/bora-workflow/bora/internal/expression"
	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

const blockingWorkflow = `version: '2.0'
blocking:
  output:
    got: <% $.got %>
  tasks:
    t:
      action: test.block
      publish:
        got: <% task().result %>
`

// blocker is an action that runs outside the engine (no Inline) and waits
// until released, so tests can stop the executor while it runs.
type blocker struct {
	started chan struct{}
	release chan struct{}
	runs    atomic.Int32
}

func (b *blocker) definition() *action.Definition {
	return &action.Definition{
		Name: "test.block",
		Run: func(ctx context.Context, _ *value.Map, _ action.ExecutionContext) action.Outcome {
			b.runs.Add(1)
			close(b.started)
			<-b.release
			return action.Outcome{Result: "released"}
		},
	}
}

func TestGracefulStopFinishesTheRunningAction(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(testing.TB) store.Store{"sqlite": storetest.OpenSQLite, "postgres": storetest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := open(t)
			blk := &blocker{started: make(chan struct{}), release: make(chan struct{})}
			reg := action.NewRegistry(blk.definition())
			eval := expression.New(expression.Options{})
			eng := engine.New(st, reg, eval, engine.Options{PollInterval: 5 * time.Millisecond})
			now := time.Now().UTC()
			require.NoError(t, st.WorkflowDefinitionCreate(t.Context(), &store.WorkflowDefinition{
				ID: id.New(), Name: "blocking", Definition: blockingWorkflow, CreatedAt: now, UpdatedAt: now,
			}))
			ex, err := eng.StartExecution(t.Context(), engine.StartRequest{WorkflowIdentifier: "blocking"})
			require.NoError(t, err)

			x := executor.New(st, reg, eng, executor.Options{Name: "test", PollInterval: 5 * time.Millisecond, Lease: 3 * time.Second})
			ctx, stop := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- x.Run(ctx) }()

			<-blk.started
			stop() // SIGTERM: stop claiming while the action runs
			select {
			case <-done:
				t.Fatal("the executor returned while its action was still running")
			case <-time.After(20 * time.Millisecond):
			}
			close(blk.release)
			require.NoError(t, <-done)

			// The result was reported before the executor returned: the
			// engine applies it and the workflow succeeds; nothing ran twice.
			for i := 0; i < 100; i++ {
				if _, err := eng.ProcessOnce(t.Context()); err != nil {
					require.NoError(t, err)
				}
				got, err := st.ExecutionGet(t.Context(), ex.ID)
				require.NoError(t, err)
				if got.State.IsCompleted() {
					require.Equal(t, workflow.StateSuccess, got.State, got.StateInfo)
					require.True(t, value.Equal(value.MapOf("got", "released"), got.Output))
					require.Equal(t, int32(1), blk.runs.Load())
					items, err := st.WorkItemClaimMany(t.Context(), store.WorkItemClaimParams{Owner: "check", Now: time.Now().UTC().Add(time.Hour), Lease: time.Second, Limit: 10})
					require.NoError(t, err)
					require.Empty(t, items, "the work item is gone, so no one can run it again")
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
			t.Fatal("the execution did not complete")
		})
	}
}
