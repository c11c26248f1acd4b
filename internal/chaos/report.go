package chaos

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Log lines bora's processes write when they refuse a late result: the
// executor's heartbeat found its lease gone, or its report hit the lease
// guard. Either way the result was not applied (P5).
var staleLogLines = []string{
	"lease lost while running; dropping the result",
	"result rejected, the lease moved on",
	"lease lost while reporting; dropping the result",
}

// Log lines of an executor that received a work item whose lease had
// ended, or could not be shown to hold, before the item could start: it
// dropped or handed back the item unrun (the executor's start fence).
var fencedLogLines = []string{
	"work item arrived after its lease ended; not running it",
	"could not confirm the leases of late-arriving work items; not running them",
}

// ExecutorLost is the state_info of a non-safe action whose executor was
// lost (engine.ExecutorLost; repeated here so the harness reads bora from
// the outside only).
const ExecutorLost = "executor lost while running"

// Report holds one scenario's figures (section 5 of the reliability
// research) and decides whether its promises held.
type Report struct {
	Scenario string
	Config   string
	Duration time.Duration

	Started      int // executions the API acknowledged
	StartRefused int // starts answered with an error status (not acknowledged)
	StartUnknown int // starts with no answer (indeterminate)
	Completed    int // acknowledged and terminal
	Succeeded    int
	LostExecutor int // ERROR because a non-safe action's executor was lost
	OtherErrors  int // ERROR for any other reason
	Stuck        int // acknowledged, present, not terminal at the end
	Lost         int // acknowledged, absent from the database

	Runs          int // sink hits
	DupSafe       int // second runs of safe-rerun actions (allowed)
	DupUnsafe     int // second runs of other actions (must be 0)
	StaleRejected int // late results refused (from the processes' logs)
	LateClaims    int // items whose lease ended in transit, not started (from the logs)
	Faults        int // faults injected
	Deadlocks     int // "deadlock detected" in the processes' logs (issue 5, item 6)

	MaxRecovery time.Duration // worst time from a fault to recovery
	Bound       time.Duration // the configured bound on it
	Drain       time.Duration // from the last fault's end to all terminal

	// NoExecutorLoss is set when the scenario loses no executor: an ERROR
	// "executor lost while running" then means a live executor's result
	// was dropped (issue 5, item 5: everything finishes after an outage).
	NoExecutorLoss bool

	Extra    [][2]string // scenario-specific figures
	Examples []string    // a few ids and reasons behind bad figures
}

// Add records a scenario-specific figure.
func (r *Report) Add(name string, format string, args ...any) {
	r.Extra = append(r.Extra, [2]string{name, fmt.Sprintf(format, args...)})
}

// Settle waits until every acknowledged execution is terminal, or until
// deadline; then it fills in the completion figures.
func (r *Report) Settle(ctx context.Context, in *Inspector, starts []Start, deadline time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	began := time.Now()
	var execs map[string]ExecState
	for {
		var err error
		execs, err = in.Executions(context.WithoutCancel(ctx))
		if err != nil {
			return err
		}
		if allTerminal(execs, starts) || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
	r.Drain = time.Since(began)
	r.tally(execs, starts)
	return nil
}

func allTerminal(execs map[string]ExecState, starts []Start) bool {
	for _, s := range starts {
		if !s.Acked() {
			continue
		}
		if e, ok := execs[s.ID]; !ok || !e.Terminal() {
			return false
		}
	}
	return true
}

func (r *Report) tally(execs map[string]ExecState, starts []Start) {
	for _, s := range starts {
		switch {
		case s.Acked():
			r.Started++
		case s.Code == 0:
			r.StartUnknown++
			continue
		default:
			r.StartRefused++
			continue
		}
		e, ok := execs[s.ID]
		switch {
		case !ok:
			r.Lost++
			r.example("lost: %s (key %s)", s.ID, s.Key)
		case !e.Terminal():
			r.Stuck++
			r.example("stuck: %s (key %s) %s", s.ID, s.Key, e.State)
		default:
			r.Completed++
			switch {
			case e.State == "SUCCESS":
				r.Succeeded++
			case strings.Contains(e.StateInfo, ExecutorLost):
				r.LostExecutor++
			default:
				r.OtherErrors++
				r.example("error: %s (key %s) %s: %.200s", s.ID, s.Key, e.State, e.StateInfo)
			}
		}
	}
}

// Count fills in the sink and log figures.
func (r *Report) Count(sink *Sink, c *Cluster) {
	t := sink.Tally()
	r.Runs, r.DupSafe, r.DupUnsafe = t.Runs, t.DupSafe, t.DupUnsafe
	for _, k := range t.DupUnsafeKeys {
		r.example("ran %d times: %s", sink.Count(k), k)
	}
	for _, line := range staleLogLines {
		r.StaleRejected += c.CountLog(line)
	}
	for _, line := range fencedLogLines {
		r.LateClaims += c.CountLog(line)
	}
	r.Deadlocks = c.CountLog("deadlock detected")
}

// Recovered records one recovery time.
func (r *Report) Recovered(d time.Duration) {
	r.MaxRecovery = max(r.MaxRecovery, d)
}

func (r *Report) example(format string, args ...any) {
	if len(r.Examples) < 10 {
		r.Examples = append(r.Examples, fmt.Sprintf(format, args...))
	}
}

// Violations lists the promises the figures break: P1 (lost), P2 (stuck,
// recovery past its bound), P3 (a non-safe action run twice) and
// executions failed for no reason the faults explain.
func (r *Report) Violations() []string {
	var v []string
	if r.Lost > 0 {
		v = append(v, fmt.Sprintf("P1: %d acknowledged executions lost", r.Lost))
	}
	if r.Stuck > 0 {
		v = append(v, fmt.Sprintf("P2: %d executions stuck", r.Stuck))
	}
	if r.Bound > 0 && r.MaxRecovery > r.Bound {
		v = append(v, fmt.Sprintf("P2: recovery took %s, over the bound %s", r.MaxRecovery.Round(time.Millisecond), r.Bound))
	}
	if r.DupUnsafe > 0 {
		v = append(v, fmt.Sprintf("P3: %d second runs of non-safe actions", r.DupUnsafe))
	}
	if r.NoExecutorLoss && r.LostExecutor > 0 {
		v = append(v, fmt.Sprintf("%d executions failed with %q though no executor was lost: a live executor's result was dropped", r.LostExecutor, ExecutorLost))
	}
	if r.Deadlocks > 0 {
		v = append(v, fmt.Sprintf("%d deadlocks reported by PostgreSQL", r.Deadlocks))
	}
	if r.OtherErrors > 0 {
		v = append(v, fmt.Sprintf("%d executions failed for a reason other than a lost executor", r.OtherErrors))
	}
	return v
}

// String renders the figures as a table.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s (%s), %s\n", r.Scenario, r.Config, r.Duration.Round(time.Millisecond))
	rows := [][2]string{
		{"started (acknowledged)", fmt.Sprint(r.Started)},
		{"starts refused / unanswered", fmt.Sprintf("%d / %d", r.StartRefused, r.StartUnknown)},
		{"completed", fmt.Sprintf("%d (SUCCESS %d, ERROR executor lost %d, ERROR other %d)", r.Completed, r.Succeeded, r.LostExecutor, r.OtherErrors)},
		{"stuck", fmt.Sprint(r.Stuck)},
		{"lost", fmt.Sprint(r.Lost)},
		{"action runs (sink)", fmt.Sprint(r.Runs)},
		{"duplicate runs safe / non-safe", fmt.Sprintf("%d / %d", r.DupSafe, r.DupUnsafe)},
		{"stale results rejected", fmt.Sprint(r.StaleRejected)},
		{"late claims not started", fmt.Sprint(r.LateClaims)},
		{"faults injected", fmt.Sprint(r.Faults)},
		{"deadlocks", fmt.Sprint(r.Deadlocks)},
		{"max recovery / bound", fmt.Sprintf("%s / %s", r.MaxRecovery.Round(time.Millisecond), r.Bound)},
		{"drain after faults", r.Drain.Round(time.Millisecond).String()},
	}
	for _, row := range append(rows, r.Extra...) {
		fmt.Fprintf(&b, "  %-38s %s\n", row[0], row[1])
	}
	sort.Strings(r.Examples)
	for _, e := range r.Examples {
		fmt.Fprintf(&b, "  ! %s\n", e)
	}
	return b.String()
}
