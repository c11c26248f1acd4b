package expression

import (
	"context"
	"strings"

	"github.com/bora-workflow/bora/internal/expression/jinja"
)

// jinjaLanguage is Mistral's InlineJinjaEvaluator: {{ }} and {% %}.
type jinjaLanguage struct {
	engine    *jinja.Engine
	exprs     *parseCache[*jinja.Expr]
	templates *parseCache[*jinja.Template]
}

func newJinja(opts Options) *jinjaLanguage {
	return &jinjaLanguage{
		engine:    jinja.NewEngine(jinja.Options{Functions: jinjaFunctions(mistralFunctions()), IterationLimit: opts.IterationLimit, OutputLimit: opts.OutputLimit}),
		exprs:     newParseCache[*jinja.Expr](opts.CacheSize),
		templates: newParseCache[*jinja.Template](opts.CacheSize),
	}
}

func (l *jinjaLanguage) Name() string { return "jinja" }

func (l *jinjaLanguage) Contains(s string) bool { return containsJinja(s) }

// wholeExpression returns the inside of s when s is one {{ }} block, which
// Mistral evaluates to a typed value (its first {{(.*?)}} match is the
// whole string); ok is false for anything else, which is rendered as a
// template.
func wholeExpression(s string) (inner string, ok bool) {
	blocks := findBlocks(s, "{{", "}}", 1)
	if len(blocks) == 1 && len(blocks[0]) == len(s) {
		return s[2 : len(s)-2], true
	}
	return "", false
}

func (l *jinjaLanguage) Evaluate(ctx context.Context, s string, data any, host Host) (any, error) {
	opts := jinja.EvalOptions{Vars: mistralVars(data), User: &yaqlEnv{host: host, data: data}}
	if inner, ok := wholeExpression(s); ok {
		x, err := l.exprs.get(inner, jinja.ParseExpression)
		if err != nil {
			return nil, &Error{Expression: s, Err: err, Parse: true}
		}
		v, err := l.engine.Evaluate(ctx, x, data, opts)
		if err != nil {
			return nil, &Error{Expression: s, Err: err}
		}
		return v, nil
	}
	t, err := l.templates.get(s, jinja.ParseTemplate)
	if err != nil {
		return nil, &Error{Expression: s, Err: err, Parse: true}
	}
	out, err := l.engine.Render(ctx, t, data, opts)
	if err != nil {
		return nil, &Error{Expression: s, Err: err}
	}
	return out, nil
}

func (l *jinjaLanguage) Validate(s string) error {
	var err error
	if inner, ok := wholeExpression(s); ok {
		_, err = l.exprs.get(inner, jinja.ParseExpression)
	} else {
		_, err = l.templates.get(s, jinja.ParseTemplate)
	}
	if err != nil {
		return &Error{Expression: s, Err: err, Parse: true}
	}
	return nil
}

// jinjaFunctions adapts Mistral's functions to Jinja: Python parameter
// names (snake_case) for keyword arguments.
func jinjaFunctions(fs []function) []*jinja.Func {
	out := make([]*jinja.Func, 0, len(fs))
	for _, f := range fs {
		jf := &jinja.Func{Name: f.name}
		for _, p := range f.params {
			jf.Params = append(jf.Params, snakeCase(p.name))
			if !p.optional {
				jf.Required++
			}
		}
		params, call := f.params, f.call
		jf.Call = func(c *jinja.Call) (any, error) {
			env, _ := c.User.(*yaqlEnv)
			if env == nil {
				env = &yaqlEnv{}
			}
			args := make([]any, len(params))
			for i, p := range params {
				args[i] = p.def
				if c.Given[i] {
					args[i] = c.Args[i]
				}
			}
			// Data is the evaluation's data for a call, the piped value
			// for a filter (see jinja.Func).
			return call(&funcCall{ctx: c.Ctx, host: env.host, data: c.Data, args: args})
		}
		out = append(out, jf)
	}
	return out
}

// snakeCase turns yaql's camelCase parameter names back into Mistral's
// Python names (workflowExecutionId → workflow_execution_id).
func snakeCase(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
