package yaql

import (
	"context"
	"fmt"
)

// DefaultIterationLimit bounds how many elements any one collection may
// produce during an evaluation (Mistral itself sets no limit, which lets
// sequence() run forever).
const DefaultIterationLimit = 100000

// Options configure an Engine.
type Options struct {
	// IterationLimit caps the elements a single collection may yield (0
	// means DefaultIterationLimit); one evaluation may iterate at most 100
	// times that many elements in total. Strings are capped at 100 times
	// it in bytes.
	IterationLimit int
	// MaxCallDepth bounds the nesting of function and lambda calls (0
	// means DefaultMaxCallDepth).
	MaxCallDepth int
	// Functions are registered after the standard library, so a function
	// here adds overloads after the built-in ones of the same name.
	Functions []*Func
}

// Engine evaluates parsed expressions. Its function table is fixed at
// construction, so one Engine may be used from many goroutines.
type Engine struct {
	table map[string][]*Func
	limit int
	depth int // maximum call depth
}

// NewEngine builds an engine with the yaql standard library plus opts.Functions.
func NewEngine(opts Options) *Engine {
	e := &Engine{table: map[string][]*Func{}, limit: opts.IterationLimit, depth: opts.MaxCallDepth}
	if e.limit <= 0 {
		e.limit = DefaultIterationLimit
	}
	if e.depth <= 0 {
		e.depth = DefaultMaxCallDepth
	}
	registerStdlib(e)
	for _, f := range opts.Functions {
		e.register(f)
	}
	return e
}

func (e *Engine) register(fs ...*Func) {
	for _, f := range fs {
		e.table[f.Name] = append(e.table[f.Name], f)
	}
}

// EvalOptions carry per-evaluation inputs besides $.
type EvalOptions struct {
	// Vars are extra variables ($name), e.g. __env for Mistral.
	Vars map[string]any
	// User is handed to functions through Call.User (e.g. a Mistral host).
	User any
}

// Evaluate evaluates expr with $ bound to data and returns the result
// converted to the value model (sets and sequences become lists).
func (e *Engine) Evaluate(ctx context.Context, expr *Expr, data any, opts EvalOptions) (_ any, err error) {
	defer recoverInternal(&err)
	raw, st, err := e.evaluateRaw(ctx, expr, data, opts)
	if err != nil {
		return nil, err
	}
	v, err := st.finalize(raw)
	return v, withPos(err, 0) // the result as a whole could not be converted
}

// EvaluateToString evaluates expr and renders the result as Python str()
// of the value Mistral would get (True, None, [1, 2], {'a': 1}, {1, 2} for
// sets): what Mistral interpolates into text around <% %> blocks.
func (e *Engine) EvaluateToString(ctx context.Context, expr *Expr, data any, opts EvalOptions) (_ string, err error) {
	defer recoverInternal(&err)
	raw, st, err := e.evaluateRaw(ctx, expr, data, opts)
	if err != nil {
		return "", err
	}
	v, err := st.convertOutput(raw, true)
	if err != nil {
		return "", withPos(err, 0)
	}
	return PyStr(v), nil
}

func (e *Engine) evaluateRaw(ctx context.Context, expr *Expr, data any, opts EvalOptions) (any, *evalState, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	st := &evalState{ctx: ctx, engine: e, user: opts.User, limit: e.limit, budget: e.limit * 100}
	root := &scope{}
	for k, v := range opts.Vars {
		root.set(k, v)
	}
	root.set("", data)
	v, err := st.eval(expr.root, root)
	if err != nil {
		return nil, st, err
	}
	return v, st, nil
}

// evalState is the per-evaluation state: Go context, caller data and the
// work budget.
type evalState struct {
	ctx    context.Context
	engine *Engine
	user   any
	limit  int
	budget int // total elements all iterators may still produce
	depth  int // nesting of function and lambda calls
}

// DefaultMaxCallDepth bounds recursion through def() functions and
// lambdas when Options.MaxCallDepth is 0; Go would otherwise grow the
// stack until the process dies.
const DefaultMaxCallDepth = 2000

func (st *evalState) enter() error {
	st.depth++
	if st.depth > st.engine.depth {
		return errf(KindLimit, "call depth limit of %d exceeded (runaway recursion?)", st.engine.depth)
	}
	return nil
}

func (st *evalState) leave() { st.depth-- }

// charge takes n copied elements from the evaluation's budget: functions
// that copy whole dicts or lists (set, delete, +, insert) would otherwise
// let a loop such as range(100000).aggregate($1.set($2, 1), {}) do
// quadratic work unchecked.
func (st *evalState) charge(n int) error {
	st.budget -= n
	if st.budget < 0 {
		return errf(KindLimit, "evaluation exceeded its budget of %d iterated or copied elements", st.limit*100)
	}
	return nil
}

// step is called for each element an iterator yields; n is how many that
// iterator has produced so far.
func (st *evalState) step(n int) error {
	if n > st.limit {
		return errf(KindLimit, "iteration limit of %d elements exceeded", st.limit)
	}
	if err := st.charge(1); err != nil {
		return err
	}
	if st.budget%1024 == 0 {
		if err := st.ctx.Err(); err != nil {
			return fmt.Errorf("evaluation interrupted: %w", err)
		}
	}
	return nil
}

// recoverInternal turns a panic inside a builtin (a bug) into an error, so
// one bad expression cannot bring down the workflow engine.
func recoverInternal(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("internal error while evaluating the expression (please report it): %v", r)
	}
}
