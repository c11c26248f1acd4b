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

// TasksHost is implemented by hosts that can list task executions, for
// Mistral's tasks(workflow_execution_id, recursive, state, flat). It is
// optional: without it tasks() fails with a clear error.
type TasksHost interface {
	// Tasks returns a []any of task dicts (the shape Task returns) of the
	// given workflow execution ("" means not given: Mistral then lists the
	// tasks of every execution). recursive includes tasks of sub-workflows;
	// state "" means any state; flat keeps a workflow task only when its
	// sub-workflows' states differ from its own (Mistral's filter).
	Tasks(ctx context.Context, workflowExecutionID string, recursive bool, state string, flat bool) (any, error)
}

// GlobalHost is implemented by hosts that expose the workflow execution's
// context for Mistral's global(name). Optional, like TasksHost.
type GlobalHost interface {
	// Global returns the variable name of the workflow execution's context,
	// or nil when it is not set.
	Global(ctx context.Context, name string) (any, error)
}

// ExecutionsFilter is the arguments of Mistral's executions(); empty
// fields do not filter.
type ExecutionsFilter struct {
	ID              string
	RootExecutionID string
	State           string
	FromTime        string // created_at >= FromTime
	ToTime          string // created_at < ToTime
}

// ExecutionsHost is implemented by hosts that can list workflow
// executions, for Mistral's executions(). Optional, like TasksHost.
type ExecutionsHost interface {
	Executions(ctx context.Context, filter ExecutionsFilter) (any, error)
}
