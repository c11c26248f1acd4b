package yaql

import "github.com/bora-workflow/bora/internal/value"

// System functions: let/with/def/unpack build contexts for ->, assert, call.
func registerSystem(e *Engine) {
	e.register(
		raw("let", Function, fnLet),
		variadic(def("with", Function, fnWith), P("args", TAny)),
		def("def", Function, fnDef, P("name", TString), L("func")),
		variadic(def("unpack", Method, fnUnpack, P("sequence", TIterable)), P("args", TString)),
		def("assert", Method, fnAssert, P("obj", TAny), L("condition"), Opt("message", TString, "Assertion failed")),
		def("call", Function, fnCall, P("name", TString), P("args", TSequence), P("kwargs", TMap)),
		def("call", Function, fnCallMethod, P("name", TString), P("args", TSequence), P("kwargs", TMap), P("receiver", TAny)),
	)
}

func fnLet(c *Call) (any, error) {
	s := c.scope.child()
	pos := 1
	for _, a := range c.Raw {
		v, err := a.Value()
		if err != nil {
			return nil, err
		}
		if !a.IsNamed() {
			s.set(itoa(pos), v)
			pos++
			continue
		}
		name, ok := a.KeywordName()
		if !ok {
			k, err := a.Key()
			if err != nil {
				return nil, err
			}
			ks, isStr := k.(string)
			if !isStr {
				return nil, errf(KindNoMatchingFunc, "let() names must be words, not %s", typeName(k))
			}
			name = ks
		}
		s.set(name, v)
	}
	return &contextValue{s: s}, nil
}

func fnWith(c *Call) (any, error) {
	s := c.scope.child()
	for i, v := range c.Args {
		s.set(itoa(i+1), v)
	}
	return &contextValue{s: s}, nil
}

func fnDef(c *Call) (any, error) {
	name := c.Args[0].(string)
	body := c.lambdaArg(1)
	s := c.scope.child()
	s.defineFunc(withKwargs(variadic(def(name, Function, func(inner *Call) (any, error) {
		ls := s.child()
		for i, v := range inner.Args {
			ls.set(itoa(i+1), v)
		}
		for _, kw := range inner.Kwargs {
			ls.set(kw.Name, kw.Value)
		}
		return body.st.eval(body.body, ls)
	}), P("args", TAny))))
	return &contextValue{s: s}, nil
}

func fnUnpack(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	names := c.Args[1:]
	s := c.scope.child()
	if len(names) > 0 && len(names) != len(items) {
		return nil, errf(KindValue, "cannot unpack %d elements into %d", len(items), len(names))
	}
	for i, v := range items {
		if len(names) > 0 {
			s.set(names[i].(string), v)
		} else {
			s.set(itoa(i+1), v)
		}
	}
	return &contextValue{s: s}, nil
}

func fnAssert(c *Call) (any, error) {
	obj := c.Args[0]
	if seq, ok := obj.(*Seq); ok {
		items, err := c.st.toSlice(seq)
		if err != nil {
			return nil, err
		}
		obj = reusableSeq(items)
	}
	ok, err := c.lambdaArg(1).Call(obj)
	if err != nil {
		return nil, err
	}
	if !truthy(ok) {
		return nil, errf(KindAssertion, "%s", c.Args[2].(string))
	}
	return obj, nil
}

// fnCall is call(name, args, kwargs): calls a function by name.
func fnCall(c *Call) (any, error) {
	name := c.Args[0].(string)
	var args []arg
	for _, v := range c.Args[1].([]any) {
		args = append(args, arg{value: &constNode{val: v}})
	}
	c.Args[2].(*value.Map).Range(func(k string, v any) bool {
		args = append(args, arg{key: &keywordNode{name: k}, value: &constNode{val: v}})
		return true
	})
	return c.st.callFunction(name, args, c.scope, nil, false, c.pos)
}

// fnCallMethod is call(name, args, kwargs, receiver): a method call.
func fnCallMethod(c *Call) (any, error) {
	name := c.Args[0].(string)
	var args []arg
	for _, v := range c.Args[1].([]any) {
		args = append(args, arg{value: &constNode{val: v}})
	}
	c.Args[2].(*value.Map).Range(func(k string, v any) bool {
		args = append(args, arg{key: &keywordNode{name: k}, value: &constNode{val: v}})
		return true
	})
	return c.st.callFunction(name, args, c.scope, c.Args[3], true, c.pos)
}
