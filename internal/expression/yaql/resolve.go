package yaql

import (
	"strings"
)

// callFunction resolves name among the overloads visible from s and calls
// the first whose parameters accept the arguments. For a method call
// (isMethod) recv is the receiver and becomes the first parameter.
func (st *evalState) callFunction(name string, args []arg, s *scope, recv any, isMethod bool, pos int) (any, error) {
	if err := st.enter(); err != nil {
		return nil, err
	}
	defer st.leave()
	all := s.lookupFuncs(name, st.engine.table)
	want := Function
	if isMethod {
		want = Method
	}
	var cands []*Func
	for _, f := range all {
		if f.Kind&want != 0 {
			cands = append(cands, f)
		}
	}
	if len(cands) == 0 {
		if isMethod {
			return nil, errf(KindNoMethod, "unknown method %s() for %s", name, typeName(recv))
		}
		return nil, errf(KindNoFunction, "unknown function %s()", name)
	}
	b := &binder{st: st, s: s, args: args, vals: make([]any, len(args)), done: make([]bool, len(args))}
	// Like yaql, rule out overloads by arity, parameter names and literal
	// arguments before evaluating anything.
	feasible := cands[:0:0]
	for _, f := range cands {
		if b.feasible(f, recv, isMethod) {
			feasible = append(feasible, f)
		}
	}
	for _, f := range feasible {
		c, ok, err := b.bind(f, recv, isMethod)
		if err != nil {
			return nil, err
		}
		if ok {
			c.Name, c.pos = name, pos
			return f.Impl(c)
		}
	}
	return nil, b.noMatch(name, recv, isMethod)
}

// binder matches call arguments to an overload's parameters, evaluating
// each argument at most once across all the overloads it tries.
type binder struct {
	st   *evalState
	s    *scope
	args []arg
	vals []any
	done []bool
}

func (b *binder) value(i int) (any, error) {
	if !b.done[i] {
		v, err := b.st.eval(b.args[i].value, b.s)
		if err != nil {
			return nil, err
		}
		b.vals[i], b.done[i] = v, true
	}
	return b.vals[i], nil
}

// param produces the argument i for parameter p: a lambda for lazy
// parameters, else the evaluated value if its type fits.
func (b *binder) param(i int, p *Param) (any, bool, error) {
	if p.Lazy {
		return &Lambda{body: b.args[i].value, scope: b.s, st: b.st}, true, nil
	}
	v, err := b.value(i)
	if err != nil {
		return nil, false, err
	}
	return v, accepts(p.Type, v), nil
}

func accepts(t Type, v any) bool {
	if _, isCtx := v.(*contextValue); isCtx {
		return false
	}
	return t.Check == nil || t.Check(v)
}

// feasible reports whether f could accept the call judging only by what is
// known without evaluation: the number and names of the arguments and the
// values of literal arguments.
func (b *binder) feasible(f *Func, recv any, isMethod bool) bool {
	if isMethod && (len(f.Params) == 0 || !accepts(f.Params[0].Type, recv)) {
		return false
	}
	if f.Raw {
		return true
	}
	bound := make([]bool, len(f.Params))
	next := 0
	if isMethod {
		bound[0], next = true, 1
	}
	literalFits := func(a arg, p *Param) bool {
		c, ok := a.value.(*constNode)
		return p.Lazy || !ok || c.wrapped || accepts(p.Type, c.val)
	}
	for _, a := range b.args {
		if a.key == nil {
			switch {
			case next < len(f.Params):
				p := &f.Params[next]
				if (a.skipped && !p.Optional) || (!a.skipped && !literalFits(a, p)) {
					return false
				}
				bound[next] = true
				next++
			case f.Rest == nil || a.skipped || !literalFits(a, f.Rest):
				return false
			}
			continue
		}
		kw, isKW := a.key.(*keywordNode)
		if !isKW {
			return false
		}
		j := -1
		for k := range f.Params {
			if f.Params[k].Name == kw.name && !(isMethod && k == 0) {
				j = k
				break
			}
		}
		switch {
		case j >= 0 && !bound[j]:
			if !literalFits(a, &f.Params[j]) {
				return false
			}
			bound[j] = true
		case !f.Kwargs:
			return false
		}
	}
	for j, p := range f.Params {
		if !bound[j] && !p.Optional {
			return false
		}
	}
	return true
}

func (b *binder) bind(f *Func, recv any, isMethod bool) (*Call, bool, error) {
	c := &Call{st: b.st, scope: b.s}
	if f.Raw {
		if isMethod {
			if len(f.Params) > 0 && !accepts(f.Params[0].Type, recv) {
				return nil, false, nil
			}
			c.Args = []any{recv}
		}
		for _, a := range b.args {
			c.Raw = append(c.Raw, RawArg{call: c, key: a.key, value: a.value})
		}
		return c, true, nil
	}
	vals := make([]any, len(f.Params))
	set := make([]bool, len(f.Params))
	next := 0
	if isMethod {
		if len(f.Params) == 0 || !accepts(f.Params[0].Type, recv) {
			return nil, false, nil
		}
		vals[0], set[0], next = recv, true, 1
	}
	var rest []any
	for i, a := range b.args {
		if a.key == nil {
			if next < len(f.Params) {
				p := &f.Params[next]
				if a.skipped {
					if !p.Optional {
						return nil, false, nil
					}
					vals[next], set[next] = p.Default, true
					next++
					continue
				}
				v, ok, err := b.param(i, p)
				if err != nil || !ok {
					return nil, false, err
				}
				vals[next], set[next] = v, true
				next++
				continue
			}
			if f.Rest == nil || a.skipped {
				return nil, false, nil
			}
			v, ok, err := b.param(i, f.Rest)
			if err != nil || !ok {
				return nil, false, err
			}
			rest = append(rest, v)
			continue
		}
		kw, isKW := a.key.(*keywordNode)
		if !isKW {
			return nil, false, nil
		}
		// yaql matches keyword arguments by the yaql (camelCase) parameter
		// name exactly: ignore_case => is not ignoreCase =>.
		name := kw.name
		j := -1
		for k := range f.Params {
			if f.Params[k].Name == name && !(isMethod && k == 0) {
				j = k
				break
			}
		}
		if j >= 0 && !set[j] {
			v, ok, err := b.param(i, &f.Params[j])
			if err != nil || !ok {
				return nil, false, err
			}
			vals[j], set[j] = v, true
			continue
		}
		if !f.Kwargs {
			return nil, false, nil
		}
		v, err := b.value(i)
		if err != nil {
			return nil, false, err
		}
		c.Kwargs = append(c.Kwargs, NamedArg{Name: kw.name, Value: v})
	}
	for j := range f.Params {
		if !set[j] {
			if !f.Params[j].Optional {
				return nil, false, nil
			}
			vals[j] = f.Params[j].Default
		}
	}
	c.Args = append(vals, rest...)
	return c, true, nil
}

func (b *binder) noMatch(name string, recv any, isMethod bool) error {
	var types []string
	for i, a := range b.args {
		switch {
		case a.skipped:
			types = append(types, "<skipped>")
		case a.key != nil:
			types = append(types, "<named>")
		case b.done[i]:
			types = append(types, typeName(b.vals[i]))
		case isLiteral(a.value):
			types = append(types, typeName(a.value.(*constNode).val))
		default:
			types = append(types, "<expression>")
		}
	}
	if isMethod {
		return errf(KindNoMatchingMethod, "method %s() cannot be called on %s with arguments (%s)", name, typeName(recv), strings.Join(types, ", "))
	}
	return errf(KindNoMatchingFunc, "function %s() cannot be called with arguments (%s)", name, strings.Join(types, ", "))
}

func isLiteral(n node) bool {
	_, ok := n.(*constNode)
	return ok
}
