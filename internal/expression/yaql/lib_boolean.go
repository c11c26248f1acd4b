package yaql

func registerBoolean(e *Engine) {
	e.register(
		def("bool", Function, func(c *Call) (any, error) { return truthy(c.Args[0]), nil }, P("value", TAny)),
		def("isBoolean", Function, func(c *Call) (any, error) { return isBoolV(c.Args[0]), nil }, P("value", TAny)),
	)
}
