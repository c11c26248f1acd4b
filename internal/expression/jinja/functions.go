package jinja

import (
	"fmt"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// bindArgs matches positional and keyword arguments to f.Params the way
// Python does, with Python's TypeErrors.
func bindArgs(f *Func, va *exec.VarArgs) ([]any, []bool, error) {
	args := make([]any, len(f.Params))
	given := make([]bool, len(f.Params))
	if len(va.Args) > len(f.Params) {
		return nil, nil, typeError("%s() takes %d positional arguments but %d were given", f.Name, len(f.Params), len(va.Args))
	}
	for i, a := range va.Args {
		v, err := fromGonja(a)
		if err != nil {
			return nil, nil, fmt.Errorf("%s(): argument %d: %w", f.Name, i+1, err)
		}
		args[i], given[i] = v, true
	}
	for name, a := range va.KwArgs {
		i := indexOf(f.Params, name)
		if i < 0 {
			return nil, nil, typeError("%s() got an unexpected keyword argument '%s'", f.Name, name)
		}
		if given[i] {
			return nil, nil, typeError("%s() got multiple values for argument '%s'", f.Name, name)
		}
		v, err := fromGonja(a)
		if err != nil {
			return nil, nil, fmt.Errorf("%s(): argument %s: %w", f.Name, name, err)
		}
		args[i], given[i] = v, true
	}
	for i := 0; i < f.Required && i < len(f.Params); i++ {
		if !given[i] {
			return nil, nil, typeError("%s() missing 1 required positional argument: '%s'", f.Name, f.Params[i])
		}
	}
	return args, given, nil
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// functionGlobal binds f to one evaluation's data, as Mistral binds its
// functions with functools.partial(fn, data_context).
func (e *Engine) functionGlobal(f *Func, st *evalState, data any) func(*exec.VarArgs) (*exec.Value, error) {
	return func(va *exec.VarArgs) (*exec.Value, error) {
		args, given, err := bindArgs(f, va)
		if err != nil {
			return nil, st.raise(err)
		}
		r, err := f.Call(&Call{Ctx: st.ctx, User: st.user, Data: data, Args: args, Given: given})
		if err != nil {
			return nil, st.raise(err)
		}
		return exec.AsValue(toGonja(r)), nil
	}
}

// functionFilter is f as a filter: Mistral registers the unbound function,
// so the piped value lands in the data-context slot ({{ _ | env }} works,
// {{ x | json_dump }} lacks its data argument).
func (e *Engine) functionFilter(f *Func) exec.FilterFunction {
	return func(ev *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
		st := stateOf(ev)
		data, err := fromGonja(in)
		if err != nil {
			return exec.AsValue(err)
		}
		args, given, err := bindArgs(f, params)
		if err != nil {
			return exec.AsValue(err)
		}
		r, err := f.Call(&Call{Ctx: st.ctx, User: st.user, Data: data, Args: args, Given: given})
		if err != nil {
			return exec.AsValue(err)
		}
		return exec.AsValue(toGonja(r))
	}
}
