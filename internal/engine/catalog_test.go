package engine_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

const envWorkflow = `version: '2.0'
uses_env:
  output:
    region: <% env().region %>
    url: <% env().url %>
  tasks:
    t:
      action: std.noop
`

func TestEnvironments(t *testing.T) {
	t.Parallel()
	for name, open := range drivers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, open, engine.Options{})
			b.define(envWorkflow)
			now := time.Now().UTC()
			require.NoError(t, b.store.EnvironmentCreate(t.Context(), &store.Environment{
				Name: "prod", Variables: value.MapOf("region", "RegionOne", "url", "https://<% env().region %>.example"),
				CreatedAt: now, UpdatedAt: now,
			}))

			ex, err := b.eng.StartExecution(t.Context(), engine.StartRequest{WorkflowIdentifier: "uses_env", Params: value.MapOf("env", "prod")})
			require.NoError(t, err)
			require.Equal(t, workflow.StateSuccess, ex.State, ex.StateInfo)
			require.True(t, value.Equal(value.MapOf("region", "RegionOne", "url", "https://RegionOne.example"), ex.Output),
				"a named environment is loaded and evaluated: %s", value.MustEncode(ex.Output))

			ex, err = b.eng.StartExecution(t.Context(), engine.StartRequest{WorkflowIdentifier: "uses_env",
				Params: value.MapOf("env", value.MapOf("region", "R2", "url", "<% 1 + 1 %>"), "evaluate_env", false)})
			require.NoError(t, err)
			require.True(t, value.Equal(value.MapOf("region", "R2", "url", "<% 1 + 1 %>"), ex.Output),
				"evaluate_env: false keeps the values as written: %s", value.MustEncode(ex.Output))

			_, err = b.eng.StartExecution(t.Context(), engine.StartRequest{WorkflowIdentifier: "uses_env", Params: value.MapOf("env", "nope")})
			require.ErrorIs(t, err, engine.ErrInvalidInput)
			require.ErrorContains(t, err, "Environment is not found: nope")
		})
	}
}

func TestAdHocActions(t *testing.T) {
	t.Parallel()
	for name, open := range drivers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, open, engine.Options{})
			now := time.Now().UTC()
			require.NoError(t, b.store.ActionDefinitionCreate(t.Context(), &store.ActionDefinition{
				Name: "greet", Definition: "version: '2.0'\ngreet:\n  base: std.echo\n  base-input:\n    output: Hello, <% $.name %>\n  input:\n    - name\n  output: <% $ + '!' %>\n",
				Input: "name", CreatedAt: now, UpdatedAt: now,
			}))
			b.define("version: '2.0'\nhello:\n  output:\n    said: <% $.said %>\n  tasks:\n    t:\n      action: greet name=\"bora\"\n      publish:\n        said: <% task().result %>\n")
			ex := b.start("hello", nil)
			require.Equal(t, workflow.StateSuccess, ex.State, ex.StateInfo)
			require.True(t, value.Equal(value.MapOf("said", "Hello, bora!"), ex.Output), string(value.MustEncode(ex.Output)))
			acts, err := b.store.ActionExecutionList(t.Context(), store.ActionExecutionListParams{ExecutionID: ex.ID})
			require.NoError(t, err)
			require.Len(t, acts, 1)
			require.Equal(t, "greet", acts[0].Name, "the action execution is named for the ad-hoc action")
			require.True(t, value.Equal(value.MapOf("name", "bora"), acts[0].Input))
		})
	}
}

func TestStandaloneActions(t *testing.T) {
	t.Parallel()
	for name, open := range drivers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, open, engine.Options{})
			act, err := b.eng.StartStandaloneAction(t.Context(), engine.StandaloneAction{Name: "std.echo", Input: value.MapOf("output", "hi")})
			require.NoError(t, err)
			require.Equal(t, workflow.StateSuccess, act.State, "an instant action completes inline")
			require.Equal(t, "hi", act.Result)
			require.True(t, act.Accepted, "accepted once its result is recorded, as in Mistral")

			act, err = b.eng.StartStandaloneAction(t.Context(), engine.StandaloneAction{Name: "std.echo", Input: value.MapOf("output", "later", "delay", int64(1))})
			require.NoError(t, err)
			require.Equal(t, workflow.StateRunning, act.State)
			require.False(t, act.Accepted, "not accepted while running, as in Mistral")
			items, err := b.store.WorkItemClaimMany(t.Context(), store.WorkItemClaimParams{Owner: "x", Now: time.Now().UTC(), Lease: time.Minute, Limit: 5})
			require.NoError(t, err)
			require.Len(t, items, 1)
			require.NoError(t, b.eng.ReportResult(t.Context(), items[0], 1, action.Outcome{Result: "later"}))
			got, err := b.store.ActionExecutionGet(t.Context(), act.ID)
			require.NoError(t, err)
			require.Equal(t, workflow.StateSuccess, got.State)
			require.Equal(t, "later", got.Result)
			require.True(t, got.Accepted)

			_, err = b.eng.StartStandaloneAction(t.Context(), engine.StandaloneAction{Name: "std.nope"})
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	}
}
