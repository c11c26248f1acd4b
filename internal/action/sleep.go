package action

import (
	"context"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/bora-workflow/bora/internal/value"
)

// sleepDefinition is std.sleep: waits a whole number of seconds and
// returns None. It blocks an executor slot, as in Mistral, so it never
// runs inline; cancelling the action's context ends the wait.
func sleepDefinition() *Definition {
	return &Definition{
		Name:        "std.sleep",
		Class:       stdClass + "SleepAction",
		Description: "Sleeps for the given number of seconds and returns None.",
		Params:      []Param{Optional("seconds", int64(1))},
		Run: func(ctx context.Context, input *value.Map, _ ExecutionContext) Outcome {
			n := sleepSeconds(get(input, "seconds"))
			if n == 0 {
				return Outcome{}
			}
			t := time.NewTimer(time.Duration(n) * time.Second)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return failed("std.sleep interrupted: %s", context.Cause(ctx).Error())
			case <-t.C:
				return Outcome{}
			}
		},
	}
}

// sleepSeconds is Mistral's int(seconds) with a negative or unreadable
// value counting as 0.
func sleepSeconds(v any) int64 {
	var n int64
	switch t := v.(type) {
	case bool:
		if t {
			n = 1
		}
	case int64:
		n = t
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return 0
		}
		n = int64(math.Min(math.Trunc(t), float64(math.MaxInt32)))
	case *big.Int:
		if t.Sign() > 0 {
			n = math.MaxInt32
		}
	case string:
		// int("1.5") is a ValueError in Python, so only integers count.
		i, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
		if err != nil {
			return 0
		}
		n = i
	}
	return max(n, 0)
}
