// Package jinja evaluates Jinja2 expressions and templates the way
// Mistral's jinja evaluator does (SandboxedEnvironment with
// StrictUndefined, trim_blocks, lstrip_blocks, no autoescape), on top of
// github.com/nikolalohinski/gonja/v2.
//
// gonja follows Go's rules where Jinja follows Python's, so it is wrapped
// rather than used as is:
//   - values cross the boundary in convert.go: bora's ordered *value.Map
//     becomes gonja's ordered *exec.Dict, int64 gonja's int, and back;
//   - the parsed tree is rewritten (rewrite.go): arithmetic, comparison,
//     ~ and "in" call hidden globals with Python's semantics (pyops.go:
//     floor division, int ** int, TypeErrors for 'a' + 1 or 1 < 'a', printf
//     %-formatting), attribute and item lookups call hidden globals with
//     Jinja's rules and messages (x.items on a dict is the method; strings
//     index by character), and every {{ }} of a template prints Python
//     str() (None, True, {'k': 'v'} in insertion order);
//   - gonja filters and tests that differ are replaced (overrides.go:
//     default, round, tojson, string, items, format, reverse, dictsort,
//     defined/undefined/none) and so are the dict methods (dictmethods.go);
//   - lstrip_blocks is applied to the source before lexing (lstrip.go):
//     gonja's strips whitespace after text too;
//   - range() returns a bounded list (gonja's leaks a goroutine when not
//     read to its end), and include/import/extends load nothing.
//
// Functions (Mistral's env, task, json_dump ...) are registered both as
// globals bound to the evaluation's data and as filters whose piped value
// takes the data's place, as Mistral registers them.
//
// Deliberate differences from Mistral's Jinja:
//   - integers are 64-bit: an overflowing result is an OverflowError
//     (Python's are unbounded), and a *big.Int in the data becomes a float;
//   - range(), repeated strings/lists and rendered output are bounded
//     (Options), and the context's deadline is checked at every operator
//     and output write; Mistral bounds nothing;
//   - x.items / x.keys / x.get ... of a dict, used as a value, fail at
//     once with a message pointing at x['items'] (Jinja yields the bound
//     method and fails where it is used, with a less helpful message);
//   - dict methods that mutate (pop, update, setdefault, clear, popitem)
//     are not available; keys, values, items, get and copy are;
//   - there is no Python object model, so __class__ and friends are
//     undefined attributes (UndefinedError) rather than a SecurityError;
//   - lists and tuples are one type, so "%s" % [1, 2] spreads the list
//     like a tuple; dict keys that are not strings become their str();
//   - keyword arguments reach gonja as a Go map, so dict(b=1, a=2) has
//     its keys sorted (dict literals {'b': 1, 'a': 2} keep their order);
//   - error messages copy Python's for undefined names and attributes,
//     type errors and division by zero; other errors keep gonja's wording;
//   - gonja filters no vector exercises (wordwrap, truncate, urlize,
//     filesizeformat, pprint, xmlattr, ...) are used as gonja has them.
package jinja
