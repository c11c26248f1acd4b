package jinja

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
	"github.com/nikolalohinski/gonja/v2/nodes"
)

// templateName is the identifier of every parsed source; nothing else can
// be loaded (see sourceLoader).
const templateName = "/template"

// sourceLoader serves the one template being parsed and refuses everything
// else: Mistral's environment has no loader, so {% include %}, {% import %}
// and {% extends %} cannot read files.
type sourceLoader struct{ src string }

var errNoLoader = errors.New("templates cannot include, import or extend other templates")

func (l sourceLoader) Read(path string) (io.Reader, error) {
	if path == templateName {
		return strings.NewReader(l.src), nil
	}
	return nil, errNoLoader
}

func (l sourceLoader) Resolve(path string) (string, error) { return path, nil }

func (l sourceLoader) Inherit(string) (loaders.Loader, error) { return emptyLoader{}, nil }

// emptyLoader is the loader of evaluations: it loads nothing.
type emptyLoader struct{}

func (emptyLoader) Read(string) (io.Reader, error)         { return nil, errNoLoader }
func (emptyLoader) Resolve(path string) (string, error)    { return path, nil }
func (emptyLoader) Inherit(string) (loaders.Loader, error) { return emptyLoader{}, nil }

// parseEnvironment is what gonja's parser needs of an environment: the
// control structures ({% if %}, {% for %} ...).
func parseEnvironment() *exec.Environment {
	return &exec.Environment{
		Context:           exec.EmptyContext(),
		Filters:           exec.NewFilterSet(map[string]exec.FilterFunction{}),
		Tests:             exec.NewTestSet(map[string]exec.TestFunction{}),
		ControlStructures: builtins.ControlStructures,
		Methods:           builtins.Methods,
	}
}

func parseTemplate(src string) (t *exec.Template, err error) {
	defer guard(&err)
	t, err = exec.NewTemplate(templateName, newConfig(), sourceLoader{lstripBlocks(src)}, parseEnvironment())
	if err != nil {
		return nil, cleanError(err)
	}
	return t, nil
}

// Template is a parsed Jinja template (Mistral's template mode).
type Template struct {
	t *exec.Template
}

// ParseTemplate parses a template; its {{ }} print Python str() of their
// values and its operators follow Python's rules.
func ParseTemplate(src string) (*Template, error) {
	t, err := parseTemplate(src)
	if err != nil {
		return nil, err
	}
	if err := rewriteTemplate(t.Root()); err != nil {
		return nil, err
	}
	return &Template{t: t}, nil
}

func (t *Template) execute(env *exec.Environment, w io.Writer) error {
	return exec.NewRenderer(env, w, newConfig(), emptyLoader{}, t.t).Execute()
}

// Expr is a parsed Jinja expression (Mistral's expression mode: the inside
// of a {{ }} that is the whole string).
type Expr struct {
	expr, cond, alt nodes.Expression
}

// ParseExpression parses the text between {{ and }}.
func ParseExpression(src string) (*Expr, error) {
	if strings.TrimSpace(src) == "" {
		return nil, errors.New("expected an expression, got nothing")
	}
	t, err := parseTemplate("{{" + src + "}}")
	if err != nil {
		return nil, err
	}
	root := t.Root()
	if len(root.Nodes) != 1 {
		return nil, fmt.Errorf("%q is not one expression", src)
	}
	out, ok := root.Nodes[0].(*nodes.Output)
	if !ok {
		return nil, fmt.Errorf("%q is not one expression", src)
	}
	r := newRewriter()
	x := &Expr{expr: r.expr(out.Expression)}
	if out.Condition != nil {
		x.cond = r.expr(out.Condition)
	}
	if out.Alternative != nil {
		x.alt = r.expr(out.Alternative)
	}
	if r.err != nil {
		return nil, r.err
	}
	return x, nil
}

// eval evaluates the expression, including a trailing "if c else a".
func (x *Expr) eval(ev *exec.Evaluator) *exec.Value {
	if x.cond != nil {
		c := ev.Eval(x.cond)
		if c.IsError() {
			return c
		}
		if !truthy(c) {
			if x.alt == nil {
				// Jinja yields an Undefined here, which StrictUndefined
				// turns into an error as soon as it is used.
				return exec.AsValue(errNoElse)
			}
			return ev.Eval(x.alt)
		}
	}
	return ev.Eval(x.expr)
}
