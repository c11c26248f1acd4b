// Package engine is the transactional loop around package workflow. It
// claims events from the store, locks the execution tree they belong to,
// applies them to the workflow state machine, and writes the new state and
// the work it causes (work items, follow-up events) in the same
// transaction as it deletes the events. Nothing is sent after commit, so
// nothing can be lost between a state change and the work it causes.
//
// # Guarantees
//
//   - An event is applied at least once and its effects commit at most
//     once: the event row is deleted in the transaction that applies it,
//     and every row it changes is written with a guarded update (the
//     version read), so a concurrent or repeated application fails as
//     stale and rolls back whole.
//   - An action result is accepted once: the action execution row moves
//     from RUNNING to its final state under a version guard, and a second
//     report finds it completed (ErrWrongState).
//   - Synchronous standard actions (std.noop, std.echo without delay,
//     std.fail, std.async_noop) run inline, inside the transaction that
//     starts them, as Mistral's local-executor option does; other actions
//     become work items that an executor leases.
//
// # Claims
//
// An event is claimed by the transaction that applies it (SELECT ... FOR
// UPDATE SKIP LOCKED on PostgreSQL; the single writer on SQLite), not by a
// lease column: the transaction is the lease. If the engine dies, the
// database aborts the transaction and the event is available again at
// once, with no expiry to wait for and no rescuer needed. Work items are
// different: an action runs outside any transaction, so an executor holds
// a work item by a lease with an expiry that its heartbeats extend.
//
// # Failure handling
//
// A transaction that fails with store.ErrRetryable is retried. An event
// whose application fails for another reason is retried alone in its own
// transaction; if it still fails it is postponed with a growing delay and
// its error recorded, and after maxEventAttempts the execution is failed
// with that error, so a poison event can neither spin nor be lost.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/expression"
	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

// Options tune an Engine; zero values take the defaults.
type Options struct {
	Logger *slog.Logger
	// Now is the clock; tests pass a fake one.
	Now func() time.Time
	// BatchSize is how many events one transaction claims.
	BatchSize int
	// InlineTime bounds how long one engine transaction keeps running
	// actions inline; beyond it results are written as events for the
	// next transaction, so a 100,000-task sequence or a task that loops
	// on itself does not become one giant transaction. It is a time, not
	// a count, because what it protects is how long the transaction holds
	// its locks (on SQLite, the one write lock): a count small enough for
	// slow steps split fast fan-outs, and a split costs each result left
	// over a second write and a read of its task and action.
	InlineTime time.Duration
	// RequestInlineTime is the same bound for the work done inside an
	// API request (a start, an async result).
	RequestInlineTime time.Duration
	// InlineBudget and RequestInlineBudget also bound the inline action
	// runs by count (default: no bound but the time); tests set them to
	// split transactions at a known place.
	InlineBudget        int
	RequestInlineBudget int
	// RescueInterval is how often the engine looks for work items whose
	// lease expired (their executor is gone).
	RescueInterval time.Duration
	// CallbackBaseURL is the API's base URL (http://host:port) that
	// actions are told to PUT their results to; empty when unknown.
	CallbackBaseURL string
	// PollInterval is how long an idle loop waits before looking again
	// when nothing woke it.
	PollInterval time.Duration
}

const (
	defaultBatchSize         = 64
	defaultInlineTime        = 300 * time.Millisecond
	defaultRequestInlineTime = 300 * time.Millisecond
	unboundedInlineRuns      = math.MaxInt
	defaultPollInterval      = 500 * time.Millisecond
	defaultRescueInterval    = 5 * time.Second
	maxEventAttempts         = 5
	specCacheSize            = 4096
)

// Engine applies events to executions. It is safe for concurrent use;
// several engines (in one process or many) may share a store.
type Engine struct {
	store   store.Store
	actions *action.Registry
	eval    *expression.Evaluator
	machine *workflow.Machine
	log     *slog.Logger
	now     func() time.Time
	opts    Options

	adhoc struct {
		mu sync.Mutex
		m  map[string]*dsl.Action
	}
	specs    specCache // by execution id
	defSpecs specCache // by definition id and update time

	// wakeEvents and wakeWork are in-process hints that new events or
	// work items were committed; pollers fall back to polling without them.
	wakeEvents chan struct{}
	wakeWork   chan struct{}
}

// New returns an engine over st that runs actions from reg.
func New(st store.Store, reg *action.Registry, eval *expression.Evaluator, opts Options) *Engine {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return time.Now().UTC() }
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = defaultBatchSize
	}
	if opts.InlineBudget <= 0 {
		opts.InlineBudget = unboundedInlineRuns
	}
	if opts.RequestInlineBudget <= 0 {
		opts.RequestInlineBudget = unboundedInlineRuns
	}
	if opts.InlineTime <= 0 {
		opts.InlineTime = defaultInlineTime
	}
	if opts.RequestInlineTime <= 0 {
		opts.RequestInlineTime = defaultRequestInlineTime
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = defaultPollInterval
	}
	if opts.RescueInterval <= 0 {
		opts.RescueInterval = defaultRescueInterval
	}
	e := &Engine{
		store:      st,
		actions:    reg,
		eval:       eval,
		machine:    workflow.NewMachine(eval, id.New),
		log:        opts.Logger,
		now:        opts.Now,
		opts:       opts,
		specs:      specCache{m: map[string]*dsl.Workflow{}},
		defSpecs:   specCache{m: map[string]*dsl.Workflow{}},
		wakeEvents: make(chan struct{}, 1),
		wakeWork:   make(chan struct{}, 1),
	}
	e.adhoc.m = map[string]*dsl.Action{}
	return e
}

// WakeEvents tells the engine loop that events were committed elsewhere
// (another process; a LISTEN/NOTIFY hint), so it looks now.
func (e *Engine) WakeEvents() { signal(e.wakeEvents) }

// WakeWork tells executors waiting on WorkAvailable that work items were
// committed elsewhere.
func (e *Engine) WakeWork() { signal(e.wakeWork) }

// WorkAvailable signals (as a hint) that work items were committed.
func (e *Engine) WorkAvailable() <-chan struct{} { return e.wakeWork }

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// ParseWorkflow parses the YAML of one stored workflow definition.
func (e *Engine) ParseWorkflow(name, definition string) (*dsl.Workflow, error) {
	return ParseWorkflow(e.eval, name, definition)
}

// ParseWorkflow parses definition and returns the workflow called name.
func ParseWorkflow(eval *expression.Evaluator, name, definition string) (*dsl.Workflow, error) {
	doc, err := dsl.Parse(name+".yaml", []byte(definition), dsl.Options{CheckExpression: func(s string) error { return eval.Validate(s) }})
	if err != nil {
		return nil, err
	}
	for _, wf := range doc.Workflows {
		if wf.Name == name {
			return wf, nil
		}
	}
	if len(doc.Workflows) == 1 {
		return doc.Workflows[0], nil
	}
	return nil, fmt.Errorf("workflow %q is not in its definition", name)
}

// specCache keeps parsed specs by execution id: an event must not parse
// YAML again. It is bounded; when full it starts over, which costs a
// re-parse, never correctness.
type specCache struct {
	mu sync.Mutex
	m  map[string]*dsl.Workflow
}

func (c *specCache) get(key string) *dsl.Workflow {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

func (c *specCache) put(key string, wf *dsl.Workflow) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= specCacheSize {
		c.m = make(map[string]*dsl.Workflow, specCacheSize)
	}
	c.m[key] = wf
}

// specFor returns the parsed spec of an execution.
func (e *Engine) specFor(ctx context.Context, q store.Queries, ex *workflow.Execution) (*dsl.Workflow, error) {
	if wf := e.specs.get(ex.ID); wf != nil {
		return wf, nil
	}
	text := ex.Spec
	if text == "" {
		def, err := q.WorkflowDefinitionGet(ctx, ex.WorkflowID, ex.WorkflowNamespace)
		if err != nil {
			return nil, fmt.Errorf("load workflow definition %s of execution %s: %w", ex.WorkflowID, ex.ID, err)
		}
		text = def.Definition
	}
	wf, err := e.ParseWorkflow(ex.WorkflowName, text)
	if err != nil {
		return nil, fmt.Errorf("parse workflow %s of execution %s: %w", ex.WorkflowName, ex.ID, err)
	}
	e.specs.put(ex.ID, wf)
	return wf, nil
}

// definitionSpec returns the parsed spec of a stored definition; the key
// includes the update time, so an updated definition is parsed again.
func (e *Engine) definitionSpec(def *store.WorkflowDefinition) (*dsl.Workflow, error) {
	key := def.ID + "@" + def.UpdatedAt.UTC().Format(time.RFC3339Nano)
	if wf := e.defSpecs.get(key); wf != nil {
		return wf, nil
	}
	wf, err := e.ParseWorkflow(def.Name, def.Definition)
	if err != nil {
		return nil, fmt.Errorf("parse stored workflow %s: %w", def.Name, err)
	}
	e.defSpecs.put(key, wf)
	return wf, nil
}

// adhocSpec returns the parsed spec of a stored ad-hoc action, cached by
// id and update time.
func (e *Engine) adhocSpec(def *store.ActionDefinition) (*dsl.Action, error) {
	key := def.ID + "@" + def.UpdatedAt.UTC().Format(time.RFC3339Nano)
	e.adhoc.mu.Lock()
	a, ok := e.adhoc.m[key]
	e.adhoc.mu.Unlock()
	if ok {
		return a, nil
	}
	doc, err := dsl.Parse(def.Name+".yaml", []byte(def.Definition), dsl.Options{Kind: dsl.KindActions})
	if err != nil {
		return nil, fmt.Errorf("parse stored ad-hoc action %s: %w", def.Name, err)
	}
	for _, cand := range doc.Actions {
		if cand.Name == def.Name || len(doc.Actions) == 1 || strings.HasSuffix(def.Name, "."+cand.Name) {
			a = cand
			break
		}
	}
	if a == nil {
		return nil, fmt.Errorf("ad-hoc action %q is not in its stored definition", def.Name)
	}
	e.adhoc.mu.Lock()
	if len(e.adhoc.m) >= specCacheSize {
		e.adhoc.m = map[string]*dsl.Action{}
	}
	e.adhoc.m[key] = a
	e.adhoc.mu.Unlock()
	return a, nil
}

// isNotFound reports store.ErrNotFound through any wrapping.
func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
