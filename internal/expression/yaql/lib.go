package yaql

// Small constructors that keep the standard library tables readable.

// P is a required parameter.
func P(name string, t Type) Param { return Param{Name: name, Type: t} }

// Opt is an optional parameter with a default.
func Opt(name string, t Type, def any) Param {
	return Param{Name: name, Type: t, Optional: true, Default: def}
}

// L is a lazy (lambda) parameter.
func L(name string) Param { return Param{Name: name, Lazy: true} }

// LOpt is an optional lazy parameter; absent, it holds nil.
func LOpt(name string) Param { return Param{Name: name, Lazy: true, Optional: true} }

func def(name string, kind Kind, impl func(c *Call) (any, error), params ...Param) *Func {
	return &Func{Name: name, Kind: kind, Params: params, Impl: impl}
}

func variadic(f *Func, rest Param) *Func {
	f.Rest = &rest
	return f
}

func withKwargs(f *Func) *Func {
	f.Kwargs = true
	return f
}

func raw(name string, kind Kind, impl func(c *Call) (any, error), recv ...Param) *Func {
	return &Func{Name: name, Kind: kind, Raw: true, Params: recv, Impl: impl}
}

// lambdaArg returns argument i as a lambda, or nil when it was omitted.
func (c *Call) lambdaArg(i int) *Lambda {
	l, _ := c.Args[i].(*Lambda)
	return l
}

// noValue marks an omitted argument whose absence matters (first(),
// aggregate()), where null would be a legitimate value.
type noValueT struct{}

var noValue = noValueT{}

func registerStdlib(e *Engine) {
	registerSystem(e)
	registerBoolean(e)
	registerBranching(e)
	registerMath(e)
	registerStrings(e)
	registerCollections(e)
	registerQueries(e)
	registerRegex(e)
	registerDateTime(e)
}
