package action_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/value"
)

// shout is a custom action: an embedding program implements
// action.Action and registers it next to the standard actions.
type shout struct{}

func (shout) Name() string { return "acme.shout" }

func (shout) Params() []action.Param {
	return []action.Param{action.Required("text"), action.Optional("times", int64(1))}
}

func (shout) Run(ctx context.Context, input *value.Map, ex action.ExecutionContext) action.Outcome {
	if err := ctx.Err(); err != nil {
		return action.Outcome{Failed: true, Result: "acme.shout cancelled: " + err.Error()}
	}
	text, _ := input.Get("text")
	times, _ := input.Get("times")
	n, ok := times.(int64)
	if !ok || n < 1 {
		return action.Outcome{Failed: true, Result: "times must be a positive integer"}
	}
	s, _ := text.(string)
	return action.Outcome{Result: value.MapOf("shout", strings.Repeat(strings.ToUpper(s), int(n)))}
}

// An embedding program builds its registry from the standard actions and
// its own, and hands it to the engine and executors in place of
// action.Standard(). Workflows then call the action by name:
//
//	tasks:
//	  greet:
//	    action: acme.shout text="hi" times=2
//	    publish:
//	      loud: <% task().result.shout %>
func ExampleFromAction() {
	reg := action.NewRegistry(append(action.StandardDefinitions(), action.FromAction(shout{}))...)

	out := reg.Run(context.Background(), "acme.shout", value.MapOf("text", "hi", "times", int64(2)), action.ExecutionContext{})
	fmt.Println(value.PyStr(out.Result))

	out = reg.Run(context.Background(), "acme.shout", value.MapOf("txt", "hi"), action.ExecutionContext{})
	fmt.Println(out.Failed, out.Result)

	fmt.Println(reg.CanInline("acme.shout", value.MapOf("text", "x")))
	// Output:
	// {'shout': 'HIHI'}
	// true Invalid input [name=acme.shout, class=acme.shout, missing=['text'], unexpected=['txt']]
	// false
}

// A Definition can also be written directly, which is how the standard
// actions are built; NewStandard takes the operator's options.
func ExampleNewStandard() {
	defs := action.StdOptions{HTTPMaxResponseBytes: 1 << 20, Egress: action.MistralEgressPolicy()}.Definitions()
	defs = append(defs, &action.Definition{
		Name:   "acme.now_utc",
		Params: nil,
		Run: func(context.Context, *value.Map, action.ExecutionContext) action.Outcome {
			return action.Outcome{Result: "2026-01-01T00:00:00Z"}
		},
	})
	reg := action.NewRegistry(defs...)
	fmt.Println(reg.Run(context.Background(), "acme.now_utc", value.NewMap(0), action.ExecutionContext{}).Result)
	// Output:
	// 2026-01-01T00:00:00Z
}
