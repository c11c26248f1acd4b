package cron

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// fakeStarter inserts an execution in the caller's transaction, as the
// engine does, or fails as told.
type fakeStarter struct {
	mu     sync.Mutex
	starts []engine.StartRequest
	err    error
}

func (f *fakeStarter) StartExecutionInTx(ctx context.Context, tx store.Tx, req engine.StartRequest) (*workflow.Execution, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	f.starts = append(f.starts, req)
	ex := &workflow.Execution{
		ID: fmt.Sprintf("ex-%d", len(f.starts)), WorkflowName: req.WorkflowIdentifier, State: workflow.StateRunning,
		Input: req.Input, Params: req.Params, Context: value.NewMap(0), Description: req.Description,
	}
	return ex, tx.ExecutionInsert(ctx, ex)
}

func trigger(name, pattern string, next time.Time, count *int) *store.CronTrigger {
	return &store.CronTrigger{
		Name: name, WorkflowName: "wf", WorkflowID: "wf-id", Pattern: pattern, NextExecutionTime: next,
		RemainingExecutions: count, WorkflowInput: value.MapOf("x", int64(1)),
		WorkflowParams: value.MapOf("env", value.MapOf("k", "v")),
	}
}

func intp(n int) *int { return &n }

func TestFireDue(t *testing.T) {
	ctx := t.Context()
	st := storetest.OpenSQLite(t)
	now := time.Date(2026, 3, 4, 10, 7, 30, 0, time.UTC)
	starter := &fakeStarter{}
	r := New(st, starter, Options{Now: func() time.Time { return now }})

	// Due and unlimited; due and on its last run; not due yet; due long ago.
	require.NoError(t, st.CronTriggerCreate(ctx, trigger("every", "* * * * *", now.Add(-30*time.Second), nil)))
	require.NoError(t, st.CronTriggerCreate(ctx, trigger("last", "* * * * *", now.Add(-time.Second), intp(1))))
	require.NoError(t, st.CronTriggerCreate(ctx, trigger("later", "* * * * *", now.Add(time.Minute), intp(5))))
	require.NoError(t, st.CronTriggerCreate(ctx, trigger("behind", "0 * * * *", now.Add(-48*time.Hour), intp(3))))

	n, err := r.FireDue(ctx)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	require.Len(t, starter.starts, 3)
	req := starter.starts[0]
	require.Equal(t, "wf-id", req.WorkflowIdentifier)
	require.Equal(t, value.MapOf("x", int64(1)), req.Input)
	require.Equal(t, value.MapOf("env", value.MapOf("k", "v")), req.Params)
	require.Contains(t, req.Description, `"triggered_by": {"type": "cron_trigger", "id": "`)

	every, err := st.CronTriggerGet(ctx, "every")
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 3, 4, 10, 8, 0, 0, time.UTC), every.NextExecutionTime)
	require.Nil(t, every.RemainingExecutions)
	require.Equal(t, now, every.UpdatedAt)

	_, err = st.CronTriggerGet(ctx, "last")
	require.ErrorIs(t, err, store.ErrNotFound, "a trigger is deleted after its last run")

	// A trigger that fell behind fires once, then follows the pattern from now.
	behind, err := st.CronTriggerGet(ctx, "behind")
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 3, 4, 11, 0, 0, 0, time.UTC), behind.NextExecutionTime)
	require.Equal(t, 2, *behind.RemainingExecutions)

	// Nothing is due any more.
	n, err = r.FireDue(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	list, err := st.ExecutionList(ctx, store.ExecutionListParams{})
	require.NoError(t, err)
	require.Len(t, list, 3, "each start committed with its trigger's move")
}

// A start the engine refuses is logged and the trigger still moves on, so
// it does not fire in a loop; any other failure does the same in a
// transaction of its own.
func TestFireDueRefusedStart(t *testing.T) {
	for _, startErr := range []error{
		fmt.Errorf("%w: bad input", engine.ErrInvalidInput),
		fmt.Errorf("workflow: %w", store.ErrNotFound),
		errors.New("boom"),
	} {
		t.Run(startErr.Error(), func(t *testing.T) {
			ctx := t.Context()
			st := storetest.OpenSQLite(t)
			now := time.Date(2026, 3, 4, 10, 7, 30, 0, time.UTC)
			r := New(st, &fakeStarter{err: startErr}, Options{Now: func() time.Time { return now }})
			require.NoError(t, st.CronTriggerCreate(ctx, trigger("t", "* * * * *", now, intp(3))))
			n, err := r.FireDue(ctx)
			require.NoError(t, err)
			require.Equal(t, 1, n)
			got, err := st.CronTriggerGet(ctx, "t")
			require.NoError(t, err)
			require.Equal(t, now.Add(30*time.Second), got.NextExecutionTime)
			require.Equal(t, 2, *got.RemainingExecutions)
			list, err := st.ExecutionList(ctx, store.ExecutionListParams{})
			require.NoError(t, err)
			require.Empty(t, list)
		})
	}
}

// Run fires on its interval and stops with its context.
func TestRunStops(t *testing.T) {
	st := storetest.OpenSQLite(t)
	starter := &fakeStarter{}
	r := New(st, starter, Options{Interval: 10 * time.Millisecond})
	require.NoError(t, st.CronTriggerCreate(t.Context(), trigger("t", "* * * * *", time.Now().Add(-time.Second), intp(1))))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	require.Eventually(t, func() bool {
		starter.mu.Lock()
		defer starter.mu.Unlock()
		return len(starter.starts) == 1
	}, 5*time.Second, 10*time.Millisecond)
	cancel()
	require.NoError(t, <-done)
}
