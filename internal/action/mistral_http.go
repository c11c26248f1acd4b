package action

import (
	"context"

	"github.com/bora-workflow/bora/internal/value"
)

// mistralHTTPDefinition is std.mistral_http: std.http that tells the
// called service which action execution it serves and where to send the
// result, then leaves the action RUNNING. The service completes it later
// with PUT /v2/action_executions/{id} (the delegate pattern).
func (a httpAction) mistralHTTPDefinition() *Definition {
	return &Definition{
		Name:        "std.mistral_http",
		Class:       stdClass + "MistralHTTPAction",
		Description: "std.http that returns no result: the called service completes the action through PUT /v2/action_executions/{id}.",
		Params:      httpParams(),
		Run: func(ctx context.Context, input *value.Map, ex ExecutionContext) Outcome {
			out := a.do(ctx, input, mistralHeaders(ex))
			// As in Mistral's executor, an error is reported at once (the
			// service will never call back); a success means "wait".
			if out.Failed {
				return out
			}
			return Outcome{Async: true}
		},
	}
}

// mistralHeaders are the headers Mistral's MistralHTTPAction sets; they
// override the workflow's own headers of the same name. An empty one
// (say, no callback URL because the API's address is unknown) is not
// sent.
func mistralHeaders(ex ExecutionContext) [][2]string {
	return [][2]string{
		{"Mistral-Workflow-Name", ex.WorkflowName},
		{"Mistral-Workflow-Execution-Id", ex.WorkflowExecutionID},
		{"Mistral-Task-Id", ex.TaskExecutionID},
		{"Mistral-Action-Execution-Id", ex.ActionExecutionID},
		{"Mistral-Callback-URL", ex.CallbackURL},
	}
}
