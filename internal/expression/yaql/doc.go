// Package yaql implements YAQL 2.0, the query language of OpenStack Mistral
// workflows, as Mistral configures it (keyword operator "=>", no delegates,
// sets kept as sets, dicts not iterable).
//
// The pipeline is lexer → parser (precedence climbing, producing an AST) →
// evaluator. Functions live in a table built per Engine (name → overloads,
// each with a parameter spec and a function/method kind), so callers such as
// the Mistral dispatcher add their own functions without global state.
//
// Values are those of package value (nil, bool, string, int64, *big.Int,
// float64, []any, *value.Map) plus a few evaluation-only types (sets, lazy
// sequences, lambdas, regular expressions) that Finalize turns back into the
// value model.
package yaql
