package yaql

import (
	"errors"
	"fmt"
)

// ErrorKind groups errors the way yaql's exception classes do, so callers
// (and tests) can tell a syntax error from a missing key.
type ErrorKind string

const (
	KindLexical          ErrorKind = "YaqlLexicalException"
	KindGrammar          ErrorKind = "YaqlGrammarException"
	KindNoFunction       ErrorKind = "NoFunctionRegisteredException"
	KindNoMatchingFunc   ErrorKind = "NoMatchingFunctionException"
	KindNoMethod         ErrorKind = "NoMethodRegisteredException"
	KindNoMatchingMethod ErrorKind = "NoMatchingMethodException"
	KindKey              ErrorKind = "KeyError"
	KindIndex            ErrorKind = "IndexError"
	KindType             ErrorKind = "TypeError"
	KindValue            ErrorKind = "ValueError"
	KindZeroDivision     ErrorKind = "ZeroDivisionError"
	KindStopIteration    ErrorKind = "StopIteration"
	KindAssertion        ErrorKind = "AssertionError"
	KindLimit            ErrorKind = "LimitExceeded"
)

// Error is a YAQL parse or evaluation failure. Pos is the byte offset in the
// expression source (-1 when unknown).
type Error struct {
	Kind ErrorKind
	Pos  int
	Msg  string
}

func (e *Error) Error() string {
	if e.Pos >= 0 {
		return fmt.Sprintf("%s at position %d", e.Msg, e.Pos)
	}
	return e.Msg
}

// IsParseError reports whether err is a lexical or grammar error.
func IsParseError(err error) bool {
	var ye *Error
	return errors.As(err, &ye) && (ye.Kind == KindLexical || ye.Kind == KindGrammar)
}

// KindOf returns the yaql error class of err, or "" when err is not a yaql error.
func KindOf(err error) ErrorKind {
	var ye *Error
	if errors.As(err, &ye) {
		return ye.Kind
	}
	return ""
}

func newError(kind ErrorKind, pos int, format string, args ...any) *Error {
	return &Error{Kind: kind, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func lexError(pos int, src string) error {
	ch := ""
	if pos < len(src) {
		ch = string([]rune(src[pos:])[0])
	}
	return newError(KindLexical, pos, "lexical error: illegal character %q", ch)
}

// errf builds an evaluation error without a position; the evaluator fills in
// the position of the node being evaluated.
func errf(kind ErrorKind, format string, args ...any) error {
	return &Error{Kind: kind, Pos: -1, Msg: fmt.Sprintf(format, args...)}
}

// withPos sets the position of a position-less yaql error.
func withPos(err error, pos int) error {
	if err == nil {
		return nil
	}
	var ye *Error
	if errors.As(err, &ye) && ye.Pos < 0 {
		ye.Pos = pos
	}
	return err
}
