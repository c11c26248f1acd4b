package expression

import (
	"github.com/bora-workflow/bora/internal/expression/yaql"
)

// yaqlEnv is what the YAQL engine hands Mistral's functions through
// yaql.EvalOptions.User.
type yaqlEnv struct {
	host Host
	data any
}

// yaqlFunctions adapts Mistral's functions to the YAQL engine. Mistral
// registers them as plain functions, so task(x) works and 'x'.task() does
// not.
func yaqlFunctions(fs []function) []*yaql.Func {
	out := make([]*yaql.Func, 0, len(fs))
	for _, f := range fs {
		params := make([]yaql.Param, len(f.params))
		for i, p := range f.params {
			t := yaql.TAny
			if p.boolean {
				t = yaql.TBoolN
			}
			if p.optional {
				params[i] = yaql.Opt(p.name, t, p.def)
			} else {
				params[i] = yaql.P(p.name, t)
			}
		}
		call := f.call
		out = append(out, &yaql.Func{Name: f.name, Kind: yaql.Function, Params: params, Impl: func(c *yaql.Call) (any, error) {
			env, _ := c.User().(*yaqlEnv)
			if env == nil {
				env = &yaqlEnv{}
			}
			// Mistral's functions are Python code that sees plain data, so
			// sets and lazy sequences arrive as lists.
			args := make([]any, len(c.Args))
			for i := range c.Args {
				v, err := c.Data(i)
				if err != nil {
					return nil, err
				}
				args[i] = v
			}
			return call(&funcCall{ctx: c.Context(), host: env.host, data: env.data, args: args})
		}})
	}
	return out
}
