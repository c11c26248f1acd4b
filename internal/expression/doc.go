// Package expression evaluates the expressions embedded in Mistral workflow
// values, the way mistral/expressions does: every string inside a value is
// scanned for <% yaql %> blocks; a string that is exactly one block yields
// the block's typed value, mixed text gets each block replaced by Python
// str() of its value.
//
// Languages plug in through the Language interface (YAQL now, Jinja
// {{ }} / {% %} next); Mistral's functions (env, task, execution, json_*,
// yaml_*, uuid) are registered with each language and reach the running
// workflow through a Host.
package expression
