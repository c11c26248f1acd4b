package bench

import (
	"context"
	"fmt"
	"time"
)

// terminal are the states an execution ends in.
var terminal = map[string]bool{"SUCCESS": true, "ERROR": true, "CANCELLED": true}

// firstPoll is the first wait before polling an execution; the wait
// doubles up to Options.Poll, so a short execution is seen finishing
// quickly and a long one costs few requests.
const firstPoll = time.Millisecond

// pollFraction lets the wait grow past Options.Poll to 1/pollFraction of
// the time an execution has run: each poll makes the server read the
// whole execution (a with-items input of 10,000 items, say), and polling
// a 2 s execution every 10 ms cost the server a sixth of its CPU. The
// client's time is then late by at most 2.5%.
const pollFraction = 40

// nextPoll is the wait after one of wait, elapsed since the start.
func nextPoll(wait, poll, elapsed time.Duration) time.Duration {
	return min(2*wait, max(poll, elapsed/pollFraction))
}

// sample is what one execution measured.
type sample struct {
	id, state, stateInfo string
	// start is just before the POST, end when a poll first saw the
	// terminal state (client clock).
	start, end time.Time
	// posted is when the POST's answer arrived.
	posted time.Time
	// apiCreated/apiUpdated are the API's timestamps from the last GET;
	// apiFine says they had sub-second digits.
	apiCreated, apiUpdated time.Time
	apiOK, apiFine         bool
	// exactCreated/exactUpdated come from an ExactTimer.
	exactCreated, exactUpdated time.Time
	exactOK                    bool
	err                        error
}

func (s *sample) client() time.Duration { return s.end.Sub(s.start) }

func (s *sample) post() time.Duration { return s.posted.Sub(s.start) }

// runExecution starts one execution and polls it to a terminal state.
// An execution that does not finish within timeout is recorded as
// TIMEOUT; only a cancelled ctx or a failing API is an error.
func runExecution(ctx context.Context, t Target, workflow, tag string, poll, timeout time.Duration) sample {
	c := t.Client()
	s := sample{start: time.Now()}
	ex, err := c.StartExecution(ctx, workflow, tag)
	s.posted = time.Now()
	if err != nil {
		s.end, s.state, s.err = time.Now(), "NOT STARTED", err
		return s
	}
	s.id = ex.ID
	deadline := s.start.Add(timeout)
	wait := firstPoll
	for !terminal[ex.State] {
		if time.Now().After(deadline) {
			s.end, s.state = time.Now(), "TIMEOUT"
			return s
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			s.end, s.state, s.err = time.Now(), "INTERRUPTED", ctx.Err()
			return s
		case <-timer.C:
		}
		wait = nextPoll(wait, poll, time.Since(s.start))
		if ex, err = c.GetExecution(ctx, s.id); err != nil {
			s.end, s.state, s.err = time.Now(), "UNKNOWN", fmt.Errorf("poll execution %s: %w", s.id, err)
			return s
		}
	}
	s.end, s.state, s.stateInfo = time.Now(), ex.State, ex.StateInfo
	s.readAPITimes(ex)
	if et, ok := t.(ExactTimer); ok {
		created, updated, err := et.ExecutionTimes(ctx, s.id)
		if err != nil {
			s.err = err
		} else {
			s.exactCreated, s.exactUpdated, s.exactOK = created, updated, true
		}
	}
	return s
}

// readAPITimes keeps the execution's created_at → updated_at when both
// parse; a server that leaves updated_at null gives no API time.
func (s *sample) readAPITimes(ex Execution) {
	created, fine1, err1 := parseAPITime(ex.CreatedAt)
	updated, fine2, err2 := parseAPITime(ex.UpdatedAt)
	if err1 != nil || err2 != nil {
		return
	}
	s.apiCreated, s.apiUpdated, s.apiOK, s.apiFine = created, updated, true, fine1 && fine2
}
