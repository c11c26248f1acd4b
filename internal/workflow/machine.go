// Package workflow is the lazy engine of seed 003: a pure state machine
// for Mistral v2 workflows. It does no I/O and reads no clock. Given a
// spec, an execution and an event (start, action result), it changes the
// rows the event touches and returns the commands that follow (run an
// action); package engine persists both in one transaction.
//
// Every DSL rule lives here: sequence, fork, join (all / N), on-success /
// on-error / on-complete with guards, engine commands, publish and the
// data flow between tasks, workflow output and the error report.
//
// A step costs O(1) in the number of tasks already done: it touches the
// task the event names, the tasks it starts, and the waiting join tasks it
// arrives at (a join keeps a counter); nothing re-reads the history. The
// execution keeps the counters (active tasks, waiting joins), the list of
// unhandled failures and the merged context of end tasks that completion
// needs.
//
// Data flow follows Mistral: a start task's inbound context is empty; a
// task's outbound context is its inbound context updated with what it
// published; a task started by a transition gets its parent's outbound
// context; a join merges the outbound contexts of its arrivals.
// Expressions see that context first, then the environment (`__env`), the
// execution's context (`__execution`, vars) and finally the input.
package workflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/expression"
	"github.com/bora-workflow/bora/internal/value"
)

// Reader gives the machine the rows an event touches beyond those it is
// handed. The engine implements it on its transaction; tests on memory.
type Reader interface {
	// Task returns the task execution with that id (store.ErrNotFound-like
	// error when absent).
	Task(ctx context.Context, id string) (*Task, error)
	// TaskByName returns the latest task execution of that name in the
	// execution, or nil when there is none.
	TaskByName(ctx context.Context, executionID, name string) (*Task, error)
	// WaitingTask returns the task of that name in state WAITING, or nil.
	WaitingTask(ctx context.Context, executionID, name string) (*Task, error)
	// WaitingTasks returns every task in state WAITING in the execution.
	WaitingTasks(ctx context.Context, executionID string) ([]*Task, error)
	// TaskActions returns every action execution of a task.
	TaskActions(ctx context.Context, taskID string) ([]*ActionExecution, error)
	// ListTasks returns the tasks of an execution ("" = of every
	// execution), optionally only those in state, for Mistral's tasks().
	ListTasks(ctx context.Context, executionID string, state State) ([]*Task, error)
	// AdHocAction returns the ad-hoc action of that name in the namespace
	// (falling back to the default namespace), or nil when the name is a
	// system action or unknown.
	AdHocAction(ctx context.Context, name, namespace string) (*dsl.Action, error)
	// CheckAction reports why a system action cannot run with this input
	// (no such action, missing or unexpected parameters), or nil.
	CheckAction(name, namespace string, input *value.Map) error
	// TaskChildren returns the sub-workflow executions a workflow task
	// started, oldest first.
	TaskChildren(ctx context.Context, taskID string) ([]*Execution, error)
	// ListExecutions returns executions, for Mistral's executions():
	// by id, by root execution, by state; empty fields do not filter.
	ListExecutions(ctx context.Context, id, rootID string, state State) ([]*Execution, error)
}

// ErrTransition: the execution's state does not allow the operation
// (resuming a running execution, stopping a finished one).
var ErrTransition = errors.New("invalid state transition")

// Machine applies events to executions. It holds no state of its own
// beyond its tools, so one Machine serves every execution concurrently.
type Machine struct {
	eval  *expression.Evaluator
	newID func() string
}

// NewMachine returns a machine that evaluates expressions with eval and
// names new rows with newID.
func NewMachine(eval *expression.Evaluator, newID func() string) *Machine {
	return &Machine{eval: eval, newID: newID}
}

// Command is work that follows a step and is not a row change.
type Command interface{ command() }

// RunAction asks for an action to run; the action execution row is in
// Step.NewActions. The engine turns it into a work item (or runs a
// synchronous standard action inline). For an ad-hoc action, Call and
// CallInput name the base action that really runs and its input; they
// are empty for a system action.
type RunAction struct {
	Action    *ActionExecution
	Call      string
	CallInput *value.Map
}

func (RunAction) command() {}

// Step is the outcome of applying one event: the rows to write and the
// commands that follow. Execution is the event's execution, changed in
// place; the engine writes it when ExecutionChanged.
type Step struct {
	Execution        *Execution
	ExecutionChanged bool
	NewTasks         []*Task
	ChangedTasks     []*Task
	NewActions       []*ActionExecution
	ChangedActions   []*ActionExecution
	Commands         []Command

	// PrevState is the execution's state before the step: the engine
	// tells a parent task when its sub-workflow paused or resumed.
	PrevState State

	spec   *dsl.Workflow
	reader Reader
	// joins holds the join tasks this step created or touched by name, so
	// two arrivals in one step meet the same row.
	joins   map[string]*Task
	changed map[*Task]bool
}

func (m *Machine) newStep(ex *Execution, spec *dsl.Workflow, r Reader) *Step {
	return &Step{Execution: ex, PrevState: ex.State, spec: spec, reader: r, joins: map[string]*Task{}, changed: map[*Task]bool{}}
}

func (s *Step) touchExecution() { s.ExecutionChanged = true }

func (s *Step) addTask(t *Task) {
	s.NewTasks = append(s.NewTasks, t)
	s.changed[t] = true // new rows are written whole; never also as changed
}

func (s *Step) touchTask(t *Task) {
	if s.changed[t] {
		return
	}
	s.changed[t] = true
	s.ChangedTasks = append(s.ChangedTasks, t)
}

// PrepareInput checks the input against the workflow's declared inputs
// and fills in defaults, as Mistral does at start: a missing required
// input or an unexpected one is an *InputError naming them.
func PrepareInput(spec *dsl.Workflow, input *value.Map) (*value.Map, error) {
	if input == nil {
		input = value.NewMap(0)
	}
	declared := make(map[string]bool, len(spec.Input))
	var missing, unexpected []string
	out := value.NewMap(len(spec.Input))
	for _, p := range spec.Input {
		declared[p.Name] = true
		if v, ok := input.Get(p.Name); ok {
			out.Set(p.Name, v)
		} else if p.HasDefault {
			out.Set(p.Name, value.DeepCopy(p.Default))
		} else {
			missing = append(missing, p.Name)
		}
	}
	for _, k := range input.Keys() {
		if !declared[k] {
			unexpected = append(unexpected, k)
		}
	}
	if len(missing) > 0 || len(unexpected) > 0 {
		return nil, &InputError{Workflow: spec.Name, Type: spec.Type, Missing: missing, Unexpected: unexpected}
	}
	return out, nil
}

// InputError is a workflow input that does not match the declaration.
type InputError struct {
	Workflow   string
	Type       string
	Missing    []string
	Unexpected []string
	message    string // set for errors other than missing/unexpected inputs
}

func (e *InputError) Error() string {
	if e.message != "" {
		return e.message
	}
	class := "DirectWorkflowSpec"
	if e.Type == dsl.TypeReverse {
		class = "ReverseWorkflowSpec"
	}
	msg := fmt.Sprintf("Invalid input [name=%s, class=%s", e.Workflow, class)
	if len(e.Missing) > 0 {
		msg += ", missing=" + pyStrList(e.Missing)
	}
	if len(e.Unexpected) > 0 {
		msg += ", unexpected=" + pyStrList(e.Unexpected)
	}
	return msg + "]"
}

func pyStrList(names []string) string {
	items := make([]any, len(names))
	for i, n := range names {
		items[i] = n
	}
	return value.PyStr(items)
}
