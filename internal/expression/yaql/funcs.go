package yaql

import (
	"context"
)

// Kind says how a function can be called: f(x), x.f(), or both.
type Kind uint8

const (
	// Function is callable as f(x).
	Function Kind = 1 << iota
	// Method is callable as x.f(); its first parameter is the receiver.
	Method
	// Both is callable either way.
	Both = Function | Method
)

// Type checks whether an argument value is acceptable for a parameter; it is
// how overloads are told apart (as yaql's parameter types do).
type Type struct {
	Name  string
	Check func(v any) bool
}

// Predefined parameter types, mirroring yaql's smart types.
var (
	TAny     = Type{"any", func(any) bool { return true }}
	TString  = Type{"string", isString}
	TStringN = Type{"string or null", func(v any) bool { return v == nil || isString(v) }}
	TNumber  = Type{"number", isNumber}
	TNumberN = Type{"number or null", func(v any) bool { return v == nil || isNumber(v) }}
	TInt     = Type{"integer", isInt}
	TIntN    = Type{"integer or null", func(v any) bool { return v == nil || isInt(v) }}
	TBool    = Type{"boolean", func(v any) bool { _, ok := v.(bool); return ok }}
	// TBoolN is the type yaql infers for an untyped parameter whose default
	// is false: a bool, or null.
	TBoolN    = Type{"boolean or null", func(v any) bool { _, ok := v.(bool); return ok || v == nil }}
	TIterable = Type{"iterable", isIterable}
	TSequence = Type{"list", isSequence}
	TMap      = Type{"dict", isMap}
	TSet      = Type{"set", func(v any) bool { _, ok := v.(*Set); return ok }}
	// TFrozenSet is a real set, not a dict.keys() view (views lack union()
	// and friends in Python).
	TFrozenSet = Type{"set", func(v any) bool { s, ok := v.(*Set); return ok && !s.keysView }}
	TRegex     = Type{"regex", func(v any) bool { _, ok := v.(*Regex); return ok }}
	// TIterator is a lazy sequence (a Python iterator), not a list or set.
	TIterator = Type{"iterator", func(v any) bool { s, ok := v.(*Seq); return ok && !s.view }}
	// TIntLike accepts ints and bools (Python's isinstance(x, int)).
	TIntLike = Type{"integer", func(v any) bool { _, isB := v.(bool); return isInt(v) || isB }}
)

// Param describes one parameter. A Lazy parameter receives a *Lambda built
// from the unevaluated argument (predicates, selectors).
type Param struct {
	Name     string
	Type     Type
	Lazy     bool
	Optional bool
	Default  any
}

// Func is one overload of a named function.
type Func struct {
	Name   string
	Kind   Kind
	Params []Param // for methods Params[0] is the receiver
	// Rest, when set, accepts any number of extra positional arguments.
	Rest *Param
	// Kwargs collects named arguments that match no parameter into Call.Kwargs.
	Kwargs bool
	// Raw functions get their arguments unevaluated in Call.Raw (switch, dict,
	// let…): their argument lists are not plain values.
	Raw  bool
	Impl func(c *Call) (any, error)
}

// NamedArg is a name => value argument collected by a Kwargs function.
type NamedArg struct {
	Name  string
	Value any
}

// Call is what a function implementation receives.
type Call struct {
	// Args holds one entry per Param (receiver first for methods), then the
	// Rest arguments. Lazy parameters hold *Lambda; absent optional ones
	// hold their Default.
	Args   []any
	Kwargs []NamedArg
	// Raw is the unevaluated argument list of a Raw function.
	Raw   []RawArg
	Name  string
	st    *evalState
	scope *scope
	pos   int
}

// RawArg is an unevaluated argument; Key is nil for positional ones.
type RawArg struct {
	call  *Call
	key   node
	value node
}

// IsNamed reports whether the argument was written as key => value.
func (a RawArg) IsNamed() bool { return a.key != nil }

// Value evaluates the argument's value.
func (a RawArg) Value() (any, error) { return a.call.st.eval(a.value, a.call.scope) }

// Key evaluates the argument's key (a bare word evaluates to its text).
func (a RawArg) Key() (any, error) { return a.call.st.eval(a.key, a.call.scope) }

// KeywordName returns the key when it is a bare word.
func (a RawArg) KeywordName() (string, bool) {
	k, ok := a.key.(*keywordNode)
	if !ok {
		return "", false
	}
	return k.name, true
}

// Data returns argument i converted to the value model, the way a result is
// (sets and lazy sequences become lists): for functions that hand their
// arguments to code outside yaql, like Mistral's json_dump().
func (c *Call) Data(i int) (any, error) { return c.st.finalize(c.Args[i]) }

// Context is the Go context of the evaluation.
func (c *Call) Context() context.Context { return c.st.ctx }

// User returns the value passed as EvalOptions.User (e.g. a host).
func (c *Call) User() any { return c.st.user }

// Var returns the variable $name as seen by the call.
func (c *Call) Var(name string) (any, bool) { return c.scope.get(name) }
