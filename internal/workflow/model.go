package workflow

import (
	"time"

	"github.com/bora-workflow/bora/internal/value"
)

// State is the state of a workflow execution, a task execution or an
// action execution; the names and wire values are Mistral's.
type State string

// The states Mistral defines (mistral/workflow/states.py).
const (
	StateIdle      State = "IDLE"
	StateWaiting   State = "WAITING"
	StateRunning   State = "RUNNING"
	StateDelayed   State = "DELAYED" // Mistral's RUNNING_DELAYED on the wire
	StatePaused    State = "PAUSED"
	StateSuccess   State = "SUCCESS"
	StateError     State = "ERROR"
	StateCancelled State = "CANCELLED"
)

// IsCompleted reports whether s is terminal for this run.
func (s State) IsCompleted() bool {
	return s == StateSuccess || s == StateError || s == StateCancelled
}

// Valid reports whether s is one of the known states.
func (s State) Valid() bool {
	switch s {
	case StateIdle, StateWaiting, StateRunning, StateDelayed, StatePaused,
		StateSuccess, StateError, StateCancelled:
		return true
	}
	return false
}

// Task types, as Mistral names them.
const (
	TaskTypeAction   = "ACTION"
	TaskTypeWorkflow = "WORKFLOW"
)

// DefaultProjectID is what Mistral reports when authentication is off.
const DefaultProjectID = "<default-project>"

// Execution is a workflow execution: the row the engine locks and guards.
type Execution struct {
	ID                string
	WorkflowID        string
	WorkflowName      string
	WorkflowNamespace string
	Description       string
	Tags              []string
	ProjectID         string

	State     State
	StateInfo string // "" is null on the wire

	Input  *value.Map
	Params *value.Map
	Output any // nil until the workflow completes
	// Context is the initial data context: input, vars and the internal
	// __execution / __env entries that expressions read.
	Context *value.Map

	// Spec is the YAML of the workflow as it was when the execution
	// started: a running execution never changes shape when its
	// definition is updated or deleted (Mistral keeps wf_ex.spec too).
	Spec string

	TaskExecutionID string // parent task for a sub-workflow; "" for a root
	RootExecutionID string // "" for a root execution

	Runtime ExecutionRuntime

	// Version guards every update: an update names the version it read
	// and fails as stale when another transaction moved it on.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// RootID is the id of the execution tree this execution belongs to; the
// engine serialises all work on one tree by locking the root.
func (e *Execution) RootID() string {
	if e.RootExecutionID != "" {
		return e.RootExecutionID
	}
	return e.ID
}

// ExecutionRuntime is the engine's bookkeeping on an execution. It is kept
// as one JSON document so later features add fields without migrations.
type ExecutionRuntime struct {
	// ActiveTasks counts task executions that are not completed and not
	// WAITING on a join: the workflow is done when it drops to zero.
	ActiveTasks int `json:"active_tasks,omitempty"`
	// WaitingJoins counts join tasks still WAITING for inbound transitions.
	WaitingJoins int `json:"waiting_joins,omitempty"`
	// Unreached maps a task with no task execution yet, and a join at or
	// after it, to the inbound tasks that ended without a transition to
	// it: a join created later counts them as failed, and a task all of
	// whose inbound tasks are listed can never run (see join.go).
	Unreached map[string][]string `json:"unreached,omitempty"`
	// FailedTasks names tasks that ended in ERROR with no on-error or
	// on-complete clause to handle them, in the order they failed.
	FailedTasks []FailedTask `json:"failed_tasks,omitempty"`
	// CancelledTasks names the tasks that ended CANCELLED: the workflow
	// then ends CANCELLED too.
	CancelledTasks []string `json:"cancelled_tasks,omitempty"`
	// Item marks a sub-workflow that runs one item (ItemIndex) of its
	// parent's with-items task, for the task's attempt TaskAttempt.
	Item        bool `json:"item,omitempty"`
	ItemIndex   int  `json:"item_index,omitempty"`
	TaskAttempt int  `json:"task_attempt,omitempty"`
	// FinalContext merges the outbound contexts of end tasks (tasks that
	// transitioned nowhere); it becomes the output when `output` is absent.
	FinalContext *value.Map `json:"final_context,omitempty"`
	// Command records an engine command (fail, succeed) that decided the
	// outcome while tasks were still running.
	Command *EngineCommand `json:"command,omitempty"`
	// Backlog holds what a pause held back (transitions, tasks paused
	// before they started, timers that fired), replayed in order on resume.
	Backlog []BacklogItem `json:"backlog,omitempty"`
}

// BacklogItem is one thing a paused workflow does when resumed: take a
// transition of a task (Target), start a task paused before it ran
// (Start), or apply a timer that fired while paused (Timer).
type BacklogItem struct {
	TaskID string     `json:"task_id"`
	Target string     `json:"target,omitempty"`
	Params *value.Map `json:"params,omitempty"`
	Start  bool       `json:"start,omitempty"`
	Timer  *Timer     `json:"timer,omitempty"`
}

// FailedTask is one unhandled task failure. The report lists the task's
// failed action and sub-workflow executions, read when the workflow fails.
type FailedTask struct {
	TaskID    string `json:"task_id"`
	Name      string `json:"name"`
	StateInfo string `json:"state_info,omitempty"`
}

// EngineCommand is a fail/succeed/pause command taken by a transition.
type EngineCommand struct {
	Name string `json:"name"`
	Msg  string `json:"msg,omitempty"`
}

// Task is a task execution.
type Task struct {
	ID                string
	ExecutionID       string
	RootExecutionID   string
	Name              string
	Type              string // TaskTypeAction or TaskTypeWorkflow
	WorkflowName      string
	WorkflowID        string
	WorkflowNamespace string
	ProjectID         string

	State     State
	StateInfo string

	InContext *value.Map // the data context the task started with
	Result    any        // the action's result (SUCCESS) or error (ERROR)
	Published *value.Map // what publish produced
	Processed bool       // transitions taken

	Runtime TaskRuntime

	Version    int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
}

// TaskRuntime is the engine's bookkeeping on a task, kept as JSON.
type TaskRuntime struct {
	// JoinArrived counts inbound transitions that arrived at a join task.
	JoinArrived int `json:"join_arrived,omitempty"`
	// JoinArrivedFrom names the inbound tasks that arrived, so a repeated
	// arrival from the same task is not counted twice.
	JoinArrivedFrom []string `json:"join_arrived_from,omitempty"`
	// JoinFailedFrom names the inbound tasks of a waiting join that will
	// never arrive: they ended without a transition to it, or can no
	// longer run. Too many and the join fails.
	JoinFailedFrom []string `json:"join_failed_from,omitempty"`
	// JoinContext merges the contexts of the arrivals after the first
	// (whose context is InContext) until the join fires.
	JoinContext *value.Map `json:"join_context,omitempty"`
	// arrived indexes JoinArrivedFrom; built on first use so a wide join
	// costs O(1) per arrival, not O(arrivals).
	arrived map[string]bool
	// ActionID is the action execution currently running for this task.
	ActionID string `json:"action_id,omitempty"`
	// ErrorHandled is set when an on-error/on-complete clause took the error.
	ErrorHandled bool `json:"error_handled,omitempty"`

	// Attempt counts the runs of the task (1 + retries); only results of
	// the current attempt's actions count.
	Attempt int `json:"attempt,omitempty"`
	// RetryNo is how many times the retry policy re-ran the task.
	RetryNo int `json:"retry_no,omitempty"`
	// WithItems tracks a with-items task's items.
	WithItems *WithItemsState `json:"with_items,omitempty"`
	// Held is the outcome a wait-after delay holds back until its timer fires.
	Held *HeldOutcome `json:"held,omitempty"`
	// TimedOut marks a task failed by its timeout: retry does not apply.
	TimedOut bool `json:"timed_out,omitempty"`
	// ChildID is the sub-workflow execution a workflow task runs.
	ChildID string `json:"child_id,omitempty"`
	// PublishedNull marks a task that published only globally (or
	// atomically): Mistral shows its published as null, not {}.
	PublishedNull bool `json:"published_null,omitempty"`
	// PausedBefore marks a task whose pause-before already paused the workflow.
	PausedBefore bool `json:"paused_before,omitempty"`
}

// WithItemsState counts the items of a with-items task. It is O(1) in
// size unless a concurrency cap forces it to remember the items still to
// start.
type WithItemsState struct {
	Count       int `json:"count"`
	Next        int `json:"next"` // the next index to start
	Running     int `json:"running"`
	Succeeded   int `json:"succeeded"`
	Failed      int `json:"failed"`
	Concurrency int `json:"concurrency,omitempty"`
	// Pending holds the bindings of items not started yet, when capped.
	Pending []*value.Map `json:"pending,omitempty"`
}

// HeldOutcome is a completed task's outcome waiting out wait-after.
type HeldOutcome struct {
	State     State  `json:"state"`
	StateInfo string `json:"state_info,omitempty"`
}

// ActionExecution is one run of an action for a task (or standalone).
type ActionExecution struct {
	ID                string
	TaskExecutionID   string
	ExecutionID       string
	RootExecutionID   string
	WorkflowName      string
	WorkflowNamespace string
	TaskName          string
	Name              string // the action's name, e.g. std.echo
	Description       string
	ProjectID         string

	State     State
	StateInfo string

	Input  *value.Map
	Result any // the result on SUCCESS, the error on ERROR
	// Accepted is true once the engine took the result: a second delivery
	// of it (a duplicate event, a late report) then changes nothing. It is
	// the guard of exactly-once, not what the API shows (see
	// MistralAccepted).
	Accepted bool
	// Superseded is set when a retry or a rerun runs the task again after
	// this run: the task's result no longer counts it, whatever becomes of
	// it later, and Mistral shows it with accepted false.
	Superseded bool
	// Async actions return no result: the API completes them later.
	Async     bool
	Target    string
	SafeRerun bool
	// Attempt increases each time the action is (re)started; a result is
	// accepted only for the attempt that is running.
	Attempt int
	// Index is the item of a with-items task this action runs (0 otherwise).
	Index int

	Version       int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
	LastHeartbeat *time.Time
}

// MistralAccepted is the action execution's `accepted` as Mistral shows
// it: the result was taken and no retry or rerun of the task set the run
// aside since. Mistral keeps one flag for both, and clears it on every
// run it sets aside (invalidate_result, _reset_actions); bora keeps the
// guard (Accepted) apart so that clearing the shown flag never lets a
// result be taken twice.
func (a *ActionExecution) MistralAccepted() bool {
	return a.Accepted && !a.Superseded
}

// hasArrived reports whether from already arrived at this join task.
func (r *TaskRuntime) hasArrived(from string) bool {
	if r.arrived == nil {
		r.arrived = make(map[string]bool, len(r.JoinArrivedFrom))
		for _, f := range r.JoinArrivedFrom {
			r.arrived[f] = true
		}
	}
	return r.arrived[from]
}

// arrive records an arrival from the named inbound task.
func (r *TaskRuntime) arrive(from string) {
	r.JoinArrived++
	if from == "" {
		return
	}
	r.hasArrived(from) // builds the index
	r.arrived[from] = true
	r.JoinArrivedFrom = append(r.JoinArrivedFrom, from)
}
