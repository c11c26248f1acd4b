package action

import (
	"fmt"
	"math/big"

	"github.com/bora-workflow/bora/internal/value"
)

// The helpers below read action inputs the way Mistral's Python code
// treats them, so a workflow written for Mistral behaves the same here.

// truthy is Python's bool(): None, False, 0, "" and empty containers are
// false.
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case int64:
		return t != 0
	case float64:
		return t != 0
	case *big.Int:
		return t.Sign() != 0
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	case *value.Map:
		return t.Len() > 0
	}
	return true
}

// str reads a string parameter; numbers and other scalars become their
// Python str(), as string formatting in Mistral would render them.
func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if v == nil {
		return ""
	}
	return value.PyStr(v)
}

// strList reads a parameter that Mistral treats as a list of strings; a
// single string counts as a one-element list.
func strList(name string, v any) ([]string, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{t}, nil
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			out = append(out, str(e))
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s must be a list of strings, got %s", name, value.TypeName(v))
}

// number reads a numeric parameter (a number or a numeric string).
func number(name string, v any) (float64, error) {
	switch t := v.(type) {
	case int64, float64, *big.Int:
		return seconds(t), nil
	case string:
		n, err := value.ParseNumber(t)
		if err != nil {
			return 0, fmt.Errorf("%s must be a number, got %q", name, t)
		}
		return seconds(n), nil
	}
	return 0, fmt.Errorf("%s must be a number, got %s", name, value.TypeName(v))
}

func inputMap(input *value.Map, name string) (*value.Map, error) {
	v, _ := input.Get(name)
	switch t := v.(type) {
	case nil:
		return nil, nil
	case *value.Map:
		return t, nil
	}
	return nil, fmt.Errorf("%s must be a dict, got %s", name, value.TypeName(v))
}

func get(input *value.Map, name string) any {
	v, _ := input.Get(name)
	return v
}

func failed(format string, args ...any) Outcome {
	return Outcome{Failed: true, Result: fmt.Sprintf(format, args...)}
}
