package expression

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bora-workflow/bora/internal/expression/jinja"
	"github.com/bora-workflow/bora/internal/value"
)

// Options configure an Evaluator.
type Options struct {
	// IterationLimit caps how many elements one collection may yield inside
	// an expression (0: yaql.DefaultIterationLimit), and in Jinja the
	// length of range() and of repeated lists (0: jinja.DefaultIterationLimit).
	IterationLimit int
	// CacheSize is how many parsed expressions are kept (0: 4096).
	CacheSize int
	// Timeout bounds the evaluation of one string holding expressions
	// (0: DefaultTimeout; negative: no bound). Mistral bounds nothing; a
	// runaway expression here fails its task instead of holding an engine.
	Timeout time.Duration
	// OutputLimit bounds a rendered Jinja template in bytes
	// (0: jinja.DefaultOutputLimit).
	OutputLimit int
	// MaxCallDepth bounds nested YAQL function and lambda calls
	// (0: yaql.DefaultMaxCallDepth).
	MaxCallDepth int
}

// DefaultTimeout is how long one string's expressions may evaluate when
// Options.Timeout is 0. Evaluation happens inside the engine's database
// transaction, so it stays well below the PostgreSQL store's
// idle-in-transaction bound.
const DefaultTimeout = 5 * time.Second

// Evaluator evaluates expressions inside workflow values. It is safe for
// concurrent use and caches parsed expressions.
type Evaluator struct {
	languages []Language
	timeout   time.Duration // <= 0: unbounded
}

// New returns an Evaluator for Jinja and YAQL with Mistral's functions.
// Mistral asks its evaluators in name order, so Jinja comes first: a string
// holding both kinds is evaluated as Jinja (Validate rejects it).
func New(opts Options) *Evaluator {
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	return &Evaluator{languages: []Language{newJinja(opts), newYAQL(opts)}, timeout: timeout}
}

// Evaluate walks v (*value.Map values, []any items, strings) and
// evaluates every expression inside strings against data (bound to $).
// host may be nil; then task() and execution() fail. v is not modified.
func (e *Evaluator) Evaluate(ctx context.Context, v any, data any, host Host) (any, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if _, ok := v.(string); !ok {
		// Every Jinja string of v sees the same, unchanged data: convert
		// it for Jinja once per pass.
		ctx = jinja.WithConversionCache(ctx)
	}
	return e.walk(ctx, v, data, host)
}

func (e *Evaluator) walk(ctx context.Context, v any, data any, host Host) (any, error) {
	switch t := v.(type) {
	case string:
		return e.evaluateString(ctx, t, data, host)
	case []any:
		out := make([]any, len(t))
		for i, item := range t {
			r, err := e.walk(ctx, item, data, host)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case *value.Map:
		out := value.NewMap(t.Len())
		for _, k := range t.Keys() {
			item, _ := t.Get(k)
			r, err := e.walk(ctx, item, data, host)
			if err != nil {
				return nil, err
			}
			// Keys stay as written: Mistral's evaluate_recursively
			// evaluates values only.
			out.Set(k, r)
		}
		return out, nil
	}
	return v, nil
}

func (e *Evaluator) evaluateString(ctx context.Context, s string, data any, host Host) (any, error) {
	for _, l := range e.languages {
		if l.Contains(s) {
			return e.evaluateBounded(ctx, l, s, data, host)
		}
	}
	return s, nil
}

// evaluateBounded evaluates s under the evaluator's time bound. Running
// out of time is the expression's fault (a task failure naming it); the
// caller's own cancellation passes through unchanged.
func (e *Evaluator) evaluateBounded(ctx context.Context, l Language, s string, data any, host Host) (any, error) {
	if e.timeout <= 0 {
		return l.Evaluate(ctx, s, data, host)
	}
	evalCtx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	v, err := l.Evaluate(evalCtx, s, data, host)
	if err != nil && ctx.Err() == nil && errors.Is(evalCtx.Err(), context.DeadlineExceeded) {
		return nil, &Error{Expression: s, Err: fmt.Errorf("evaluation exceeded its time limit of %s", e.timeout)}
	}
	return v, err
}

// Validate syntax-checks every expression inside v without evaluating it.
func (e *Evaluator) Validate(v any) error {
	switch t := v.(type) {
	case string:
		found := ""
		for _, l := range e.languages {
			if !l.Contains(t) {
				continue
			}
			if found != "" {
				// Mistral's expressions.validate() rule.
				return &Error{Expression: t, Parse: true, Err: fmt.Errorf(
					"The line already contains an expression of type '%s'. Mixing expression types in a single line is not allowed.", found)}
			}
			if err := l.Validate(t); err != nil {
				return err
			}
			found = l.Name()
		}
	case []any:
		for _, item := range t {
			if err := e.Validate(item); err != nil {
				return err
			}
		}
	case *value.Map:
		for _, k := range t.Keys() {
			if err := e.Validate(k); err != nil {
				return fmt.Errorf("key %q: %w", k, err)
			}
			item, _ := t.Get(k)
			if err := e.Validate(item); err != nil {
				return err
			}
		}
	}
	return nil
}

// EvaluateYAQL evaluates one bare YAQL expression (the text inside
// <% %>) against data, with Mistral's functions; the result is the typed
// value. Useful where a spec field holds a YAQL condition without
// delimiters, and for conformance tests.
func (e *Evaluator) EvaluateYAQL(ctx context.Context, expr string, data any, host Host) (any, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	for _, l := range e.languages {
		if y, ok := l.(*yaqlLanguage); ok {
			return y.evaluateSource(ctx, expr, data, host, false)
		}
	}
	return nil, errors.New("evaluate YAQL: no YAQL language configured")
}
