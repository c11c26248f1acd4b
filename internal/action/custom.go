package action

import (
	"context"

	"github.com/bora-workflow/bora/internal/value"
)

// Action is the one interface a program that embeds bora implements to add
// its own action in Go (Mistral's custom Python actions). FromAction turns
// it into a Definition for NewRegistry; see the package examples.
//
// Run gets the input already checked against Params, with defaults filled
// in. It runs on an executor, so it may block, but it must return when
// ctx is cancelled (the task's timeout policy or a workflow cancel).
// Return Outcome{Failed: true, Result: ...} for an error the workflow may
// handle, and Outcome{Async: true} when a third party will deliver the
// result through PUT /v2/action_executions/{id}.
type Action interface {
	Name() string
	Params() []Param
	Run(ctx context.Context, input *value.Map, ex ExecutionContext) Outcome
}

// FromAction wraps an Action as a Definition. The engine never runs it
// inline: bora cannot know that it is quick and local.
func FromAction(a Action) *Definition {
	return &Definition{Name: a.Name(), Params: a.Params(), Run: a.Run}
}
