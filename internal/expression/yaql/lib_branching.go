package yaql

// Branching: switch, coalesce, selectCase/switchCase, selectAllCases, examine.
func registerBranching(e *Engine) {
	e.register(
		raw("switch", Function, fnSwitch),
		variadic(def("coalesce", Function, fnCoalesce), L("args")),
		variadic(def("selectCase", Function, fnSelectCase), L("args")),
		variadic(def("selectAllCases", Function, fnSelectAllCases), L("args")),
		variadic(def("examine", Function, fnExamine), L("args")),
		variadic(def("switchCase", Method, fnSwitchCase, P("case", TIntLike)), L("args")),
	)
}

func fnSwitch(c *Call) (any, error) {
	for _, a := range c.Raw {
		if !a.IsNamed() {
			return nil, errf(KindNoMatchingFunc, "switch() takes condition => value pairs")
		}
	}
	for _, a := range c.Raw {
		cond, err := a.Key()
		if err != nil {
			return nil, err
		}
		if truthy(cond) {
			return a.Value()
		}
	}
	return nil, nil
}

func fnCoalesce(c *Call) (any, error) {
	for i := range c.Args {
		v, err := c.lambdaArg(i).Call()
		if err != nil {
			return nil, err
		}
		if v != nil {
			return v, nil
		}
	}
	return nil, nil
}

func fnSelectCase(c *Call) (any, error) {
	for i := range c.Args {
		v, err := c.lambdaArg(i).Call()
		if err != nil {
			return nil, err
		}
		if truthy(v) {
			return int64(i), nil
		}
	}
	return int64(len(c.Args)), nil
}

func fnSelectAllCases(c *Call) (any, error) {
	var out []any
	for i := range c.Args {
		v, err := c.lambdaArg(i).Call()
		if err != nil {
			return nil, err
		}
		if truthy(v) {
			out = append(out, int64(i))
		}
	}
	return seqOfSlice(out), nil
}

func fnExamine(c *Call) (any, error) {
	var out []any
	for i := range c.Args {
		v, err := c.lambdaArg(i).Call()
		if err != nil {
			return nil, err
		}
		out = append(out, truthy(v))
	}
	return seqOfSlice(out), nil
}

func fnSwitchCase(c *Call) (any, error) {
	n, _ := toInt64(c.Args[0])
	lambdas := c.Args[1:]
	if len(lambdas) == 0 {
		return nil, nil
	}
	if n < 0 || n >= int64(len(lambdas)) {
		n = int64(len(lambdas)) - 1
	}
	return lambdas[n].(*Lambda).Call()
}
