package expression

import "context"

// Host answers Mistral's functions that read the execution.
type Host interface {
	// Task returns what Mistral's task(name) returns: a *value.Map
	// {id, name, spec, state, state_info, result, published, type,
	//  workflow_execution_id, created_at, updated_at}; name "" is the
	// current task. (nil, nil) when there is no such task.
	Task(ctx context.Context, name string) (any, error)
	// Execution returns what Mistral's execution() returns.
	Execution(ctx context.Context) (any, error)
}
