package engine

import (
	"context"
	"fmt"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
)

// resolveEnv turns params.env into the dict an execution keeps, as
// Mistral's _get_environment does: a dict is taken as it is, a string
// names a stored environment, and unless params.evaluate_env is false the
// values are evaluated as expressions over the environment itself.
func (e *Engine) resolveEnv(ctx context.Context, q store.Queries, params *value.Map) (*value.Map, error) {
	raw, _ := params.Get("env")
	var env *value.Map
	switch v := raw.(type) {
	case nil:
		return value.NewMap(0), nil
	case *value.Map:
		env = v
	case string:
		if v == "" {
			return value.NewMap(0), nil
		}
		stored, err := q.EnvironmentGet(ctx, v)
		if err != nil {
			if isNotFound(err) {
				return nil, userError(ErrInvalidInput, "Environment is not found: %s", v)
			}
			return nil, fmt.Errorf("load environment %q: %w", v, err)
		}
		env = stored.Variables
	default:
		return nil, userError(ErrInvalidInput, "Unexpected value type for environment [env=%s, type=%s]", value.PyStr(raw), value.TypeName(raw))
	}
	if env.Len() == 0 {
		return value.NewMap(0), nil
	}
	if flag, ok := params.Get("evaluate_env"); ok && !truthy(flag) {
		return env, nil
	}
	evaluated, err := e.eval.Evaluate(ctx, env, value.MapOf("__env", env), nil)
	if err != nil {
		return nil, userError(ErrInvalidInput, "evaluate the environment: %v", err)
	}
	return evaluated.(*value.Map), nil
}

// truthy is Python's bool() of a parameter value.
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != ""
	case int64:
		return t != 0
	case float64:
		return t != 0
	case []any:
		return len(t) > 0
	case *value.Map:
		return t.Len() > 0
	}
	return true
}
