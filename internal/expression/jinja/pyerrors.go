package jinja

import "fmt"

// PyError is an evaluation error named after the Python exception Mistral
// would raise (TypeError, ZeroDivisionError, UndefinedError ...), so
// messages read the same as in Mistral.
type PyError struct {
	Kind string
	Msg  string
}

func (e *PyError) Error() string { return e.Kind + ": " + e.Msg }

func typeError(format string, args ...any) error {
	return &PyError{Kind: "TypeError", Msg: fmt.Sprintf(format, args...)}
}

func valueError(format string, args ...any) error {
	return &PyError{Kind: "ValueError", Msg: fmt.Sprintf(format, args...)}
}

func zeroDivision(msg string) error { return &PyError{Kind: "ZeroDivisionError", Msg: msg} }

func undefinedError(format string, args ...any) error {
	return &PyError{Kind: "UndefinedError", Msg: fmt.Sprintf(format, args...)}
}

// limitError is raised when an expression would build a value bigger than
// the engine's limits (Mistral has none: it would exhaust memory).
func limitError(what string, limit int) error {
	return &PyError{Kind: "LimitError", Msg: fmt.Sprintf("%s exceeds the limit of %d", what, limit)}
}

// errNoElse is the value of "x if c" when c is false: Jinja's Undefined,
// an error under StrictUndefined.
var errNoElse = &PyError{Kind: "UndefinedError", Msg: "the inline if expression evaluated to false and no else section was defined"}
