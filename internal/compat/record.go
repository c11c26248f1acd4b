package compat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Record is what a server did with a case's steps: golden.json holds
// Mistral's, and the comparison test builds bora's the same way.
type Record struct {
	// Steps has one entry per step of the case, in order.
	Steps []StepResult `json:"steps"`
	// Executions holds the final snapshot of every execution the case
	// started (by its `as` name), taken once it settled.
	Executions map[string]*Snapshot `json:"executions"`
}

// StepResult is the answer to one step.
type StepResult struct {
	Op string `json:"op"`
	// Status is the HTTP status of the step's request (of its last one for
	// steps that send several); Fault is the faultstring of an error.
	Status int    `json:"status,omitempty"`
	Fault  string `json:"faultstring,omitempty"`
	// State is what wait/wait_task saw last, or what a state change answered.
	State string `json:"state,omitempty"`
	// Created lists what an upload created: workflow or action names
	// (sorted), or the workbook name.
	Created []string `json:"created,omitempty"`
	// Valid and ValidError are a validate step's answer.
	Valid      *bool  `json:"valid,omitempty"`
	ValidError string `json:"valid_error,omitempty"`
	// Snapshot is a snapshot step's picture of the execution.
	Snapshot *Snapshot `json:"snapshot,omitempty"`
	// Problem says why the step could not be played as written (a wait
	// that timed out, a task that never appeared): part of the record, as
	// a server that hangs differs from one that does not.
	Problem string `json:"problem,omitempty"`
}

// Snapshot is one execution as the API shows it, normalised.
type Snapshot struct {
	WorkflowName string `json:"workflow_name"`
	Namespace    string `json:"workflow_namespace"`
	State        string `json:"state"`
	StateInfo    any    `json:"state_info"`
	Input        any    `json:"input"`
	Output       any    `json:"output"`
	// Unsettled is set when the execution was still running when the
	// snapshot gave up waiting.
	Unsettled bool          `json:"unsettled,omitempty"`
	Tasks     []*TaskRecord `json:"tasks"`
}

// TaskRecord is one task execution.
type TaskRecord struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	State     string `json:"state"`
	StateInfo any    `json:"state_info"`
	Published any    `json:"published"`
	Result    any    `json:"result"`
	// Actions is how many action executions the task ran: retries,
	// continue-on loops and reruns show here.
	Actions int `json:"actions"`
	// Problem is set when the task could not be read in full.
	Problem string `json:"problem,omitempty"`
	// Executions are the sub-workflow executions of a workflow task.
	Executions []*Snapshot `json:"executions,omitempty"`
}

// goldenFile is where a case keeps Mistral's record.
func goldenFile(c *Case) string { return filepath.Join(c.Dir, "golden.json") }

// ReadGolden loads a case's golden record as generic JSON.
func ReadGolden(c *Case) (any, error) {
	raw, err := os.ReadFile(goldenFile(c))
	if err != nil {
		return nil, fmt.Errorf("read golden of %s: %w", c.Name, err)
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("decode golden of %s: %w", c.Name, err)
	}
	return v, nil
}

// WriteGolden stores rec as the case's golden record, in the case's
// directory or, when outDir is set, in outDir/<case>/golden.json.
func WriteGolden(c *Case, rec *Record, outDir string) error {
	raw, err := encodeJSON(rec)
	if err != nil {
		return fmt.Errorf("encode golden of %s: %w", c.Name, err)
	}
	file := goldenFile(c)
	if outDir != "" {
		file = filepath.Join(outDir, c.Name, "golden.json")
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return fmt.Errorf("write golden of %s: %w", c.Name, err)
		}
	}
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		return fmt.Errorf("write golden of %s: %w", c.Name, err)
	}
	return nil
}

// Generic turns a record into the generic JSON tree the comparison walks,
// exactly as it would read back from golden.json.
func Generic(rec *Record) (any, error) {
	raw, err := encodeJSON(rec)
	if err != nil {
		return nil, err
	}
	return decodeJSON(raw)
}

// decodeJSON keeps numbers as written: Mistral's 1 and 1.0 differ.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// encodeJSON is indented with sorted keys and without HTML escaping, so
// goldens diff well in review.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
