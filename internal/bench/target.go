package bench

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Target is a server under test. Every target speaks the Mistral REST API
// v2; the benchmark drives all of them through Client.
type Target interface {
	// Describe names the target in reports ("http://127.0.0.1:8989",
	// "embedded bora, sqlite").
	Describe() string
	Client() *Client
	// Close stops what the target started and removes what it created.
	Close(ctx context.Context) error
}

// ExactTimer is implemented by targets that can read an execution's
// created_at and updated_at at full precision (the store keeps
// microseconds; the API, like Mistral's, renders whole seconds).
type ExactTimer interface {
	ExecutionTimes(ctx context.Context, id string) (created, updated time.Time, err error)
}

// CPUMeter is implemented by targets that can tell the CPU time the
// server has used so far: the sum over every process the target runs
// (one for embedded; a future --cluster of engines and executors adds
// its processes' times).
type CPUMeter interface {
	CPUTime() (time.Duration, error)
	// CPUNote says what the number includes, for the report.
	CPUNote() string
	// CPUResolution is the meter's unit: a workflow's rounds must use
	// minCPUTicks of them for its CPU per task to be reported.
	CPUResolution() time.Duration
}

// minCPUTicks is how many units of its meter a workflow's CPU time must
// reach to be reported (10%): /proc counts in 10 ms, and ten 1 ms
// executions would otherwise read as 0 or 10 ms.
const minCPUTicks = 10

// urlTarget is any server reached by URL: bora or the real Mistral.
type urlTarget struct {
	client *Client
}

// NewURLTarget returns a target for a running server at base.
func NewURLTarget(base string, concurrency int) (Target, error) {
	c, err := NewClient(base, concurrency)
	if err != nil {
		return nil, err
	}
	return &urlTarget{client: c}, nil
}

func (t *urlTarget) Describe() string { return t.client.Base() }

func (t *urlTarget) Client() *Client { return t.client }

func (t *urlTarget) Close(context.Context) error {
	t.client.CloseIdle()
	return nil
}

// apiTimeLayouts are the forms Mistral-compatible servers render times in:
// Mistral's "2026-11-24 01:38:50" and ISO 8601. Go parses an optional
// fractional second after the seconds even when the layout has none.
var apiTimeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", time.RFC3339Nano}

// parseAPITime reads an API timestamp (UTC when no zone is given) and
// reports whether it had sub-second digits.
func parseAPITime(s string) (t time.Time, fine bool, err error) {
	for _, layout := range apiTimeLayouts {
		if t, err = time.Parse(layout, s); err == nil {
			return t, t.Nanosecond() != 0 || hasFraction(s), nil
		}
	}
	return time.Time{}, false, fmt.Errorf("timestamp %q: not a time the API renders", s)
}

// hasFraction tells "…:05.000000" (fine, happens to be zero) from "…:05";
// only the seconds can carry a dot.
func hasFraction(s string) bool { return strings.Contains(s, ".") }
