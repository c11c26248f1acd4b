package compat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// Player plays the steps of one case against one server and records what
// it answered. The same player records goldens from Mistral and builds
// bora's record in the comparison test, so both go through one normaliser.
type Player struct {
	// Wait bounds each wait (and the final settle of every execution).
	Wait time.Duration
	// Poll is the pause between two looks at a waited-for state.
	Poll time.Duration
	// AfterTimeout bounds the waits of a case after one of its waits
	// timed out: a server missing a feature should not pay the full
	// bound at every later step.
	AfterTimeout time.Duration
	// Cleanup deletes what the case created once it is recorded (on
	// Mistral, which serves every case one after another).
	Cleanup bool
	// Logf reports cleanup problems; nil drops them.
	Logf func(format string, args ...any)
}

// play is the state of one run of one case.
type play struct {
	p    Player
	c    *Case
	cl   *client
	norm *normaliser
	// ids maps a start step's `as` name to the execution id it got.
	ids     map[string]string
	order   []string        // the `as` names, in start order
	deleted map[string]bool // executions a step deleted
	created []resource      // what uploads created, for cleanup
	// timedOut is set once a wait of the case timed out.
	timedOut bool
}

// Play runs c's steps against the server at baseURL and returns its record.
// Only a broken transport is an error: what the server answers, including
// refusals and hangs, is part of the record.
func (p Player) Play(ctx context.Context, c *Case, baseURL string) (*Record, error) {
	pl := &play{
		p: p, c: c, cl: newClient(baseURL), norm: newNormaliser(),
		ids: map[string]string{}, deleted: map[string]bool{},
	}
	if p.Cleanup {
		// Also after a failed play: leftovers would break the next case.
		defer func() {
			for _, problem := range pl.cleanup(ctx) {
				if p.Logf != nil {
					p.Logf("case %s: cleanup: %s", c.Name, problem)
				}
			}
		}()
	}
	rec := &Record{Executions: map[string]*Snapshot{}}
	for i, s := range c.Steps {
		res, err := pl.step(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("case %s step %d (%s): %w", c.Name, i, s.Op, err)
		}
		res.Op = s.Op
		pl.noteCreated(s, res)
		res.Fault = pl.norm.text(res.Fault)
		res.ValidError = pl.norm.text(res.ValidError)
		rec.Steps = append(rec.Steps, res)
	}
	for _, name := range pl.order {
		if pl.deleted[name] {
			continue
		}
		settled, _, err := pl.waitExecution(ctx, pl.ids[name], "")
		if err != nil {
			return nil, fmt.Errorf("case %s: settle %s: %w", c.Name, name, err)
		}
		snap, err := pl.snapshot(ctx, name, pl.ids[name], 0)
		if err != nil {
			return nil, fmt.Errorf("case %s: snapshot %s: %w", c.Name, name, err)
		}
		snap.Unsettled = !settled
		rec.Executions[name] = snap
	}
	return rec, nil
}

func (pl *play) step(ctx context.Context, s Step) (StepResult, error) {
	switch s.Op {
	case OpCreateWorkflows:
		return pl.upload(ctx, "POST", "/workflows"+nsQuery(s.Namespace), s.File, "workflows")
	case OpCreateActions:
		return pl.upload(ctx, "POST", "/actions", s.File, "actions")
	case OpCreateWorkbook:
		return pl.upload(ctx, "POST", "/workbooks"+nsQuery(s.Namespace), s.File, "")
	case OpUpdateWorkbook:
		return pl.upload(ctx, "PUT", "/workbooks"+nsQuery(s.Namespace), s.File, "")
	case OpGetWorkbook:
		return pl.simple(ctx, "GET", "/workbooks/"+url.PathEscape(s.Name)+nsQuery(s.Namespace), nil)
	case OpDeleteWorkbook:
		return pl.simple(ctx, "DELETE", "/workbooks/"+url.PathEscape(s.Name)+nsQuery(s.Namespace), nil)
	case OpValidateWorkflows:
		return pl.validate(ctx, s)
	case OpCreateEnvironment:
		return pl.simple(ctx, "POST", "/environments", s.Body)
	case OpStart:
		return pl.start(ctx, s)
	case OpWait:
		ok, state, err := pl.waitExecution(ctx, pl.ids[s.Execution], s.State)
		res := StepResult{State: state}
		if !ok {
			res.Problem = "timed out waiting for execution state " + orFinal(s.State)
		}
		return res, err
	case OpWaitTask:
		return pl.waitTask(ctx, s)
	case OpCompleteAction:
		return pl.completeAction(ctx, s)
	case OpPause:
		return pl.setStateOf(ctx, s, map[string]any{"state": "PAUSED"})
	case OpResume:
		return pl.setStateOf(ctx, s, map[string]any{"state": "RUNNING"})
	case OpCancel:
		return pl.setStateOf(ctx, s, map[string]any{"state": "CANCELLED"})
	case OpUpdateExecution:
		var body map[string]any
		if err := json.Unmarshal(s.Body, &body); err != nil {
			return StepResult{}, fmt.Errorf("decode body: %w", err)
		}
		return pl.setState(ctx, s.Execution, body)
	case OpRerun:
		return pl.rerun(ctx, s)
	case OpDeleteExecution:
		res, err := pl.simple(ctx, "DELETE", "/executions/"+pl.ids[s.Execution], nil)
		if err == nil && res.Status < 300 {
			pl.deleted[s.Execution] = true
		}
		return res, err
	case OpGetExecution:
		return pl.simple(ctx, "GET", "/executions/"+pl.ids[s.Execution], nil)
	case OpSnapshot:
		snap, err := pl.snapshot(ctx, s.Execution, pl.ids[s.Execution], 0)
		return StepResult{Snapshot: snap}, err
	}
	return StepResult{}, fmt.Errorf("unknown op %q", s.Op)
}

func orFinal(state string) string {
	if state == "" {
		return "(any final state)"
	}
	return state
}
