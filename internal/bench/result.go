package bench

import "time"

// Timing sources: where an execution's duration comes from.
const (
	// TimingStore is created_at → updated_at read from the store, to the
	// microsecond (embedded bora).
	TimingStore = "store"
	// TimingAPI is created_at → updated_at as the API renders them:
	// whole seconds on Mistral (and on bora, which matches it).
	TimingAPI = "api"
	// TimingClient is just before the POST → the first poll that saw the
	// terminal state.
	TimingClient = "client"
)

// TimingAuto picks per workflow: the store's times where the target has
// them, unless they demonstrably miss work (updated_at stamped well before
// the end was visible to the client); else the API's times where they are
// fine enough; else the client's.
const TimingAuto = "auto"

// apiTrustSeconds is the shortest average execution that whole-second API
// timestamps measure to within 10%; shorter ones are timed by the client.
const apiTrustSeconds = 10

// Report is one benchmark run.
type Report struct {
	Target      string    `json:"target"`
	Started     time.Time `json:"started"`
	Runs        int       `json:"runs"`
	Warmup      int       `json:"warmup_rounds"`
	Concurrency int       `json:"concurrency"`
	PollSeconds float64   `json:"poll_max_seconds"`
	GoVersion   string    `json:"go_version"`
	GOOS        string    `json:"goos"`
	GOARCH      string    `json:"goarch"`
	CPUs        int       `json:"cpus"`
	// CPUNote says what cpu_seconds_per_task counts; empty when the
	// target's CPU time cannot be measured.
	CPUNote string   `json:"cpu_note,omitempty"`
	Results []Result `json:"results"`
}

// Result is one workflow's measurements.
type Result struct {
	Workflow string `json:"workflow"`
	Shape    string `json:"shape"`
	N        int    `json:"n"`
	X        int    `json:"x,omitempty"`
	// TaskExecutions and ActionExecutions are per execution, from the
	// generator (the same numbers as gen.py's manifest).
	TaskExecutions   int `json:"task_executions"`
	ActionExecutions int `json:"action_executions"`

	Runs        int            `json:"runs"`
	Warmup      int            `json:"warmup_rounds"`
	Concurrency int            `json:"concurrency"`
	Executions  int            `json:"executions"`
	Succeeded   int            `json:"succeeded"`
	States      map[string]int `json:"states"`

	// Timing names the source of ExecSeconds, SecondsPerTask and
	// TasksPerSecond (TimingStore, TimingAPI or TimingClient).
	Timing string `json:"timing"`
	// TimingNote says why Timing is not the server's own times, if so.
	TimingNote  string `json:"timing_note,omitempty"`
	ExecSeconds Stats  `json:"exec_seconds"`
	// The durations by each source available, successful executions
	// only; StoreSeconds only where an ExactTimer is.
	StoreSeconds  *Stats `json:"store_seconds,omitempty"`
	APISeconds    *Stats `json:"api_seconds,omitempty"`
	ClientSeconds Stats  `json:"client_seconds"`
	// PostSeconds is how long POST /v2/executions took to answer: work
	// the server does before created_at (or before answering) that the
	// server's timestamps leave out.
	PostSeconds Stats `json:"post_seconds"`
	// BeforeCreatedSeconds (POST sent → created_at) and
	// AfterUpdatedSeconds (updated_at → the end seen by a poll) are what
	// store timing leaves out, on the one clock an embedded server shares
	// with the client. The second includes up to one poll interval.
	BeforeCreatedSeconds *Stats `json:"before_created_seconds,omitempty"`
	AfterUpdatedSeconds  *Stats `json:"after_updated_seconds,omitempty"`
	// APIFine says the API's timestamps had sub-second digits.
	APIFine bool `json:"api_subsecond"`

	// SecondsPerTask is the average execution time over its task
	// executions.
	SecondsPerTask float64 `json:"seconds_per_task"`
	// SecondsPerAction is the same over action executions: with-items
	// runs one task of N actions, whose cost shows here.
	SecondsPerAction float64 `json:"seconds_per_action"`
	// TasksPerSecond is task executions of successful executions over
	// the time rounds took (first created → last completed, summed over
	// rounds): the throughput under Concurrency executions at once.
	TasksPerSecond       float64 `json:"tasks_per_second"`
	ClientTasksPerSecond float64 `json:"client_tasks_per_second"`
	ActionsPerSecond     float64 `json:"actions_per_second"`
	// CPUSecondsPerTask is the target's CPU time over all task
	// executions of all rounds; absent when it cannot be measured.
	CPUSecondsPerTask   *float64 `json:"cpu_seconds_per_task,omitempty"`
	CPUSecondsPerAction *float64 `json:"cpu_seconds_per_action,omitempty"`
	// CPUTooSmall says the rounds used less CPU than the meter measures
	// well (see minCPUTicks): more --runs give a number.
	CPUTooSmall bool `json:"cpu_too_small,omitempty"`

	UploadSeconds float64       `json:"upload_seconds"`
	Verified      *Verification `json:"verified,omitempty"`
	// Errors are state_info of failed executions and cleanup failures.
	Errors []string `json:"errors,omitempty"`
}

// Stats summarises durations in seconds.
type Stats struct {
	Count int     `json:"count"`
	Min   float64 `json:"min"`
	P50   float64 `json:"p50"`
	Avg   float64 `json:"avg"`
	Max   float64 `json:"max"`
}

// Verification is the API's count of what one execution did.
type Verification struct {
	ExecutionID    string `json:"execution_id"`
	Executions     int    `json:"executions"` // the root and its sub-executions
	TaskExecutions int    `json:"task_executions"`
	NotSuccess     int    `json:"not_success"`
	OK             bool   `json:"ok"`
	Error          string `json:"error,omitempty"`
}
