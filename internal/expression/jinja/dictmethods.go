package jinja

import (
	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/exec"
)

// methods returns gonja's Python-style methods with the dict ones replaced:
// gonja hands dict methods a Go map, which loses the insertion order that
// Mistral's dicts keep (d.items(), d.keys() would come out sorted). These
// read the ordered dict from selfValue instead. Mutating methods (pop,
// update, setdefault, clear) are left out: in an expression they would
// change the workflow's data behind the engine's back.
func methods() exec.Methods {
	m := builtins.Methods
	m.Dict = exec.NewMethodSet[map[string]any](map[string]exec.Method[map[string]any]{
		"keys": func(_ map[string]any, self *exec.Value, va *exec.VarArgs) (any, error) {
			if err := noArgs("keys", va); err != nil {
				return nil, err
			}
			d := dictOf(self)
			out := make([]any, len(d.Pairs))
			for i, p := range d.Pairs {
				out[i] = p.Key
			}
			return out, nil
		},
		"values": func(_ map[string]any, self *exec.Value, va *exec.VarArgs) (any, error) {
			if err := noArgs("values", va); err != nil {
				return nil, err
			}
			d := dictOf(self)
			out := make([]any, len(d.Pairs))
			for i, p := range d.Pairs {
				out[i] = p.Value
			}
			return out, nil
		},
		"items": func(_ map[string]any, self *exec.Value, va *exec.VarArgs) (any, error) {
			if err := noArgs("items", va); err != nil {
				return nil, err
			}
			d := dictOf(self)
			out := make([]any, len(d.Pairs))
			for i, p := range d.Pairs {
				out[i] = []any{p.Key, p.Value}
			}
			return out, nil
		},
		"get": func(_ map[string]any, self *exec.Value, va *exec.VarArgs) (any, error) {
			if len(va.Args) < 1 || len(va.Args) > 2 || len(va.KwArgs) > 0 {
				return nil, typeError("get expected 1 or 2 arguments, got %d", len(va.Args))
			}
			// Unwrapped: gonja wraps a method's result in a Value, and a
			// Value inside a Value reads as an error.
			if v, ok := dictLookup(dictOf(self), va.Args[0]); ok {
				return v.Interface(), nil
			}
			if len(va.Args) == 2 {
				return va.Args[1].Interface(), nil
			}
			return nil, nil
		},
		"copy": func(_ map[string]any, self *exec.Value, va *exec.VarArgs) (any, error) {
			if err := noArgs("copy", va); err != nil {
				return nil, err
			}
			d := dictOf(self)
			return &exec.Dict{Pairs: append([]*exec.Pair(nil), d.Pairs...)}, nil
		},
	})
	return m
}

func noArgs(name string, va *exec.VarArgs) error {
	if len(va.Args) > 0 || len(va.KwArgs) > 0 {
		return typeError("%s() takes no arguments (%d given)", name, len(va.Args)+len(va.KwArgs))
	}
	return nil
}
