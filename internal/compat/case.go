package compat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Case is one directory under testdata/cases: what to do (case.json) and
// the files its steps upload.
type Case struct {
	Name string `json:"-"` // the directory name
	Dir  string `json:"-"`

	// Feature groups the case in the summary; one of the items
	// ("reverse", "subworkflow", "with-items", ...).
	Feature     string `json:"feature"`
	Description string `json:"description"`
	Steps       []Step `json:"steps"`

	// Ignore removes parts of both the golden and bora's record before they
	// are compared: Mistral's own answer is not deterministic there.
	Ignore []Ignore `json:"ignore,omitempty"`
	// Bora, when set, marks a deliberate difference: bora's record is
	// compared with the golden patched by Bora.Set instead of the golden.
	Bora *Deliberate `json:"bora,omitempty"`
	// TimeoutSeconds bounds each wait of the case on Mistral (default 30;
	// bora gets a fraction of it, see Player).
	TimeoutSeconds int `json:"timeout_seconds,omitempty"`
}

// Ignore is one path (see Path) that is not compared, and why.
type Ignore struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Deliberate is where bora differs from Mistral on purpose.
type Deliberate struct {
	Reason string `json:"reason"`
	// Set maps paths of the golden to the value bora is expected to give
	// instead; a null value means bora is expected to omit the path.
	Set map[string]json.RawMessage `json:"set"`
}

// Step is one request (or wait) of a case. Op says which; the other fields
// are its arguments, the ones an op does not use stay empty.
type Step struct {
	Op string `json:"op"`

	// File is a definition file of the case (create_workflows,
	// create_workbook, update_workbook, create_actions, validate_workflows).
	File string `json:"file,omitempty"`
	// Namespace goes to ?namespace= on uploads and to workflow_namespace
	// on start.
	Namespace string `json:"namespace,omitempty"`

	// As names the execution a start step creates, so later steps can
	// refer to it; Execution refers to such a name.
	As        string `json:"as,omitempty"`
	Execution string `json:"execution,omitempty"`

	Workflow string          `json:"workflow,omitempty"`
	Input    json.RawMessage `json:"input,omitempty"`
	Params   json.RawMessage `json:"params,omitempty"`
	// Body is sent as is (update_execution, create_environment).
	Body json.RawMessage `json:"body,omitempty"`

	// Task and State select what wait_task waits for, State what wait
	// waits for (empty: any final state) and what complete_action sends.
	Task  string `json:"task,omitempty"`
	State string `json:"state,omitempty"`
	// Actions is how many running action executions wait_task waits for
	// (default 0: only the task state counts).
	Actions int `json:"actions,omitempty"`
	// Tasks is how many tasks of the path wait_task waits for, each in
	// State with Actions running actions (default 1): the children of a
	// with-items workflow task each have a task of the same path.
	Tasks int `json:"tasks,omitempty"`
	// Output is the action result complete_action sends, as JSON text in
	// a string the way python-mistralclient sends it; with OutputRaw it is
	// sent as a JSON value instead (Mistral parses a string as JSON).
	Output    json.RawMessage `json:"output,omitempty"`
	OutputRaw bool            `json:"output_raw,omitempty"`
	// Count limits how many of the task's running action executions
	// complete_action completes (0: all of them). On pause, resume and
	// cancel with Task it limits how many sub-executions are addressed.
	Count int `json:"count,omitempty"`
	// Reset and Env are rerun's arguments.
	Reset *bool           `json:"reset,omitempty"`
	Env   json.RawMessage `json:"env,omitempty"`
	// Name is the resource a get/delete step addresses (environments).
	Name string `json:"name,omitempty"`
}

// The ops a step may name.
const (
	OpCreateWorkflows   = "create_workflows"
	OpValidateWorkflows = "validate_workflows"
	OpCreateWorkbook    = "create_workbook"
	OpUpdateWorkbook    = "update_workbook"
	OpGetWorkbook       = "get_workbook"
	OpDeleteWorkbook    = "delete_workbook"
	OpCreateActions     = "create_actions"
	OpCreateEnvironment = "create_environment"
	OpStart             = "start"
	OpWait              = "wait"
	OpWaitTask          = "wait_task"
	OpCompleteAction    = "complete_action"
	OpPause             = "pause"
	OpResume            = "resume"
	OpCancel            = "cancel"
	OpUpdateExecution   = "update_execution"
	OpRerun             = "rerun"
	OpDeleteExecution   = "delete_execution"
	OpGetExecution      = "get_execution"
	OpSnapshot          = "snapshot"
)

var knownOps = []string{
	OpCreateWorkflows, OpValidateWorkflows, OpCreateWorkbook, OpUpdateWorkbook,
	OpGetWorkbook, OpDeleteWorkbook, OpCreateActions, OpCreateEnvironment,
	OpStart, OpWait, OpWaitTask, OpCompleteAction, OpPause, OpResume, OpCancel,
	OpUpdateExecution, OpRerun, OpDeleteExecution, OpGetExecution, OpSnapshot,
}

// LoadCases reads every case under dir (one sub-directory each), sorted
// by name.
func LoadCases(dir string) ([]*Case, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read cases directory: %w", err)
	}
	var cases []*Case
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		c, err := LoadCase(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// LoadCase reads one case directory and checks its steps.
func LoadCase(dir string) (*Case, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		return nil, fmt.Errorf("read case: %w", err)
	}
	c := &Case{Name: filepath.Base(dir), Dir: dir}
	dec := json.NewDecoder(bytes.NewReader(raw))
	// A misspelt field would silently drop a step's argument.
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("case %s: decode case.json: %w", c.Name, err)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("case %s: %w", c.Name, err)
	}
	return c, nil
}

func (c *Case) check() error {
	if c.Feature == "" {
		return fmt.Errorf("no feature")
	}
	if len(c.Steps) == 0 {
		return fmt.Errorf("no steps")
	}
	started := map[string]bool{}
	for i, s := range c.Steps {
		if !slices.Contains(knownOps, s.Op) {
			return fmt.Errorf("step %d: unknown op %q", i, s.Op)
		}
		if s.File != "" {
			if _, err := os.Stat(filepath.Join(c.Dir, s.File)); err != nil {
				return fmt.Errorf("step %d: %w", i, err)
			}
		}
		switch s.Op {
		case OpStart:
			if s.As == "" {
				return fmt.Errorf("step %d: start needs as", i)
			}
			started[s.As] = true
		case OpWait, OpWaitTask, OpCompleteAction, OpPause, OpResume, OpCancel,
			OpUpdateExecution, OpRerun, OpDeleteExecution, OpGetExecution, OpSnapshot:
			if !started[s.Execution] {
				return fmt.Errorf("step %d: execution %q not started before", i, s.Execution)
			}
		}
		if (s.Op == OpWaitTask || s.Op == OpCompleteAction || s.Op == OpRerun) && s.Task == "" {
			return fmt.Errorf("step %d: %s needs task", i, s.Op)
		}
		if s.Tasks < 0 || (s.Tasks > 0 && s.Op != OpWaitTask) {
			return fmt.Errorf("step %d: tasks is a positive count of wait_task", i)
		}
		if s.Op == OpRerun && s.Reset == nil {
			return fmt.Errorf("step %d: rerun needs reset", i)
		}
	}
	for _, ig := range c.Ignore {
		if ig.Reason == "" {
			return fmt.Errorf("ignore %q: no reason", ig.Path)
		}
	}
	if c.Bora != nil && c.Bora.Reason == "" {
		return fmt.Errorf("bora difference without a reason")
	}
	return nil
}

// timeoutSeconds is the case's wait bound on Mistral.
func (c *Case) timeoutSeconds() int {
	if c.TimeoutSeconds > 0 {
		return c.TimeoutSeconds
	}
	return 30
}
