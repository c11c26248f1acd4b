package expression

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bora-workflow/bora/internal/expression/yaql"
	"github.com/bora-workflow/bora/internal/value"
)

// yaqlLanguage is Mistral's InlineYAQLEvaluator: <% %> blocks.
type yaqlLanguage struct {
	engine *yaql.Engine
	cache  *parseCache[*yaql.Expr]
}

func newYAQL(opts Options) *yaqlLanguage {
	return &yaqlLanguage{
		engine: yaql.NewEngine(yaql.Options{IterationLimit: opts.IterationLimit, MaxCallDepth: opts.MaxCallDepth, Functions: yaqlFunctions(mistralFunctions())}),
		cache:  newParseCache[*yaql.Expr](opts.CacheSize),
	}
}

func (l *yaqlLanguage) Name() string { return "yaql" }

func (l *yaqlLanguage) Contains(s string) bool { return containsYAQL(s) }

// blockExpr is the expression inside one <% %> match: Mistral strips the
// characters <, % and > from both ends (not just the delimiters), then
// whitespace.
func blockExpr(block string) string {
	return strings.TrimSpace(strings.Trim(block, "<%>"))
}

func (l *yaqlLanguage) parse(src string) (*yaql.Expr, error) {
	return l.cache.get(src, yaql.Parse)
}

func (l *yaqlLanguage) Evaluate(ctx context.Context, s string, data any, host Host) (any, error) {
	blocks := findYAQLBlocks(s)
	// Like Mistral: only a block spanning the whole string keeps its type.
	if len(blocks) == 1 && len(blocks[0]) == len(s) {
		return l.evaluateBlock(ctx, blocks[0], data, host, false)
	}
	result := s
	for _, block := range blocks {
		v, err := l.evaluateBlock(ctx, block, data, host, true)
		if err != nil {
			return nil, err
		}
		// str.replace, as Mistral does: identical blocks are replaced together.
		result = strings.ReplaceAll(result, block, v.(string))
	}
	return result, nil
}

func (l *yaqlLanguage) evaluateBlock(ctx context.Context, block string, data any, host Host, asText bool) (any, error) {
	v, err := l.evaluateSource(ctx, blockExpr(block), data, host, asText)
	var e *Error
	if errors.As(err, &e) {
		e.Expression = block
	}
	return v, err
}

// evaluateSource evaluates bare YAQL source; errors name it as <% src %>.
// asText renders the result as Python str() for interpolation into text.
func (l *yaqlLanguage) evaluateSource(ctx context.Context, src string, data any, host Host, asText bool) (any, error) {
	src = strings.TrimSpace(src)
	expr, err := l.parse(src)
	if err != nil {
		return nil, &Error{Expression: "<% " + src + " %>", Err: err, Parse: true}
	}
	opts := yaql.EvalOptions{Vars: mistralVars(data), User: &yaqlEnv{host: host, data: data}}
	var v any
	if asText {
		v, err = l.engine.EvaluateToString(ctx, expr, data, opts)
	} else {
		v, err = l.engine.Evaluate(ctx, expr, data, opts)
	}
	if err != nil {
		return nil, &Error{Expression: "<% " + src + " %>", Err: err}
	}
	return v, nil
}

func (l *yaqlLanguage) Validate(s string) error {
	for _, block := range findYAQLBlocks(s) {
		if _, err := l.parse(blockExpr(block)); err != nil {
			return &Error{Expression: block, Err: err, Parse: true}
		}
	}
	return nil
}

// mistralVars binds $__env, $__execution and $__task_execution from the
// data, as Mistral's YAQL evaluator does when the context is a dict.
func mistralVars(data any) map[string]any {
	m, ok := data.(*value.Map)
	if !ok {
		return nil
	}
	vars := make(map[string]any, 3)
	for _, k := range []string{"__env", "__execution", "__task_execution"} {
		v, _ := m.Get(k)
		vars[k] = v
	}
	return vars
}

// Error is an expression that failed to parse or evaluate.
type Error struct {
	Expression string // the block as written, e.g. "<% $.x %>"
	Parse      bool   // a syntax error (Mistral's YaqlGrammarException)
	Err        error
}

func (e *Error) Error() string {
	verb := "evaluate"
	if e.Parse {
		verb = "parse"
	}
	return fmt.Sprintf("%s %s: %v", verb, e.Expression, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }
