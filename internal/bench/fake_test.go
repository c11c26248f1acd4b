package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeMistral speaks just enough of the Mistral REST API v2 for the
// benchmark, checking the requests are what the real server expects.
type fakeMistral struct {
	t       *testing.T
	mu      sync.Mutex
	defs    map[string]bool
	deleted []string
	execs   map[string]*fakeExec
	fail    string // workflow whose executions end in ERROR
	seq     int
}

type fakeExec struct {
	id, workflow, root string
	polls              int
	created            time.Time
	tasks              int
}

// topLevel matches a workflow's name in a YAML file.
var topLevel = regexp.MustCompile(`(?m)^([A-Za-z0-9_]+):$`)

const fakeTimeLayout = "2006-01-02 15:04:05"

func newFakeMistral(t *testing.T) (*fakeMistral, *httptest.Server) {
	f := &fakeMistral{t: t, defs: map[string]bool{}, execs: map[string]*fakeExec{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/workflows", f.upload(true))
	mux.HandleFunc("PUT /v2/workflows", f.upload(false))
	mux.HandleFunc("DELETE /v2/workflows/{name}", f.deleteWorkflow)
	mux.HandleFunc("POST /v2/executions", f.start)
	mux.HandleFunc("GET /v2/executions/{id}", f.get)
	mux.HandleFunc("GET /v2/executions", f.listExecutions)
	mux.HandleFunc("GET /v2/tasks", f.listTasks)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The real Mistral answers 406 to anything but */* here.
		if r.Header.Get("Accept") != "*/*" {
			http.Error(w, "not acceptable", http.StatusNotAcceptable)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeMistral) upload(create bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "text/plain" {
			http.Error(w, "want text/plain", http.StatusUnsupportedMediaType)
			return
		}
		names := topLevel.FindAllStringSubmatch(readAll(r), -1)
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, m := range names {
			if create && f.defs[m[1]] {
				http.Error(w, `{"faultstring": "Duplicate entry"}`, http.StatusConflict)
				return
			}
		}
		for _, m := range names {
			f.defs[m[1]] = true
		}
		w.WriteHeader(map[bool]int{true: http.StatusCreated, false: http.StatusOK}[create])
		_, _ = w.Write([]byte(`{"workflows": []}`))
	}
}

func (f *fakeMistral) deleteWorkflow(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := r.PathValue("name")
	if !f.defs[name] {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	delete(f.defs, name)
	f.deleted = append(f.deleted, name)
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakeMistral) start(w http.ResponseWriter, r *http.Request) {
	var req struct {
		WorkflowName string `json:"workflow_name"`
		Input        string `json:"input"` // a JSON string, as Mistral wants it
	}
	if err := json.Unmarshal([]byte(readAll(r)), &req); err != nil || req.Input != "{}" {
		http.Error(w, fmt.Sprintf("bad request: %v %q", err, req.Input), http.StatusBadRequest)
		return
	}
	spec, err := ParseSpec(req.WorkflowName)
	require.NoError(f.t, err)
	def, err := Generate(spec)
	require.NoError(f.t, err)
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.defs[req.WorkflowName] {
		http.Error(w, "no such workflow", http.StatusNotFound)
		return
	}
	f.seq++
	ex := &fakeExec{id: fmt.Sprintf("ex-%d", f.seq), workflow: req.WorkflowName, created: time.Now(), tasks: def.TaskExecutions}
	f.execs[ex.id] = ex
	// A complex execution's tasks are spread over a sub-execution.
	if def.Shape == ShapeComplex {
		f.seq++
		sub := &fakeExec{id: fmt.Sprintf("ex-%d", f.seq), workflow: def.Workflows[1], root: ex.id, created: ex.created,
			tasks: def.TaskExecutions - def.TopLevelTasks}
		ex.tasks = def.TopLevelTasks
		f.execs[sub.id] = sub
	}
	w.WriteHeader(http.StatusCreated)
	f.write(w, ex, "RUNNING")
}

func (f *fakeMistral) get(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ex, ok := f.execs[r.PathValue("id")]
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	ex.polls++
	switch {
	case ex.polls < 3:
		f.write(w, ex, "RUNNING")
	case ex.workflow == f.fail:
		f.write(w, ex, "ERROR")
	default:
		f.write(w, ex, "SUCCESS")
	}
}

func (f *fakeMistral) write(w http.ResponseWriter, ex *fakeExec, state string) {
	var updated any // Mistral's updated_at is null until the first update
	if state != "RUNNING" {
		updated = ex.created.Add(2 * time.Second).UTC().Format(fakeTimeLayout)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": ex.id, "workflow_name": ex.workflow, "state": state, "state_info": map[bool]any{true: "boom"}[state == "ERROR"],
		"input": "{}", "created_at": ex.created.UTC().Format(fakeTimeLayout), "updated_at": updated,
	})
}

func (f *fakeMistral) listExecutions(w http.ResponseWriter, r *http.Request) {
	root := r.URL.Query().Get("root_execution_id")
	f.mu.Lock()
	defer f.mu.Unlock()
	var list []map[string]any
	for _, ex := range f.execs {
		if ex.id == root || ex.root == root {
			list = append(list, map[string]any{"id": ex.id, "state": "SUCCESS"})
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"executions": list})
}

// listTasks pages by 4 with absolute `next` links on another host, as a
// server behind a proxy would send, to check the client keeps its own.
func (f *fakeMistral) listTasks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	ex, ok := f.execs[q.Get("workflow_execution_id")]
	f.mu.Unlock()
	if !ok {
		http.Error(w, "unknown execution", http.StatusBadRequest)
		return
	}
	from, _ := strconv.Atoi(q.Get("marker"))
	to := min(from+4, ex.tasks)
	var tasks []map[string]any
	for i := from; i < to; i++ {
		tasks = append(tasks, map[string]any{"id": fmt.Sprintf("%s-t%d", ex.id, i), "name": fmt.Sprintf("t%d", i), "state": "SUCCESS"})
	}
	page := map[string]any{"tasks": tasks}
	if to < ex.tasks {
		page["next"] = "http://proxy.invalid/v2/tasks?workflow_execution_id=" + url.QueryEscape(ex.id) + "&marker=" + strconv.Itoa(to)
	}
	_ = json.NewEncoder(w).Encode(page)
}

func readAll(r *http.Request) string {
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

func TestRunAgainstFakeMistral(t *testing.T) {
	t.Parallel()
	f, srv := newFakeMistral(t)
	// One definition exists already: it is replaced, and left in place.
	f.defs["par_10"] = true
	f.fail = "join_10"

	target, err := NewURLTarget(srv.URL+"/v2/", 3)
	require.NoError(t, err)
	defer func() { require.NoError(t, target.Close(t.Context())) }()
	specs, err := ParseSpecs("seq_10,par_10,join_10,complex_2x5")
	require.NoError(t, err)
	rep, err := Run(t.Context(), target, Options{
		Workflows: specs, Runs: 2, Concurrency: 3, Poll: time.Millisecond, Timeout: time.Minute, Verify: true,
	})
	require.NoError(t, err)
	require.Equal(t, srv.URL, rep.Target)
	require.Empty(t, rep.CPUNote, "a remote server's CPU is not measured")
	require.Len(t, rep.Results, 4)

	seq := rep.Results[0]
	require.Equal(t, "seq_10", seq.Workflow)
	require.Equal(t, 6, seq.Executions)
	require.Equal(t, 6, seq.Succeeded)
	// The fake's executions last 2 whole seconds by the API and a few
	// milliseconds by the client: too coarse, so client timing.
	require.Equal(t, TimingClient, seq.Timing)
	require.NotNil(t, seq.APISeconds)
	require.InDelta(t, 2, seq.APISeconds.Avg, 1e-9)
	require.False(t, seq.APIFine)
	require.Nil(t, seq.StoreSeconds)
	require.Nil(t, seq.CPUSecondsPerTask)
	require.Positive(t, seq.TasksPerSecond)
	require.Equal(t, &Verification{ExecutionID: seq.Verified.ExecutionID, Executions: 1, TaskExecutions: 10, OK: true}, seq.Verified)

	join := rep.Results[2]
	require.Equal(t, 0, join.Succeeded)
	require.Equal(t, map[string]int{"ERROR": 6}, join.States)
	require.Len(t, join.Errors, maxErrors)
	require.Nil(t, join.Verified)

	cx := rep.Results[3]
	require.Equal(t, 6, cx.Succeeded)
	require.True(t, cx.Verified.OK, "%+v", cx.Verified)
	require.Equal(t, 2, cx.Verified.Executions)
	require.Equal(t, cx.TaskExecutions, cx.Verified.TaskExecutions)

	// Everything created is deleted, what existed before is kept.
	def, err := Generate(specs[3])
	require.NoError(t, err)
	want := append([]string{"seq_10", "join_10"}, def.Workflows...)
	require.ElementsMatch(t, want, f.deleted)
	require.Equal(t, map[string]bool{"par_10": true}, f.defs)
}

func TestRunRejectsBadOptions(t *testing.T) {
	t.Parallel()
	_, srv := newFakeMistral(t)
	target, err := NewURLTarget(srv.URL, 1)
	require.NoError(t, err)
	defer func() { require.NoError(t, target.Close(t.Context())) }()
	good := Options{Workflows: []Spec{{Shape: ShapeSeq, N: 1}}, Runs: 1, Concurrency: 1, Poll: time.Millisecond, Timeout: time.Second}
	for _, mutate := range []func(*Options){
		func(o *Options) { o.Workflows = nil },
		func(o *Options) { o.Runs = 0 },
		func(o *Options) { o.Concurrency = 0 },
		func(o *Options) { o.Poll = 0 },
		func(o *Options) { o.Timeout = 0 },
		func(o *Options) { o.Timing = "wall" },
	} {
		o := good
		mutate(&o)
		_, err := Run(t.Context(), target, o)
		require.Error(t, err)
	}
	_, err = NewURLTarget("127.0.0.1:8989", 1)
	require.Error(t, err, "a URL needs a scheme")
}

func TestRunStopsOnBrokenAPI(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v2/workflows" {
			w.WriteHeader(http.StatusCreated)
			return
		}
		http.Error(w, `{"faultstring": "internal"}`, http.StatusInternalServerError)
	}))
	defer srv.Close()
	target, err := NewURLTarget(srv.URL, 1)
	require.NoError(t, err)
	defer func() { require.NoError(t, target.Close(t.Context())) }()
	rep, err := Run(t.Context(), target, Options{
		Workflows: []Spec{{Shape: ShapeSeq, N: 1}, {Shape: ShapePar, N: 1}}, Runs: 1, Concurrency: 1,
		Poll: time.Millisecond, Timeout: time.Second,
	})
	require.ErrorContains(t, err, "seq_1: start seq_1: POST /v2/executions: HTTP 500")
	require.ErrorContains(t, err, "delete workflow seq_1", "the failed cleanup is reported too")
	require.Empty(t, rep.Results)
}

// stepMeter is a CPU meter that advances by step at every reading.
type stepMeter struct {
	Target
	mu   sync.Mutex
	now  time.Duration
	step time.Duration
}

func (m *stepMeter) CPUTime() (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now += m.step
	return m.now, nil
}

func (m *stepMeter) CPUNote() string { return "a test meter" }

func (m *stepMeter) CPUResolution() time.Duration { return 10 * time.Millisecond }

// TestCPUBelowResolution: CPU time under ten units of the meter is left
// out (and said so) rather than reported as a precise-looking number.
func TestCPUBelowResolution(t *testing.T) {
	t.Parallel()
	_, srv := newFakeMistral(t)
	for _, tc := range []struct {
		step     time.Duration
		tooSmall bool
	}{{step: 90 * time.Millisecond, tooSmall: true}, {step: 100 * time.Millisecond}} {
		base, err := NewURLTarget(srv.URL, 1)
		require.NoError(t, err)
		target := &stepMeter{Target: base, step: tc.step}
		specs, err := ParseSpecs("seq_10")
		require.NoError(t, err)
		rep, err := Run(t.Context(), target, Options{Workflows: specs, Runs: 1, Concurrency: 1, Poll: time.Millisecond, Timeout: time.Minute})
		require.NoError(t, err)
		r := rep.Results[0]
		require.Equal(t, tc.tooSmall, r.CPUTooSmall, tc.step)
		require.Equal(t, tc.tooSmall, r.CPUSecondsPerTask == nil, tc.step)
		if !tc.tooSmall {
			require.InDelta(t, 0.01, *r.CPUSecondsPerTask, 1e-9)
		}
		require.NoError(t, target.Close(t.Context()))
	}
}

// TestWarmupNotCounted: warm-up rounds run on the server but not in the
// results.
func TestWarmupNotCounted(t *testing.T) {
	t.Parallel()
	f, srv := newFakeMistral(t)
	target, err := NewURLTarget(srv.URL, 2)
	require.NoError(t, err)
	defer func() { require.NoError(t, target.Close(t.Context())) }()
	specs, err := ParseSpecs("par_10")
	require.NoError(t, err)
	rep, err := Run(t.Context(), target, Options{Workflows: specs, Runs: 1, Warmup: 2, Concurrency: 2, Poll: time.Millisecond, Timeout: time.Minute})
	require.NoError(t, err)
	require.Equal(t, 2, rep.Warmup)
	require.Equal(t, 2, rep.Results[0].Executions)
	require.Equal(t, 2, rep.Results[0].Warmup)
	f.mu.Lock()
	started := len(f.execs)
	f.mu.Unlock()
	require.Equal(t, 6, started, "2 warm-up rounds and 1 counted, of 2 executions each")

	_, err = Run(t.Context(), target, Options{Workflows: specs, Runs: 1, Warmup: -1, Concurrency: 1, Poll: time.Millisecond, Timeout: time.Minute})
	require.Error(t, err)
}
