package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func sampleReport() *Report {
	cpu := 0.00035
	return &Report{
		Target: "embedded bora, SQLite (temporary file)", Started: time.Date(2026, 11, 24, 3, 40, 0, 0, time.UTC),
		Runs: 3, Concurrency: 2, PollSeconds: 0.01, GoVersion: "go1.26.8", GOOS: "linux", GOARCH: "amd64", CPUs: 2,
		CPUNote: "process CPU of the bench process",
		Results: []Result{
			{
				Workflow: "seq_1000", Shape: ShapeSeq, N: 1000, TaskExecutions: 1000, ActionExecutions: 1000,
				Runs: 3, Concurrency: 2, Executions: 6, Succeeded: 6, States: map[string]int{"SUCCESS": 6},
				Timing: TimingStore, ExecSeconds: Stats{Count: 6, Min: 0.18, P50: 0.19, Avg: 0.2, Max: 0.25},
				StoreSeconds:         &Stats{Count: 6, Min: 0.18, P50: 0.19, Avg: 0.2, Max: 0.25},
				BeforeCreatedSeconds: &Stats{Count: 6, Min: 0.001, P50: 0.001, Avg: 0.001, Max: 0.001},
				AfterUpdatedSeconds:  &Stats{Count: 6, Min: 0.01, P50: 0.05, Avg: 0.15, Max: 0.2},
				ClientSeconds:        Stats{Count: 6, Min: 0.19, P50: 0.2, Avg: 0.21, Max: 0.26},
				PostSeconds:          Stats{Count: 6, Min: 0.002, P50: 0.003, Avg: 0.003, Max: 0.004},
				SecondsPerTask:       0.0002, SecondsPerAction: 0.0002, TasksPerSecond: 5000, ActionsPerSecond: 5000,
				ClientTasksPerSecond: 4800, CPUSecondsPerTask: &cpu, CPUSecondsPerAction: &cpu,
				Verified: &Verification{ExecutionID: "e1", Executions: 1, TaskExecutions: 1000, OK: true},
			},
			{
				Workflow: "join_10", Shape: ShapeJoin, N: 10, TaskExecutions: 11, ActionExecutions: 11,
				Runs: 3, Concurrency: 2, Executions: 6, Succeeded: 5, States: map[string]int{"SUCCESS": 5, "ERROR": 1},
				Timing: TimingClient, TimingNote: "the API's timestamps have 1 s resolution and executions averaged under 10 s",
				ExecSeconds: Stats{Count: 5, Min: 0.5, P50: 0.6, Avg: 0.7, Max: 1.2}, ClientSeconds: Stats{Count: 5, Min: 0.5, P50: 0.6, Avg: 0.7, Max: 1.2},
				APISeconds:     &Stats{Count: 5, Min: 0, P50: 1, Avg: 0.6, Max: 1},
				SecondsPerTask: 0.7 / 11, TasksPerSecond: 30, ActionsPerSecond: 30,
				Verified:    &Verification{ExecutionID: "e2", Executions: 1, TaskExecutions: 10, OK: false},
				CPUTooSmall: true,
				Errors:      []string{"e3 ERROR: Failure caused by error in tasks: t3"},
			},
		},
	}
}

func TestWriteTable(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, WriteTable(&buf, sampleReport()))
	out := buf.String()
	lines := strings.Split(out, "\n")
	require.Equal(t, "target: embedded bora, SQLite (temporary file)", lines[0])
	require.Contains(t, out, "3 sequential round(s) x 2 concurrent execution(s); 2 CPUs")

	// The header and the rows line up: right-aligned columns end together.
	header, seq, join := lines[3], lines[4], lines[5]
	require.Equal(t, len(header), len(seq))
	require.Equal(t, len(header), len(join))
	require.Equal(t, []string{"workflow", "tasks", "actions", "ok", "exec", "ms", "min", "p50", "avg", "max", "ms/task",
		"tasks/s", "actions/s", "CPU", "ms/task", "CPU", "ms/action", "timing", "client", "p50", "ms", "avg", "POST", "avg", "ms",
		"checked"}, strings.Fields(header))
	require.Equal(t, []string{"seq_1000", "1000", "1000", "6/6", "180.0", "190.0", "200.0", "250.0", "0.200", "5000",
		"5000", "0.350", "0.350", "store", "200.0", "210.0", "3.0", "ok"}, strings.Fields(seq))
	require.Equal(t, []string{"join_10", "11", "11", "5/6", "500.0", "600.0", "700.0", "1200.0", "63.636", "30", "30",
		"-", "-", "client", "600.0", "700.0", "0.0", "MISMATCH"}, strings.Fields(join))

	require.Contains(t, out, "timing store: the execution's created_at -> updated_at read from the store")
	require.Contains(t, out, "timing client: before POST -> first poll seeing the end (polls back off from 1 ms to 10 ms, or 1/40 of the time elapsed if longer); why, below.")
	require.Contains(t, out, "CPU: process CPU of the bench process.")
	require.Contains(t, out, "CPU -: under 10 units of the meter over the rounds")
	require.Contains(t, out, "join_10: e3 ERROR: Failure caused by error in tasks: t3")
	require.Contains(t, out, "join_10: timing client: the API's timestamps have 1 s resolution and executions averaged under 10 s.")
	require.NotContains(t, out, "seq_1000: timing")
	require.Contains(t, out, "join_10: execution e2: the API shows 10 task executions (0 not SUCCESS) in 1 execution(s), want 11")
}

func TestWriteJSON(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	rep := sampleReport()
	require.NoError(t, WriteJSON(&buf, rep))
	var back Report
	require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
	require.Equal(t, *rep, back)

	// The field names are the interface for machines.
	var raw map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &raw))
	first := raw["results"].([]any)[0].(map[string]any)
	for _, key := range []string{"workflow", "task_executions", "executions", "succeeded", "timing", "exec_seconds",
		"client_seconds", "post_seconds", "store_seconds", "seconds_per_task", "seconds_per_action", "tasks_per_second",
		"actions_per_second", "cpu_seconds_per_task", "cpu_seconds_per_action", "verified"} {
		require.Contains(t, first, key)
	}
	require.Equal(t, 0.19, first["exec_seconds"].(map[string]any)["p50"])
	second := raw["results"].([]any)[1].(map[string]any)
	require.NotContains(t, second, "cpu_seconds_per_task", "absent, not zero, when not measured")
	require.NotContains(t, second, "store_seconds")
}

func TestProgressLine(t *testing.T) {
	t.Parallel()
	require.Equal(t, "seq_10 [..............................] 0/4  0.0s", progressLine("seq_10", 0, 4, 0))
	require.Equal(t, "seq_10 [###############...............] 2/4  1.5s", progressLine("seq_10", 2, 4, 1500*time.Millisecond))
	require.Equal(t, "seq_10 [##############################] 4/4  2.0s", progressLine("seq_10", 4, 4, 2*time.Second))

	var buf bytes.Buffer
	p := NewProgress(&buf)
	p.Begin("par_10", 2)
	p.Step()
	p.Step()
	p.End()
	require.Contains(t, buf.String(), "\r\x1b[Kpar_10 [##############################] 2/2")
	require.True(t, strings.HasSuffix(buf.String(), "\r\x1b[K"))
}

func TestSummarizeChoosesTiming(t *testing.T) {
	t.Parallel()
	def, err := Generate(Spec{Shape: ShapeSeq, N: 10})
	require.NoError(t, err)
	base := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
	mk := func(offset, apiDur, clientDur time.Duration, fine bool) sample {
		start := base.Add(offset)
		return sample{
			id: "x", state: "SUCCESS", start: start, end: start.Add(clientDur),
			apiCreated: start.Truncate(time.Second), apiUpdated: start.Truncate(time.Second).Add(apiDur),
			apiOK: true, apiFine: fine,
		}
	}
	opt := Options{Runs: 2, Concurrency: 2}

	// Whole-second API times of sub-second executions: timed by the client.
	rounds := [][]sample{
		{mk(0, 0, 100*time.Millisecond, false), mk(0, time.Second, 200*time.Millisecond, false)},
		{mk(time.Second, 0, 300*time.Millisecond, false), mk(time.Second, 0, 400*time.Millisecond, false)},
	}
	r := summarize(def, opt, rounds, nil)
	require.Equal(t, TimingClient, r.Timing)
	require.InDelta(t, 0.25, r.ExecSeconds.Avg, 1e-9)
	require.InDelta(t, 0.2, r.ExecSeconds.P50, 1e-9)
	// 4 executions x 10 tasks over 0.2 s + 0.4 s of rounds.
	require.InDelta(t, 40/0.6, r.TasksPerSecond, 1e-6)
	require.Nil(t, r.CPUSecondsPerTask)
	require.Equal(t, 4, r.Succeeded)

	// Long executions: the API's seconds are good enough.
	long := [][]sample{{mk(0, 20*time.Second, 20500*time.Millisecond, false)}}
	r = summarize(def, Options{Runs: 1, Concurrency: 1}, long, nil)
	require.Equal(t, TimingAPI, r.Timing)
	require.InDelta(t, 20, r.ExecSeconds.Avg, 1e-9)

	// Exact store times win, and failures are counted but not timed.
	exact := mk(0, 0, 5*time.Millisecond, false)
	exact.exactCreated, exact.exactUpdated, exact.exactOK = base, base.Add(2*time.Millisecond), true
	failed := sample{id: "y", state: "ERROR", stateInfo: "boom", start: base, end: base.Add(time.Millisecond)}
	cpu := 10 * time.Millisecond
	r = summarize(def, Options{Runs: 1, Concurrency: 2, Poll: 10 * time.Millisecond}, [][]sample{{exact, failed}}, &cpu)
	require.Equal(t, TimingStore, r.Timing)
	require.Empty(t, r.TimingNote)
	require.InDelta(t, 0.002, r.ExecSeconds.Max, 1e-9)
	require.Equal(t, map[string]int{"SUCCESS": 1, "ERROR": 1}, r.States)
	require.Equal(t, []string{"y ERROR: boom"}, r.Errors)
	require.InDelta(t, 0.010/20, *r.CPUSecondsPerTask, 1e-12)
	require.InDelta(t, 0.010/20, *r.CPUSecondsPerAction, 1e-12)
	require.InDelta(t, 0, r.BeforeCreatedSeconds.Avg, 1e-9)
	require.InDelta(t, 0.003, r.AfterUpdatedSeconds.Avg, 1e-9)

	// Store times that end long before the client sees the end miss
	// work: auto falls back to the client and says why.
	late := exact
	late.end = base.Add(100 * time.Millisecond)
	poll := Options{Runs: 1, Concurrency: 1, Poll: 10 * time.Millisecond}
	r = summarize(def, poll, [][]sample{{late}}, nil)
	require.Equal(t, TimingClient, r.Timing)
	require.Contains(t, r.TimingNote, "the end became visible 98.0 ms (avg) after updated_at")
	require.InDelta(t, 0.1, r.ExecSeconds.Avg, 1e-9)
	require.InDelta(t, 10/0.1, r.TasksPerSecond, 1e-6)

	// A source asked for is used when the target has it.
	for timing, want := range map[string]string{TimingStore: TimingStore, TimingAPI: TimingAPI, TimingClient: TimingClient} {
		o := poll
		o.Timing = timing
		r = summarize(def, o, [][]sample{{late}}, nil)
		require.Equal(t, want, r.Timing, timing)
	}
	o := poll
	o.Timing = TimingStore
	r = summarize(def, o, rounds, nil)
	require.Equal(t, TimingClient, r.Timing)
	require.Equal(t, "this target has no store times", r.TimingNote)
}

func TestRate(t *testing.T) {
	t.Parallel()
	require.Equal(t, "-", rate(0))
	require.Equal(t, "0.20", rate(0.196))
	require.Equal(t, "6.2", rate(6.15))
	require.Equal(t, "33663", rate(33663.4))
}

func TestParseAPITime(t *testing.T) {
	t.Parallel()
	got, fine, err := parseAPITime("2026-11-24 01:38:50")
	require.NoError(t, err)
	require.False(t, fine)
	require.Equal(t, time.Date(2026, 11, 24, 1, 38, 50, 0, time.UTC), got)
	got, fine, err = parseAPITime("2026-11-24 01:38:50.250000")
	require.NoError(t, err)
	require.True(t, fine)
	require.Equal(t, 250*time.Millisecond, got.Sub(time.Date(2026, 11, 24, 1, 38, 50, 0, time.UTC)))
	_, fine, err = parseAPITime("2026-11-24T01:38:50.5Z")
	require.NoError(t, err)
	require.True(t, fine)
	_, _, err = parseAPITime("")
	require.Error(t, err)
}

// TestNextPoll: the wait doubles up to the poll interval, and past it
// only as a long execution's elapsed time allows.
func TestNextPoll(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	cases := []struct{ wait, poll, elapsed, want time.Duration }{
		{1 * ms, 10 * ms, 1 * ms, 2 * ms},
		{8 * ms, 10 * ms, 20 * ms, 10 * ms},
		{10 * ms, 10 * ms, 200 * ms, 10 * ms},
		{10 * ms, 10 * ms, 800 * ms, 20 * ms},
		{20 * ms, 10 * ms, 4 * time.Second, 40 * ms},
		{40 * ms, 10 * ms, 4 * time.Second, 80 * ms},
		{80 * ms, 10 * ms, 4 * time.Second, 100 * ms},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, nextPoll(tc.wait, tc.poll, tc.elapsed), "%+v", tc)
	}
	// The store-lag tolerance follows the longer polls.
	require.InDelta(t, 0.022, storeLag(10*ms, 0.1), 1e-9)
	require.InDelta(t, 0.202, storeLag(10*ms, 4), 1e-9)
}
