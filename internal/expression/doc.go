// Package expression evaluates the expressions embedded in Mistral workflow
// values, the way mistral/expressions does: every string inside a value is
// scanned for <% yaql %> blocks; a string that is exactly one block yields
// the block's typed value, mixed text gets each block replaced by Python
// str() of its value (True, None, [1, 2], {'a': 1}).
//
// Jinja's {{ }} and {% %} work the same way (package jinja): a string that
// is one whole {{ expr }} yields the expression's typed value, anything else
// is rendered as a template. Mistral asks Jinja first, then YAQL; Validate
// rejects a string that mixes both, as Mistral does.
//
// The YAQL language itself lives in package yaql. Languages plug in through
// the Language interface; Mistral's functions (env, execution, executions,
// task, tasks, global, json_*, yaml_*, uuid) are written once in
// mistral_functions.go and adapted to each language (yaql_functions.go,
// jinja_language.go). They reach the running workflow through a Host (plus the
// optional TasksHost, ExecutionsHost and GlobalHost).
//
// Differences from Mistral worth knowing:
//   - map keys are syntax-checked by Validate (Mistral's validation only
//     looks at values); like Mistral, Evaluate leaves keys as written;
//   - data that is empty is still evaluated against (Mistral returns the
//     value unevaluated when the context is empty);
//   - iteration, recursion and integer size are bounded (see packages yaql
//     and jinja, whose doc lists Jinja's deliberate differences).
package expression
