package yaql

// registerBoolean adds bool() and isBoolean(); and/or/not are operators.
func registerBoolean(e *Engine) {
	e.register(
		def("bool", Function, func(c *Call) (any, error) { return truthy(c.Args[0]), nil }, P("value", TAny)),
		def("isBoolean", Function, func(c *Call) (any, error) { return isBoolV(c.Args[0]), nil }, P("value", TAny)),
	)
}
