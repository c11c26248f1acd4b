package engine_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

const parentChildYAML = `version: '2.0'
parent:
  input:
    - who
  output:
    from_child: <% $.from_child %>
  tasks:
    call:
      workflow: child
      input:
        name: <% $.who %>
      publish:
        from_child: <% task().result.greeting %>
      on-error: handle
    handle:
      publish:
        from_child: failed
child:
  input:
    - name
  output:
    greeting: Hello, <% $.name %>
  tasks:
    say:
      action: std.echo output=<% $.name %>
`

func TestSubworkflows(t *testing.T) {
	t.Parallel()
	for name, open := range drivers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()

			t.Run("the child's output becomes the parent task's result in one transaction", func(t *testing.T) {
				t.Parallel()
				b := setup(t, open, engine.Options{})
				b.define(parentChildYAML)
				ex := b.start("parent", value.MapOf("who", "bora"))
				// Everything is inline: the start request finished both.
				require.Equal(t, workflow.StateSuccess, ex.State, ex.StateInfo)
				require.True(t, value.Equal(value.MapOf("from_child", "Hello, bora"), ex.Output))
				children, err := b.store.ExecutionList(t.Context(), store.ExecutionListParams{RootExecutionID: ex.ID})
				require.NoError(t, err)
				require.Len(t, children, 1)
				require.Equal(t, "child", children[0].WorkflowName)
				require.Equal(t, "sub-workflow execution", children[0].Description, "as Mistral describes it")
				require.Equal(t, workflow.StateSuccess, children[0].State)
				tasks, err := b.store.TaskList(t.Context(), store.TaskListParams{ExecutionID: ex.ID})
				require.NoError(t, err)
				require.Len(t, tasks, 1)
				require.Equal(t, workflow.TaskTypeWorkflow, tasks[0].Type)
				require.Equal(t, children[0].TaskExecutionID, tasks[0].ID)
			})

			t.Run("a child waiting on an async action completes the parent later", func(t *testing.T) {
				t.Parallel()
				b := setup(t, open, engine.Options{})
				b.define("version: '2.0'\nouter:\n  output:\n    got: <% $.got %>\n  tasks:\n    call:\n      workflow: inner\n      publish:\n        got: <% task().result.r %>\ninner:\n  output:\n    r: <% $.r %>\n  tasks:\n    wait:\n      action: std.async_noop\n      publish:\n        r: <% task().result %>\n")
				ex := b.start("outer", nil)
				require.Equal(t, workflow.StateRunning, ex.State)
				children, err := b.store.ExecutionList(t.Context(), store.ExecutionListParams{RootExecutionID: ex.ID})
				require.NoError(t, err)
				require.Len(t, children, 1)
				acts, err := b.store.ActionExecutionList(t.Context(), store.ActionExecutionListParams{ExecutionID: children[0].ID})
				require.NoError(t, err)
				require.Len(t, acts, 1)
				_, err = b.eng.CompleteAction(t.Context(), engine.ActionCompletion{ActionExecutionID: acts[0].ID, State: workflow.StateSuccess, Result: "done"})
				require.NoError(t, err)
				b.drain()
				got := b.execution(ex.ID)
				require.Equal(t, workflow.StateSuccess, got.State, got.StateInfo)
				require.True(t, value.Equal(value.MapOf("got", "done"), got.Output))
			})

			// As in Mistral (compat case sub_unknown_workflow): a task that
			// cannot start fails the workflow at once; on-error does not run.
			t.Run("a missing sub-workflow fails the task and the workflow, on-error does not run", func(t *testing.T) {
				t.Parallel()
				b := setup(t, open, engine.Options{})
				b.define("version: '2.0'\nbroken:\n  tasks:\n    call:\n      workflow: nowhere\n      on-error: handle\n    handle:\n      publish:\n        why: <% task(call).state_info %>\n")
				ex := b.start("broken", nil)
				require.Equal(t, workflow.StateError, ex.State, ex.StateInfo)
				require.Equal(t, "Failed to run task [error=Failed to find workflow [name=nowhere] [namespace=], wf=broken, task=call]", ex.StateInfo)
				tasks, err := b.store.TaskList(t.Context(), store.TaskListParams{ExecutionID: ex.ID})
				require.NoError(t, err)
				require.Len(t, tasks, 1, "handle must not run")
				require.Equal(t, workflow.StateError, tasks[0].State)
			})

			t.Run("with-items over a sub-workflow: one child per item, results in item order, a failed item fails the task", func(t *testing.T) {
				t.Parallel()
				b := setup(t, open, engine.Options{})
				b.define("version: '2.0'\nmany:\n  input:\n    - xs\n  output:\n    r: <% $.r %>\n  tasks:\n    call:\n      with-items: x in <% $.xs %>\n      concurrency: 2\n      workflow: one\n      input:\n        x: <% $.x %>\n      publish:\n        r: <% task().result.select($.sq) %>\none:\n  input:\n    - x\n  output:\n    sq: <% $.x * $.x %>\n  tasks:\n    check:\n      action: std.echo output=<% 6 / $.x %>\n")
				ex := b.start("many", value.MapOf("xs", []any{int64(3), int64(1), int64(2)}))
				b.drain()
				got := b.execution(ex.ID)
				require.Equal(t, workflow.StateSuccess, got.State, got.StateInfo)
				require.True(t, value.Equal(value.MapOf("r", []any{int64(9), int64(1), int64(4)}), got.Output), "%v", got.Output)
				children, err := b.store.ExecutionList(t.Context(), store.ExecutionListParams{RootExecutionID: ex.ID})
				require.NoError(t, err)
				require.Len(t, children, 3)

				ex = b.start("many", value.MapOf("xs", []any{int64(1), int64(0)}))
				b.drain()
				got = b.execution(ex.ID)
				require.Equal(t, workflow.StateError, got.State)
				require.Contains(t, got.StateInfo, "Failure caused by error in tasks: call")
				require.Contains(t, got.StateInfo, "-> One or more actions had failed.")
				require.Contains(t, got.StateInfo, ", idx=1]: Failed to run task [error=", "the failed child is listed at its index")
			})

			t.Run("a failing child fails the parent task with the child's report", func(t *testing.T) {
				t.Parallel()
				b := setup(t, open, engine.Options{})
				b.define("version: '2.0'\nup:\n  tasks:\n    call:\n      workflow: down\ndown:\n  tasks:\n    boom:\n      action: std.fail error_data=\"deep\"\n")
				ex := b.start("up", nil)
				require.Equal(t, workflow.StateError, ex.State)
				require.Contains(t, ex.StateInfo, "Failure caused by error in tasks: call")
				require.Contains(t, ex.StateInfo, "deep")
			})
		})
	}
}

func TestTimersAreFutureEvents(t *testing.T) {
	t.Parallel()
	for name, open := range drivers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			now := time.Now().UTC()
			clock := func() time.Time { return now }
			b := setup(t, open, engine.Options{Now: clock})
			b.define("version: '2.0'\nlater:\n  tasks:\n    t:\n      action: std.echo output=1\n      wait-before: 30\n")
			ex := b.start("later", nil)
			b.drain()
			require.Equal(t, workflow.StateRunning, b.execution(ex.ID).State, "the wait is not over")
			tasks, err := b.store.TaskList(t.Context(), store.TaskListParams{ExecutionID: ex.ID})
			require.NoError(t, err)
			require.Equal(t, workflow.StateDelayed, tasks[0].State)
			require.Equal(t, "Delayed by 'wait-before' policy [delay=30]", tasks[0].StateInfo)
			next, err := b.store.EventNextAvailableAt(t.Context())
			require.NoError(t, err)
			require.WithinDuration(t, now.Add(30*time.Second), next, time.Millisecond)

			now = now.Add(31 * time.Second)
			b.drain()
			got := b.execution(ex.ID)
			require.Equal(t, workflow.StateSuccess, got.State, got.StateInfo)
		})
	}
}
