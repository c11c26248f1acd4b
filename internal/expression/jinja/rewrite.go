package jinja

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unsafe"

	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// gonja's own operators follow Go's rules (-7 // 2 is -3, 'a' + 5 is
// "a5", 1 < "a" is true). Rather than fork it, the parsed tree is
// rewritten: every arithmetic or ordering operator becomes a call to a
// hidden global implementing Python's rule (pyops.go), and every {{ }} of a
// template gets a hidden filter printing Python str() (None, True, ordered
// dicts). The hidden names contain a space, which no template can spell.

// opGlobals maps gonja operator tokens to the hidden globals.
var opGlobals = map[tokens.Type]string{
	tokens.Addition:           "bora op +",
	tokens.Subtraction:        "bora op -",
	tokens.Multiply:           "bora op *",
	tokens.Division:           "bora op /",
	tokens.FloorDivision:      "bora op //",
	tokens.Modulo:             "bora op %",
	tokens.Power:              "bora op **",
	tokens.LowerThan:          "bora op <",
	tokens.LowerThanOrEqual:   "bora op <=",
	tokens.GreaterThan:        "bora op >",
	tokens.GreaterThanOrEqual: "bora op >=",
	tokens.Equals:             "bora op ==",
	tokens.Ne:                 "bora op !=",
	tokens.In:                 "bora op in",
	tokens.Tilde:              "bora op ~",
}

// strFilter is the hidden filter every template {{ }} prints through.
const strFilter = "bora str"

// getattrGlobal resolves x.name the way Jinja does (getattr, then [name]):
// so on a dict, x.items is the method, not the key; and getitemGlobal
// resolves x[key] (x[name] first, then getattr), indexing strings by
// character. Both fail with Jinja's UndefinedError messages.
const (
	getattrGlobal   = "bora getattr"
	getitemGlobal   = "bora getitem"
	undefinedGlobal = "bora undefined"
	tickGlobal      = "bora tick"
)

// dictMethods are Python dict's public methods.
var dictMethods = map[string]bool{
	"clear": true, "copy": true, "fromkeys": true, "get": true, "items": true, "keys": true,
	"pop": true, "popitem": true, "setdefault": true, "update": true, "values": true,
}

type rewriter struct {
	// err is the first malformed node found: gonja's parser accepts a few
	// incomplete expressions ("{{ in x }}") that Jinja rejects and that
	// would crash gonja's evaluator.
	err error
	// done remembers rewritten nodes: gonja shares some nodes between two
	// parents (a method call's Parent and its Func), and walking a node
	// twice would wrap it twice.
	done map[nodes.Node]nodes.Node
}

func newRewriter() *rewriter { return &rewriter{done: map[nodes.Node]nodes.Node{}} }

func rewriteTemplate(t *nodes.Template) error {
	r := newRewriter()
	for i, n := range t.Nodes {
		t.Nodes[i] = r.node(n)
	}
	return r.err
}

// missing records an operand the parser left out.
func (r *rewriter) missing(at *tokens.Token) {
	if r.err != nil {
		return
	}
	if at == nil {
		r.err = errors.New("syntax error: incomplete expression")
		return
	}
	r.err = fmt.Errorf("syntax error: incomplete expression at %q (line %d, column %d)", at.Val, at.Line, at.Col)
}

func (r *rewriter) expr(n nodes.Expression) nodes.Expression {
	if n == nil {
		return nil
	}
	return r.node(n)
}

func (r *rewriter) node(n nodes.Node) nodes.Node {
	if n == nil {
		return nil
	}
	if out, ok := r.done[n]; ok {
		return out
	}
	out := r.rewrite(n)
	r.done[n] = out
	return out
}

func (r *rewriter) rewrite(n nodes.Node) nodes.Node {
	switch t := n.(type) {
	case *nodes.Output:
		t.Expression = printed(r.expr(t.Expression))
		t.Condition = r.expr(t.Condition)
		if t.Alternative != nil {
			t.Alternative = printed(r.expr(t.Alternative))
		} else if t.Condition != nil {
			// "x if c" without else is Undefined when c is false, which
			// StrictUndefined refuses to print; gonja prints nothing.
			t.Alternative = hiddenCall(undefinedGlobal, t.Start)
		}
		return t
	case *nodes.BinaryExpression:
		if t.Left == nil || t.Right == nil {
			r.missing(t.Operator.Token)
			return t
		}
		t.Left = r.expr(t.Left)
		t.Right = r.expr(t.Right)
		if name, ok := opGlobals[t.Operator.Token.Type]; ok {
			return hiddenCall(name, t.Operator.Token, t.Left, t.Right)
		}
		return t
	case *nodes.Call:
		// A method call (x.items()) keeps its GetAttribute: gonja resolves
		// methods from it.
		if ga, ok := t.Func.(*nodes.GetAttribute); ok {
			ga.Node = r.node(ga.Node)
		} else {
			t.Func = r.node(t.Func)
		}
		t.Parent = r.node(t.Parent)
		for i := range t.Args {
			t.Args[i] = r.expr(t.Args[i])
		}
		for k, v := range t.Kwargs {
			t.Kwargs[k] = r.expr(v)
		}
		return t
	case *nodes.GetAttribute:
		t.Node = r.node(t.Node)
		if t.Attribute != "" {
			return hiddenCall(getattrGlobal, t.Location, t.Node, &nodes.String{Location: t.Location, Val: t.Attribute})
		}
		return t
	case *nodes.GetItem:
		t.Node = r.node(t.Node)
		if t.Arg != nil {
			return hiddenCall(getitemGlobal, t.Location, t.Node, r.node(t.Arg))
		}
		return t
	case *nodes.TestExpression:
		if t.Expression == nil || t.Test == nil {
			var at *tokens.Token
			if t.Test != nil {
				at = t.Test.Token
			}
			r.missing(at)
			return t
		}
	case *nodes.UnaryExpression:
		if t.Term == nil {
			r.missing(t.Operator)
			return t
		}
	case *nodes.Negation:
		if t.Term == nil {
			r.missing(t.Operator)
			return t
		}
	case *nodes.FilteredExpression:
		if t.Expression == nil {
			r.missing(nil)
			return t
		}
	case *nodes.Wrapper:
		// A block body ({% for %}, {% if %}, {% macro %} ...) first calls
		// the hidden tick, which prints nothing but stops the render once
		// its context ends: an empty nested loop has no operator and no
		// output where the deadline would otherwise be seen.
		r.fields(reflect.ValueOf(n))
		tick := &nodes.Output{Start: t.Location, Expression: hiddenCall(tickGlobal, t.Location), End: t.Location}
		t.Nodes = append([]nodes.Node{tick}, t.Nodes...)
		return t
	}
	r.fields(reflect.ValueOf(n))
	return n
}

// printed wraps e in the hidden Python str() filter.
func printed(e nodes.Expression) nodes.Expression {
	if e == nil {
		return nil
	}
	return &nodes.FilteredExpression{Expression: e, Filters: []*nodes.FilterCall{{Name: strFilter}}}
}

func hiddenCall(name string, at *tokens.Token, args ...nodes.Expression) nodes.Expression {
	tok := &tokens.Token{Type: tokens.Name, Val: name}
	if at != nil {
		tok.Pos, tok.Line, tok.Col = at.Pos, at.Line, at.Col
	}
	return &nodes.Call{Location: tok, Func: &nodes.Name{Name: tok}, Args: args, Kwargs: map[string]nodes.Expression{}}
}

var (
	nodeType    = reflect.TypeFor[nodes.Node]()
	exprType    = reflect.TypeFor[nodes.Expression]()
	csType      = reflect.TypeFor[nodes.ControlStructure]()
	tokenPtr    = reflect.TypeFor[*tokens.Token]()
	templatePtr = reflect.TypeFor[*nodes.Template]()
)

// nodePackages are where the structs the rewriter may walk into are
// declared: gonja's AST and its control structures. Nothing else (a
// renderer, a loader) is ever entered.
var nodePackages = []string{
	"github.com/nikolalohinski/gonja/v2/nodes",
	"github.com/nikolalohinski/gonja/v2/builtins/control_structures",
}

func isNodeStruct(t reflect.Type) bool {
	for _, p := range nodePackages {
		if strings.HasPrefix(t.PkgPath(), p) {
			return true
		}
	}
	return false
}

// fields rewrites the node-valued fields of any other node (control
// structures included: {% if %} conditions, {% for %} iterables and
// bodies, {% set %} values). Some control structures keep their
// expressions in unexported fields; those are reached through unsafe,
// because the alternative, forking gonja, would leave {% set x = a // b %}
// with Go's arithmetic.
func (r *rewriter) fields(v reflect.Value) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct || !isNodeStruct(v.Type()) || !v.CanAddr() {
		return
	}
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() {
			f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
		}
		r.value(f)
	}
}

// value rewrites a field, slice element or map value in place.
func (r *rewriter) value(f reflect.Value) {
	switch {
	case f.Type() == tokenPtr || f.Type() == templatePtr:
		return
	case f.Kind() == reflect.Interface && (f.Type() == nodeType || f.Type() == exprType || f.Type() == csType):
		if f.IsNil() || !f.CanSet() {
			return
		}
		n, ok := f.Interface().(nodes.Node)
		if !ok {
			return
		}
		out := r.node(n)
		if out != n {
			f.Set(reflect.ValueOf(out))
		}
	case f.Kind() == reflect.Pointer:
		if f.IsNil() {
			return
		}
		if n, ok := f.Interface().(nodes.Node); ok {
			if _, seen := r.done[n]; seen {
				return
			}
			r.done[n] = n
			out := r.rewrite(n)
			if out != n && f.CanSet() && reflect.TypeOf(out).AssignableTo(f.Type()) {
				f.Set(reflect.ValueOf(out))
			}
			return
		}
		r.fields(f)
	case f.Kind() == reflect.Slice:
		for i := 0; i < f.Len(); i++ {
			r.value(f.Index(i))
		}
	case f.Kind() == reflect.Map:
		if f.Type().Elem() != exprType && f.Type().Elem() != nodeType {
			return
		}
		for _, k := range f.MapKeys() {
			item := f.MapIndex(k)
			if item.IsNil() {
				continue
			}
			if n, ok := item.Interface().(nodes.Node); ok {
				f.SetMapIndex(k, reflect.ValueOf(r.node(n)))
			}
		}
	case f.Kind() == reflect.Struct:
		r.fields(f)
	}
}
