package jinja

import (
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/bora-workflow/bora/internal/value"
)

// installOverrides replaces the gonja globals, filters and tests whose
// behaviour differs from Jinja2's (as Mistral configures it) in ways
// workflows can see, and adds the hidden globals of rewrite.go.
func (e *Engine) installOverrides() {
	for name, op := range e.operators() {
		e.globals.Set(name, op)
	}
	e.globals.Set(getattrGlobal, hiddenGetattr)
	e.globals.Set(getitemGlobal, hiddenGetitem)
	e.globals.Set(undefinedGlobal, func(ev *exec.Evaluator, _ *exec.VarArgs) (*exec.Value, error) {
		return nil, stateOf(ev).raise(errNoElse)
	})
	e.globals.Set(tickGlobal, func(ev *exec.Evaluator, _ *exec.VarArgs) (*exec.Value, error) {
		st := stateOf(ev)
		if err := st.ctx.Err(); err != nil {
			return nil, st.raise(err)
		}
		return exec.AsValue(""), nil
	})
	e.globals.Set("range", e.rangeGlobal)
	e.setFilter(strFilter, filterPyStr)
	e.setFilter("string", filterPyStr)
	e.setFilter("default", filterDefault)
	e.setFilter("d", filterDefault)
	e.setFilter("round", filterRound)
	e.setFilter("tojson", filterToJSON)
	e.setFilter("items", filterItems)
	e.setFilter("format", filterFormat)
	e.setFilter("reverse", filterReverse)
	e.setFilter("dictsort", filterDictSort)
	e.setTest("defined", func(_ *exec.Context, in *exec.Value, _ *exec.VarArgs) (bool, error) { return !isUndefined(in), nil })
	e.setTest("undefined", func(_ *exec.Context, in *exec.Value, _ *exec.VarArgs) (bool, error) { return isUndefined(in), nil })
	e.setTest("none", func(_ *exec.Context, in *exec.Value, _ *exec.VarArgs) (bool, error) {
		return !in.IsError() && in.IsNil(), nil
	})
}

// isUndefined: gonja has no Undefined value; with StrictUndefined a missing
// name, attribute or item evaluates to one of its own (non-Python) errors.
// None is defined, unlike in gonja.
func isUndefined(v *exec.Value) bool {
	if !v.IsError() {
		return false
	}
	err := v.Interface().(error)
	var pe *PyError
	if errors.As(err, &pe) {
		return pe.Kind == "UndefinedError"
	}
	// gonja flattens errors from functions into text; its own undefined
	// errors say "not found" or "Unable to evaluate name".
	msg := err.Error()
	return strings.Contains(msg, "UndefinedError") || strings.Contains(msg, "Unable to evaluate name") || strings.Contains(msg, "not found")
}

// hiddenGetattr is Jinja's x.name: getattr first (on a dict the Python
// methods items, keys, get ... win over keys of that name), then x[name].
func hiddenGetattr(e *exec.Evaluator, va *exec.VarArgs) (*exec.Value, error) {
	v, err := getattr(va)
	return v, stateOf(e).raise(err)
}

func getattr(va *exec.VarArgs) (*exec.Value, error) {
	obj, name := va.Args[0], va.Args[1].String()
	switch typeOf(obj) {
	case pyDict:
		if dictMethods[name] {
			return nil, boundMethodError(name)
		}
		if v, ok := dictLookup(dictOf(obj), va.Args[1]); ok {
			return v, nil
		}
	case pyNone:
		return nil, undefinedError("'None' has no attribute '%s'", name)
	case pyList, pyInt, pyFloat, pyBool:
	default:
		if v, ok := obj.GetAttribute(name); ok {
			return v, nil
		}
		if v, ok := obj.GetItem(name); ok {
			return v, nil
		}
	}
	return nil, undefinedError("'%s object' has no attribute '%s'", pyTypeName(obj), name)
}

// hiddenGetitem is Jinja's x[key]: x[key] first, then getattr for a string
// key; negative indexes count from the end; strings index by character.
func hiddenGetitem(e *exec.Evaluator, va *exec.VarArgs) (*exec.Value, error) {
	v, err := getitem(va)
	return v, stateOf(e).raise(err)
}

func getitem(va *exec.VarArgs) (*exec.Value, error) {
	obj, key := va.Args[0], va.Args[1]
	switch typeOf(obj) {
	case pyDict:
		if v, ok := dictLookup(dictOf(obj), key); ok {
			return v, nil
		}
		if typeOf(key) == pyStr && dictMethods[key.String()] {
			return nil, boundMethodError(key.String())
		}
		return nil, undefinedError("'%s object' has no attribute %s", pyTypeName(obj), pyRepr(key))
	case pyList, pyStr:
		if typeOf(key) != pyInt && typeOf(key) != pyBool {
			if typeOf(key) == pyStr {
				return nil, undefinedError("'%s object' has no attribute %s", pyTypeName(obj), pyRepr(key))
			}
			return nil, typeError("%s indices must be integers or slices, not %s", pyTypeName(obj), pyTypeName(key))
		}
		i := asInt(key)
		if typeOf(obj) == pyStr {
			r := []rune(obj.String())
			if i < 0 {
				i += len(r)
			}
			if i < 0 || i >= len(r) {
				return nil, undefinedError("str object has no element %d", asInt(key))
			}
			return exec.AsValue(string(r[i])), nil
		}
		items := listItems(obj)
		if i < 0 {
			i += len(items)
		}
		if i < 0 || i >= len(items) {
			return nil, undefinedError("list object has no element %d", asInt(key))
		}
		return items[i], nil
	case pyNone:
		return nil, undefinedError("'None' has no attribute %s", pyRepr(key))
	}
	var k any = key.Interface()
	if typeOf(key) == pyInt {
		k = key.Integer()
	}
	if v, ok := obj.GetItem(k); ok {
		return v, nil
	}
	if typeOf(key) == pyStr {
		if v, ok := obj.GetAttribute(key.String()); ok {
			return v, nil
		}
	}
	return nil, undefinedError("%s object has no element %s", pyTypeName(obj), pyRepr(key))
}

func pyRepr(v *exec.Value) string {
	x, err := fromGonja(v)
	if err != nil {
		return v.String()
	}
	return value.PyRepr(x)
}

// boundMethodError is what using x.items (x.keys, x.get ...) of a dict as
// a value gives. In Jinja it is the bound method, which no filter, loop or
// JSON result can use, so every use fails there too; bora fails at once and
// says how to reach the key.
func boundMethodError(name string) error {
	return typeError("'builtin_function_or_method' object: on a dict, .%s is the dict method, not the key (write ['%s'] for the key)", name, name)
}

// rangeGlobal is Python's range() as a list, bounded by the iteration
// limit (gonja's feeds a channel from a goroutine that leaks when the
// range is not read to its end).
func (e *Engine) rangeGlobal(ev *exec.Evaluator, va *exec.VarArgs) (*exec.Value, error) {
	v, err := e.pyRange(va)
	return v, stateOf(ev).raise(err)
}

func (e *Engine) pyRange(va *exec.VarArgs) (*exec.Value, error) {
	var start, stop, step = 0, 0, 1
	for _, a := range va.Args {
		if typeOf(a) != pyInt && typeOf(a) != pyBool {
			return nil, typeError("'%s' object cannot be interpreted as an integer", pyTypeName(a))
		}
	}
	switch len(va.Args) {
	case 1:
		stop = asInt(va.Args[0])
	case 2:
		start, stop = asInt(va.Args[0]), asInt(va.Args[1])
	case 3:
		start, stop, step = asInt(va.Args[0]), asInt(va.Args[1]), asInt(va.Args[2])
	default:
		return nil, typeError("range expected 1 to 3 arguments, got %d", len(va.Args))
	}
	if step == 0 {
		return nil, valueError("range() arg 3 must not be zero")
	}
	var out []any
	for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
		if len(out) >= e.limit {
			return nil, limitError("range() length", e.limit)
		}
		out = append(out, i)
	}
	if out == nil {
		out = []any{}
	}
	return exec.AsValue(out), nil
}

// filterPyStr is Python's str(): None, True, 2.0, ['a'], {'k': 'v'} with
// dicts in insertion order.
func filterPyStr(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	v, err := fromGonja(in)
	if err != nil {
		return exec.AsValue(err)
	}
	return exec.AsValue(value.PyStr(v))
}

// filterDefault is Jinja's default(value, default_value, boolean=False),
// default_value being the empty string when not given: only an undefined
// value (or, with boolean, a false one) is replaced; None is kept.
func filterDefault(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	def := exec.AsValue("")
	if len(params.Args) > 0 {
		def = params.Args[0]
	} else if v, ok := params.KwArgs["default_value"]; ok {
		def = v
	}
	boolean := false
	if len(params.Args) > 1 {
		boolean = truthy(params.Args[1])
	} else if v, ok := params.KwArgs["boolean"]; ok {
		boolean = truthy(v)
	}
	if in.IsError() {
		if isUndefined(in) {
			return def
		}
		return in
	}
	if boolean && !truthy(in) {
		return def
	}
	return in
}

// filterRound is Jinja's round(value, precision=0, method='common'):
// "common" is Python's round(), half to even on the exact binary value;
// an int stays an int.
func filterRound(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	precision := 0
	if len(params.Args) > 0 {
		precision = asInt(params.Args[0])
	} else if v, ok := params.KwArgs["precision"]; ok {
		precision = asInt(v)
	}
	method := "common"
	if len(params.Args) > 1 {
		method = params.Args[1].String()
	} else if v, ok := params.KwArgs["method"]; ok {
		method = v.String()
	}
	if !isNumber(in) {
		return exec.AsValue(typeError("type %s doesn't define __round__ method", pyTypeName(in)))
	}
	if typeOf(in) != pyFloat && method == "common" && precision >= 0 {
		return exec.AsValue(asInt(in))
	}
	x := asFloat(in)
	scale := math.Pow(10, float64(precision))
	switch method {
	case "common":
		if precision < 0 || math.IsInf(x, 0) || math.IsNaN(x) {
			return exec.AsValue(math.RoundToEven(x*scale) / scale)
		}
		// FormatFloat rounds the exact binary value half to even, as
		// Python's correctly rounded round() does.
		r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', precision, 64), 64)
		return exec.AsValue(r)
	case "ceil":
		return exec.AsValue(math.Ceil(x*scale) / scale)
	case "floor":
		return exec.AsValue(math.Floor(x*scale) / scale)
	}
	return exec.AsValue(typeError("method must be common, ceil or floor"))
}

// filterToJSON is Jinja's tojson: json.dumps with sort_keys=True and
// Python's separators, ASCII-only, with <, >, & and ' escaped for HTML.
func filterToJSON(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	v, err := fromGonja(in)
	if err != nil {
		return exec.AsValue(err)
	}
	b, err := value.EncodePython(sortKeys(v))
	if err != nil {
		return exec.AsValue(typeError("Object is not JSON serializable: %v", err))
	}
	var out strings.Builder
	for _, r := range string(b) {
		switch {
		case r == '<' || r == '>' || r == '&' || r == '\'':
			out.WriteString(`\u00` + strconv.FormatInt(int64(r), 16))
		case r > 0x7e:
			for _, u := range utf16.Encode([]rune{r}) {
				s := strconv.FormatInt(int64(u), 16)
				out.WriteString(`\u` + strings.Repeat("0", 4-len(s)) + s)
			}
		default:
			out.WriteRune(r)
		}
	}
	return exec.AsSafeValue(out.String())
}

func sortKeys(v any) any {
	switch t := v.(type) {
	case *value.Map:
		out := value.NewMap(t.Len())
		for _, k := range t.SortedKeys() {
			item, _ := t.Get(k)
			out.Set(k, sortKeys(item))
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, item := range t {
			out[i] = sortKeys(item)
		}
		return out
	}
	return v
}

// filterItems is Jinja 3.1's items(): (key, value) pairs of a mapping.
func filterItems(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		if isUndefined(in) {
			return exec.AsValue([]any{})
		}
		return in
	}
	if typeOf(in) != pyDict {
		return exec.AsValue(typeError("Can only get item pairs from a mapping."))
	}
	d := dictOf(in)
	out := make([]any, len(d.Pairs))
	for i, p := range d.Pairs {
		out[i] = []any{p.Key, p.Value}
	}
	return exec.AsValue(out)
}

// filterFormat is Jinja's format: value % args.
func filterFormat(ev *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	if len(params.KwArgs) > 0 && len(params.Args) > 0 {
		return exec.AsValue(typeError("can't handle positional and keyword arguments at the same time"))
	}
	var arg *exec.Value
	if len(params.KwArgs) > 0 {
		d := &exec.Dict{}
		keys := make([]string, 0, len(params.KwArgs))
		for k := range params.KwArgs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			d.Pairs = append(d.Pairs, &exec.Pair{Key: exec.AsValue(k), Value: params.KwArgs[k]})
		}
		arg = exec.AsValue(d)
	} else {
		items := make([]any, len(params.Args))
		for i, a := range params.Args {
			items[i] = a
		}
		arg = exec.AsValue(items)
	}
	r, err := percentFormat(stateOf(ev), in.String(), arg)
	if err != nil {
		return exec.AsValue(err)
	}
	return exec.AsValue(r)
}

// filterReverse is Jinja's reverse: a reversed string, or the items of a
// list (keys of a dict) in reverse order. gonja's sorts lists first.
func filterReverse(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	var items []*exec.Value
	switch typeOf(in) {
	case pyStr:
		r := []rune(in.String())
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return exec.AsValue(string(r))
	case pyList:
		items = listItems(in)
	case pyDict:
		for _, p := range dictOf(in).Pairs {
			items = append(items, p.Key)
		}
	default:
		return exec.AsValue(typeError("argument to reversed() must be a sequence"))
	}
	out := make([]any, len(items))
	for i, v := range items {
		out[len(items)-1-i] = v
	}
	return exec.AsValue(out)
}

// filterDictSort is Jinja's dictsort(value, case_sensitive=False,
// by='key', reverse=False): the (key, value) pairs, sorted.
func filterDictSort(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	if typeOf(in) != pyDict {
		return exec.AsValue(typeError("dictsort needs a mapping, not %s", pyTypeName(in)))
	}
	arg := func(i int, name string, def *exec.Value) *exec.Value {
		if i < len(params.Args) {
			return params.Args[i]
		}
		if v, ok := params.KwArgs[name]; ok {
			return v
		}
		return def
	}
	caseSensitive := truthy(arg(0, "case_sensitive", exec.AsValue(false)))
	by := arg(1, "by", exec.AsValue("key")).String()
	reverse := truthy(arg(2, "reverse", exec.AsValue(false)))
	idx := 0
	switch by {
	case "key":
	case "value":
		idx = 1
	default:
		return exec.AsValue(valueError("You can only sort by either 'key' or 'value'"))
	}
	pairs := append([]*exec.Pair(nil), dictOf(in).Pairs...)
	sortKey := func(p *exec.Pair) *exec.Value {
		v := p.Key
		if idx == 1 {
			v = p.Value
		}
		if !caseSensitive && typeOf(v) == pyStr {
			return exec.AsValue(strings.ToLower(v.String()))
		}
		return v
	}
	var sortErr error
	sort.SliceStable(pairs, func(i, j int) bool {
		c, err := pyCompare("<", sortKey(pairs[i]), sortKey(pairs[j]))
		if err != nil && sortErr == nil {
			sortErr = err
		}
		if reverse {
			return c > 0
		}
		return c < 0
	})
	if sortErr != nil {
		return exec.AsValue(sortErr)
	}
	out := make([]any, len(pairs))
	for i, p := range pairs {
		out[i] = []any{p.Key, p.Value}
	}
	return exec.AsValue(out)
}
