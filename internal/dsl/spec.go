// Package dsl turns Mistral v2 YAML (workflow lists, workbooks, ad-hoc
// action lists) into typed, validated specs. Every error names the file,
// line and column and says in a sentence what is wrong.
//
// Values that may hold expressions (inputs, publish, output, guards, policy
// values) are kept as they were written, in the value model of package
// value; package workflow evaluates them at run time.
package dsl

import "github.com/bora-workflow/bora/internal/value"

// Position is a place in a source document, 1-based.
type Position struct {
	File   string
	Line   int
	Column int
}

// Workflow types.
const (
	TypeDirect  = "direct"
	TypeReverse = "reverse"
)

// Document is one parsed YAML document: a list of workflows, optionally
// inside a workbook (Name set), plus ad-hoc actions.
type Document struct {
	Version     string // always "2.0" once parsed
	Name        string // workbook name; empty for a plain workflow list
	Description string
	Tags        []string
	Workflows   []*Workflow // in document order
	Actions     []*Action   // ad-hoc actions, in document order
	// Warnings are accepted oddities worth telling the user about, such as
	// unknown workflow attributes (Mistral ignores them silently).
	Warnings ErrorList
}

// Workflow is one workflow definition.
type Workflow struct {
	// Name is the name as written; inside a workbook it is the short name
	// (Mistral registers it as "<workbook>.<name>").
	Name          string
	Type          string // TypeDirect or TypeReverse
	Description   string
	Tags          []string
	Input         []Param
	Output        any        // *value.Map; nil when absent: the whole context is the output
	OutputOnError any        // *value.Map or nil
	Vars          *value.Map // nil when absent
	TaskDefaults  *TaskDefaults
	Tasks         []*Task          // in document order
	TaskByName    map[string]*Task // the same tasks by name
	// index holds what the engine asks on every step (effective clauses,
	// inbound counts), computed once by Parse: a spec is read-only after
	// Parse, so it is shared by every execution without locks.
	index *workflowIndex
	// Definition is this workflow's YAML as Mistral stores and returns it in
	// "definition": the whole text for a one-workflow list, the workflow
	// re-dumped after the version for a multi-workflow list, the lines cut
	// out of the text for a workbook.
	Definition string
	Pos        Position // of the workflow's name
}

// Param is a declared input: a bare name is required, `name: default`
// makes it optional.
type Param struct {
	Name       string
	Default    any
	HasDefault bool
}

// Task is one task of a workflow.
type Task struct {
	Name        string
	Description string
	Tags        []string

	// Exactly one of Action and Workflow is set; a task with neither runs
	// std.noop (the parser fills Action in). Either may be an expression.
	Action   string
	Workflow string
	// InlineInput holds the `key=value` params written after the action or
	// workflow name. Mistral merges them over Input (utils.merge_dicts with
	// overwrite): on conflict the inline value wins, nested dicts merge.
	InlineInput *value.Map
	// Input is a *value.Map, or a string holding one expression that
	// evaluates to a dict, or nil.
	Input any

	Publish        *value.Map // nil when absent
	PublishOnError *value.Map

	OnSuccess  *OnClause
	OnError    *OnClause
	OnComplete *OnClause

	Join Join

	// Reverse workflows.
	Requires []string

	WithItems []WithItem
	Target    string // may be an expression
	Keep      KeepResult
	Policies  Policies

	Pos Position
}

// OnClause is one of on-success / on-error / on-complete. The plain forms
// (a name, a list, `- name: <% guard %>`) fill Next only; the advanced form
// may also publish.
type OnClause struct {
	Next          []Transition
	Publish       *value.Map // advanced form `publish: {branch: ...}` or plain publish
	PublishGlobal *value.Map
	PublishAtomic *value.Map
	Pos           Position
}

// Transition leads to a task or an engine command (fail, succeed, pause,
// noop). Guard is the raw condition ("" = always). Params are the
// command's arguments (`fail msg="..."`).
type Transition struct {
	Target string
	Guard  any // nil = always; else a value holding an expression
	Params *value.Map
	Pos    Position
}

// Engine command names usable as transition targets.
const (
	CommandFail    = "fail"
	CommandSucceed = "succeed"
	CommandPause   = "pause"
	CommandNoop    = "noop"
)

// IsCommand reports whether name is an engine command. A real task of the
// same name wins over the command, so callers check the task first.
func IsCommand(name string) bool {
	switch name {
	case CommandFail, CommandSucceed, CommandPause, CommandNoop:
		return true
	}
	return false
}

// Join says how many inbound transitions a task waits for.
// Count == 0 means no join (the task starts on every arrival); All means
// every inbound task; otherwise Count arrivals (join: one is Count 1).
type Join struct {
	All   bool
	Count int
}

// IsJoin reports whether the task is a join task.
func (j Join) IsJoin() bool { return j.All || j.Count > 0 }

// WithItem is one `var in <collection>` of with-items. Collection is a
// value (a list or an expression string).
type WithItem struct {
	Var        string
	Collection any
}

// KeepResult is the keep-result attribute. Set says it was written; Value
// is then a bool or an expression string. Absent means keep the result.
type KeepResult struct {
	Set   bool
	Value any // bool or expression string
}

// Policies holds the task policies. Every value may be an expression
// (kept as written); nil means not set.
type Policies struct {
	Retry       *Retry
	WaitBefore  any
	WaitAfter   any
	Timeout     any
	PauseBefore any
	Concurrency any
	FailOn      any
	SafeRerun   any
}

// Retry is the retry policy.
type Retry struct {
	Count      any
	Delay      any
	BreakOn    any
	ContinueOn any
}

// TaskDefaults are merged into every task that does not set the value itself.
type TaskDefaults struct {
	OnSuccess  *OnClause
	OnError    *OnClause
	OnComplete *OnClause
	Requires   []string
	Policies   Policies
	Pos        Position
}

// Action is an ad-hoc action: a named wrapper around a base action.
type Action struct {
	Name        string // short name inside a workbook, like Workflow.Name
	Description string
	Tags        []string
	Base        string     // the wrapped action's name, inline params removed
	BaseInput   any        // *value.Map of expressions over the ad-hoc input, or nil
	BaseInline  *value.Map // `base: std.echo output=x` params; merged over BaseInput
	Input       []Param    // checked when a task calls the action: missing and unexpected names fail it
	Output      any        // any value, expressions over the base result; nil = pass through
	// Definition is the action's YAML as Mistral returns it: the whole text
	// for an action list, the lines cut out of the text for a workbook.
	Definition string
	Pos        Position // of the action's name
}
