package jinja

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
)

// DefaultIterationLimit caps range() and the size of strings and lists an
// operator may build, when Options.IterationLimit is 0. Mistral has no such
// limit; a workflow must not be able to exhaust the engine's memory.
const DefaultIterationLimit = 100000

// DefaultOutputLimit caps the size of a rendered template (bytes).
const DefaultOutputLimit = 16 << 20

// Options configure an Engine.
type Options struct {
	// Functions are added both as globals and as filters, as Mistral
	// registers its expression functions.
	Functions []*Func
	// IterationLimit bounds range() and repeated strings/lists
	// (0: DefaultIterationLimit).
	IterationLimit int
	// OutputLimit bounds a rendered template in bytes (0: DefaultOutputLimit).
	OutputLimit int
}

// Func is a function callable from templates, both as f(args) and as a
// filter (x | f(args)).
type Func struct {
	Name string
	// Params are the Python parameter names, for keyword arguments; the
	// first Required of them must be given.
	Params   []string
	Required int
	// Call runs the function. As a global, Call.Data is the evaluation's
	// data; as a filter it is the piped value (Mistral binds its functions
	// to the data context, and a filter call passes the value in that slot).
	Call func(c *Call) (any, error)
}

// Call is one call of a Func, with its arguments in bora's value model.
type Call struct {
	Ctx  context.Context
	User any // EvalOptions.User
	Data any
	// Args has one entry per Func.Params (nil when not given); Given says
	// which were.
	Args  []any
	Given []bool
}

// EvalOptions are per-evaluation settings.
type EvalOptions struct {
	// Vars are extra top-level names (Mistral's __env, __execution,
	// __task_execution).
	Vars map[string]any
	// User is handed to Funcs through Call.User.
	User any
}

// Engine evaluates parsed Jinja templates and expressions. It is safe for
// concurrent use: its environment is built once and only read afterwards.
type Engine struct {
	cfg     *config.Config
	globals *exec.Context
	filters *exec.FilterSet
	tests   *exec.TestSet
	methods exec.Methods
	funcs   []*Func
	limit   int
	output  int
}

// NewEngine returns an Engine configured as Mistral's Jinja environment:
// StrictUndefined, trim_blocks, lstrip_blocks, no autoescape.
func NewEngine(opts Options) *Engine {
	e := &Engine{cfg: newConfig(), funcs: opts.Functions, limit: opts.IterationLimit, output: opts.OutputLimit}
	if e.limit <= 0 {
		e.limit = DefaultIterationLimit
	}
	if e.output <= 0 {
		e.output = DefaultOutputLimit
	}
	// Copies, so that our overrides never touch gonja's package-level sets.
	e.filters = exec.NewFilterSet(map[string]exec.FilterFunction{}).Update(builtins.Filters)
	e.tests = exec.NewTestSet(map[string]exec.TestFunction{}).Update(builtins.Tests)
	e.globals = exec.EmptyContext().Update(builtins.GlobalFunctions).Update(builtins.GlobalVariables)
	// Jinja spells None also none (and True/False as true/false, which
	// gonja knows).
	e.globals.Set("none", nil)
	e.methods = methods()
	e.installOverrides()
	for _, f := range opts.Functions {
		e.setFilter(f.Name, e.functionFilter(f))
	}
	return e
}

func newConfig() *config.Config {
	cfg := config.New()
	cfg.StrictUndefined = true
	cfg.TrimBlocks = true
	// Jinja's lstrip_blocks, which Mistral sets, is applied by
	// lstripBlocks: gonja's version strips too much.
	cfg.LeftStripBlocks = false
	cfg.AutoEscape = false
	return cfg
}

// setFilter registers or replaces a filter.
func (e *Engine) setFilter(name string, fn exec.FilterFunction) {
	if e.filters.Exists(name) {
		_ = e.filters.Replace(name, fn)
		return
	}
	_ = e.filters.Register(name, fn)
}

func (e *Engine) setTest(name string, fn exec.TestFunction) {
	if e.tests.Exists(name) {
		_ = e.tests.Replace(name, fn)
		return
	}
	_ = e.tests.Register(name, fn)
}

// evalState is what one evaluation's filters and hidden operators need.
// It has no exported fields or methods, so a template that names it cannot
// reach into it.
type evalState struct {
	ctx    context.Context
	user   any
	engine *Engine
	// raised are the errors bora's code gave gonja during this evaluation.
	// gonja flattens function errors into strings ("invalid call to
	// function ..."), so the final error is matched back to one of these.
	raised []error
}

// raise records err (see raised) and returns it.
func (st *evalState) raise(err error) error {
	if err != nil && len(st.raised) < 64 {
		st.raised = append(st.raised, err)
	}
	return err
}

// stateKey names the evalState in the evaluation context. Templates cannot
// spell a name with a space, so they cannot shadow or read it.
const stateKey = "bora state"

func stateOf(e *exec.Evaluator) *evalState {
	if v, ok := e.Environment.Context.Get(stateKey); ok {
		if s, ok := v.(*evalState); ok {
			return s
		}
	}
	return &evalState{ctx: context.Background()}
}

// environment builds the evaluation environment: gonja's builtins, the data
// as _, Mistral's variables, and the functions bound to this evaluation.
func (e *Engine) environment(ctx context.Context, data any, opts EvalOptions) (*exec.Environment, *evalState) {
	st := &evalState{ctx: ctx, user: opts.User, engine: e}
	vars := e.globals.Inherit()
	vars.Set(stateKey, st)
	for _, f := range e.funcs {
		vars.Set(f.Name, e.functionGlobal(f, st, data))
	}
	for k, v := range opts.Vars {
		vars.Set(k, toGonja(v))
	}
	// After the builtins: gonja defines a gettext function named _ that
	// would otherwise shadow the data.
	vars.Set("_", convertData(ctx, data))
	return &exec.Environment{
		Context:           vars,
		Filters:           e.filters,
		Tests:             e.tests,
		ControlStructures: builtins.ControlStructures,
		Methods:           e.methods,
	}, st
}

// guard turns a panic inside gonja into an error: a hostile or odd
// template fails its evaluation, never the process.
func guard(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("internal error in the Jinja engine: %v", r)
	}
}

// Evaluate evaluates a parsed expression and returns its value.
func (e *Engine) Evaluate(ctx context.Context, x *Expr, data any, opts EvalOptions) (result any, err error) {
	defer guard(&err)
	if ctx == nil {
		ctx = context.Background()
	}
	env, st := e.environment(ctx, data, opts)
	ev := &exec.Evaluator{Config: e.cfg, Environment: env, Loader: emptyLoader{}}
	v := x.eval(ev)
	if v.IsError() {
		return nil, st.cleanError(v.Interface().(error))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return fromGonja(v)
}

// Render renders a parsed template to a string.
func (e *Engine) Render(ctx context.Context, t *Template, data any, opts EvalOptions) (result string, err error) {
	defer guard(&err)
	if ctx == nil {
		ctx = context.Background()
	}
	env, st := e.environment(ctx, data, opts)
	var b strings.Builder
	w := &limitedWriter{ctx: ctx, w: &b, left: e.output}
	if err := t.execute(env, w); err != nil {
		return "", st.cleanError(err)
	}
	return b.String(), nil
}

// limitedWriter stops a render that grows too large or outlives its
// context: gonja checks neither, but stops at the first write error.
type limitedWriter struct {
	ctx  context.Context
	w    io.Writer
	left int
}

var errOutputLimit = errors.New("rendered text exceeds the output limit")

func (l *limitedWriter) Write(p []byte) (int, error) {
	if err := l.ctx.Err(); err != nil {
		return 0, err
	}
	if len(p) > l.left {
		return 0, errOutputLimit
	}
	l.left -= len(p)
	return l.w.Write(p)
}
