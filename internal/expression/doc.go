// Package expression evaluates the expressions embedded in Mistral workflow
// values, the way mistral/expressions does: every string inside a value is
// scanned for <% yaql %> blocks; a string that is exactly one block yields
// the block's typed value, mixed text gets each block replaced by Python
// str() of its value (True, None, [1, 2], {'a': 1}).
//
// The YAQL language itself lives in package yaql. Languages plug in through
// the Language interface (Jinja's {{ }} / {% %} is the next one); Mistral's
// functions (env, execution, executions, task, tasks, global, json_*,
// yaml_*, uuid) are written once in mistral_functions.go and adapted to each
// language. They reach the running workflow through a Host (plus the
// optional TasksHost, ExecutionsHost and GlobalHost).
//
// Differences from Mistral worth knowing:
//   - map keys are evaluated too (Mistral's evaluate_recursively only
//     evaluates values); a non-string result becomes its Python str();
//   - data that is empty is still evaluated against (Mistral returns the
//     value unevaluated when the context is empty);
//   - iteration, recursion and integer size are bounded (see package yaql).
package expression
