package yaql

import (
	"github.com/bora-workflow/bora/internal/value"
)

// eval evaluates one node in scope s.
func (st *evalState) eval(n node, s *scope) (any, error) {
	switch t := n.(type) {
	case *constNode:
		return t.val, nil
	case *keywordNode:
		return t.name, nil
	case *varNode:
		v, _ := s.get(t.name) // an undefined variable is null in yaql
		return v, nil
	case *callNode:
		v, err := st.callFunction(t.name, t.args, s, nil, false, t.pos)
		return v, withPos(err, t.pos)
	case *listNode:
		return st.evalList(t, s)
	case *mapNode:
		return st.evalMap(t, s)
	case *indexNode:
		return st.evalIndex(t, s)
	case *binaryNode:
		v, err := st.evalBinary(t, s)
		return v, withPos(err, t.pos)
	case *unaryNode:
		v, err := st.eval(t.operand, s)
		if err != nil {
			return nil, err
		}
		r, err := unaryOp(t.op, v)
		return r, withPos(err, t.pos)
	}
	return nil, errf(KindGrammar, "unknown expression node %T", n)
}

func (st *evalState) evalList(t *listNode, s *scope) (any, error) {
	out := make([]any, 0, len(t.args))
	for _, a := range t.args {
		if a.key != nil || a.skipped {
			return nil, newError(KindNoMatchingFunc, t.pos, "a list literal takes only values, not key => value pairs or empty slots")
		}
		v, err := st.eval(a.value, s)
		if err != nil {
			return nil, err
		}
		if err := st.checkValue(v); err != nil {
			return nil, withPos(err, a.value.position())
		}
		out = append(out, v)
	}
	return out, nil
}

func (st *evalState) evalMap(t *mapNode, s *scope) (any, error) {
	m := value.NewMap(len(t.args))
	for _, a := range t.args {
		if a.key == nil {
			return nil, newError(KindNoMatchingFunc, t.pos, "a dict literal takes key => value pairs")
		}
		k, err := st.eval(a.key, s)
		if err != nil {
			return nil, err
		}
		v, err := st.eval(a.value, s)
		if err != nil {
			return nil, err
		}
		key, err := resolveKey(m, k)
		if err != nil {
			return nil, withPos(err, a.key.position())
		}
		m.Set(key, v)
	}
	return m, nil
}

// checkValue rejects storing values that cannot live in a collection
// (contexts from let/with).
func (st *evalState) checkValue(v any) error {
	if _, ok := v.(*contextValue); ok {
		return errf(KindNoMatchingFunc, "a context (from let/with/def) can only be used on the left of ->")
	}
	return nil
}

func (st *evalState) evalIndex(t *indexNode, s *scope) (any, error) {
	target, err := st.eval(t.target, s)
	if err != nil {
		return nil, err
	}
	args := make([]any, 0, len(t.args))
	for i, a := range t.args {
		if kw, ok := a.key.(*keywordNode); ok && i == 1 && kw.name == "default" {
			a.key = nil // x[key, default => d] names the second parameter
		}
		if a.key != nil || a.skipped {
			return nil, newError(KindNoMatchingFunc, t.pos, "an indexer takes a key and an optional default")
		}
		v, err := st.eval(a.value, s)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	r, err := st.index(target, args)
	return r, withPos(err, t.pos)
}

func (st *evalState) evalBinary(t *binaryNode, s *scope) (any, error) {
	switch t.op {
	case "and", "or":
		l, err := st.eval(t.left, s)
		if err != nil {
			return nil, err
		}
		if truthy(l) == (t.op == "or") {
			return l, nil
		}
		return st.eval(t.right, s)
	case "->":
		l, err := st.eval(t.left, s)
		if err != nil {
			return nil, err
		}
		cv, ok := l.(*contextValue)
		if !ok {
			return nil, errf(KindNoMatchingFunc, "the left side of -> must be let(), with(), def() or unpack(), not a %s", typeName(l))
		}
		return st.eval(t.right, cv.s)
	case ".", "?.":
		recv, err := st.eval(t.left, s)
		if err != nil {
			return nil, err
		}
		if t.op == "?." && recv == nil {
			return nil, nil
		}
		return st.dot(recv, t.right, s)
	}
	if err := constantMismatch(t); err != nil {
		return nil, err
	}
	l, err := st.eval(t.left, s)
	if err != nil {
		return nil, err
	}
	r, err := st.eval(t.right, s)
	if err != nil {
		return nil, err
	}
	return st.binaryOp(t.op, l, r)
}

// constantMismatch fails an operator whose literal operand no overload
// accepts (1 / null, x + true) before evaluating the other operand: yaql
// checks constant arguments first, so that is the error it reports even
// when the other operand would fail too.
func constantMismatch(t *binaryNode) error {
	for i, side := range []node{t.left, t.right} {
		c, ok := side.(*constNode)
		if !ok || c.wrapped {
			continue
		}
		v := c.val
		_, isBool := v.(bool)
		_, isStr := v.(string)
		bad := false
		switch t.op {
		case "+":
			bad = v == nil || isBool
		case "-", "/", "mod":
			bad = v == nil || isBool || isStr
		case "*":
			bad = v == nil
		case "=~", "!~":
			bad = !isStr
		case "in":
			bad = i == 1 && !isStr
		}
		if bad {
			return errf(KindNoMatchingFunc, "operator %s cannot be applied to %s", t.op, typeName(v))
		}
	}
	return nil
}

// dot applies the '.' operator: a method call, a dict key / attribute, or
// any other expression evaluated with $ bound to the receiver.
func (st *evalState) dot(recv any, right node, s *scope) (any, error) {
	switch r := right.(type) {
	case *callNode:
		v, err := st.callFunction(r.name, r.args, s, recv, true, r.pos)
		return v, withPos(err, r.pos)
	case *keywordNode:
		v, err := st.attribute(recv, r.name)
		return v, withPos(err, r.pos)
	}
	return nil, errf(KindNoMatchingFunc, "the right side of '.' must be a name or a method call")
}

// attribute is receiver.name: a dict key (KeyError when missing), or the
// attribute of every element of a collection.
func (st *evalState) attribute(recv any, name string) (any, error) {
	switch t := recv.(type) {
	case *value.Map:
		v, ok := t.Get(name)
		if !ok {
			return nil, errf(KindKey, "key %q not found", name)
		}
		return v, nil
	case []any, *Set, *Seq:
		return st.lazyMap(t, func(e any) (any, error) { return st.attribute(e, name) })
	}
	if v, ok := dateTimeProperty(recv, name); ok {
		return v, nil
	}
	return nil, errf(KindNoFunction, "%s has no attribute %q (no function #property#%s)", typeName(recv), name, name)
}
