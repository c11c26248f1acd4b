package action

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/bora-workflow/bora/internal/value"
)

// Standard returns the registry of Mistral's standard actions with the
// default options (see StdOptions).
func Standard() *Registry {
	return NewStandard(StdOptions{})
}

// NewStandard returns the registry of Mistral's standard actions tuned
// by opts.
func NewStandard(opts StdOptions) *Registry {
	return NewRegistry(opts.Definitions()...)
}

// StandardDefinitions returns the standard actions with the default
// options, for a program that builds its own registry around them:
//
//	reg := action.NewRegistry(append(action.StandardDefinitions(), myDef)...)
func StandardDefinitions() []*Definition {
	return StdOptions{}.Definitions()
}

// Definitions returns the standard actions configured by o.
func (o StdOptions) Definitions() []*Definition {
	o = o.withDefaults()
	h := httpAction{opts: o}
	defs := coreDefinitions()
	return append(defs,
		h.definition(),
		h.mistralHTTPDefinition(),
		sshAction{opts: o}.definition(),
		sshAction{opts: o}.proxiedDefinition(),
		emailAction{opts: o}.definition(),
		jsAction{opts: o}.definition("std.javascript"),
		jsAction{opts: o}.definition("std.js"),
		sleepDefinition(),
		testDictDefinition(),
	)
}

// stdClass is the module of Mistral's standard actions; with the class
// name it is what Mistral's input errors call an action.
const stdClass = "mistral.actions.std_actions."

// coreDefinitions are the instant actions the engine may run inline.
func coreDefinitions() []*Definition {
	return []*Definition{
		{
			Name:        "std.noop",
			Class:       stdClass + "NoOpAction",
			Description: "Does nothing and returns None.",
			Run:         func(context.Context, *value.Map, ExecutionContext) Outcome { return Outcome{} },
			Inline:      always,
		},
		{
			Name:        "std.echo",
			Class:       stdClass + "EchoAction",
			Description: "Returns its output after an optional delay in seconds.",
			Params:      []Param{Required("output"), Optional("delay", int64(0))},
			Run:         runEcho,
			Inline: func(input *value.Map) bool {
				d, _ := input.Get("delay")
				return seconds(d) <= 0
			},
		},
		{
			Name:        "std.fail",
			Class:       stdClass + "FailAction",
			Description: "Always fails; error_data, when given, is the error.",
			Params:      []Param{Optional("error_data", nil)},
			Run:         runFail,
			Inline:      always,
		},
		{
			Name:        "std.async_noop",
			Class:       stdClass + "AsyncNoOpAction",
			Description: "Returns no result: completed later through PUT /v2/action_executions/{id}.",
			Run:         func(context.Context, *value.Map, ExecutionContext) Outcome { return Outcome{Async: true} },
			Inline:      always,
		},
	}
}

func always(*value.Map) bool { return true }

func runEcho(ctx context.Context, input *value.Map, _ ExecutionContext) Outcome {
	out, _ := input.Get("output")
	d, _ := input.Get("delay")
	if wait := seconds(d); wait > 0 {
		t := time.NewTimer(time.Duration(wait * float64(time.Second)))
		defer t.Stop()
		select {
		case <-ctx.Done():
			return Outcome{Failed: true, Result: "std.echo interrupted: " + context.Cause(ctx).Error()}
		case <-t.C:
		}
	}
	return Outcome{Result: out}
}

func runFail(_ context.Context, input *value.Map, ex ExecutionContext) Outcome {
	data, _ := input.Get("error_data")
	if data == nil || data == "" {
		// Mistral's executor reports a raised exception in these words.
		return Outcome{Failed: true, Result: fmt.Sprintf(
			"The action raised an exception [action=Fail action, action_ex_id=%s, msg='Fail action expected exception.']", ex.ActionExecutionID)}
	}
	return Outcome{Failed: true, Result: data}
}

// seconds reads a delay given as a number or a numeric string; anything
// else counts as zero, as Mistral's std.sleep treats bad values.
func seconds(v any) float64 {
	switch t := v.(type) {
	case int64:
		return float64(t)
	case float64:
		return t
	case *big.Int:
		f, _ := new(big.Float).SetInt(t).Float64()
		return f
	case string:
		n, err := value.ParseNumber(t)
		if err != nil {
			return 0
		}
		return seconds(n)
	}
	return 0
}
