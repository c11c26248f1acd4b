// Package api serves Mistral's REST API v2 over bora: the same paths, the
// same JSON (down to the JSON-encoded strings inside it), so the real
// `mistral` command-line client works against bora unchanged.
//
// Handlers are thin. Reads go to the store; every write that changes a
// workflow's state goes to the engine, which records it and the work it
// causes in one transaction. Workflow definitions are the exception: they
// are plain rows, validated here with package dsl and written here.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// Engine is what the API needs from the engine (implemented by *engine.Engine).
type Engine interface {
	StartExecution(ctx context.Context, req engine.StartRequest) (*workflow.Execution, error)
	CompleteAction(ctx context.Context, c engine.ActionCompletion) (*workflow.ActionExecution, error)
	// UpdateExecution pauses, resumes or stops an execution, or changes its
	// description or environment.
	UpdateExecution(ctx context.Context, u engine.ExecutionUpdate) (*workflow.Execution, error)
	// RerunTask runs a task in ERROR again.
	RerunTask(ctx context.Context, taskID string, reset bool, env *value.Map) (*workflow.Task, error)
	// StartStandaloneAction runs an action outside any workflow.
	StartStandaloneAction(ctx context.Context, req engine.StandaloneAction) (*workflow.ActionExecution, error)
	// ParseWorkflow parses a stored definition (cron triggers check the
	// workflow input against it when they are created).
	ParseWorkflow(name, definition string) (*dsl.Workflow, error)
}

// Options configure a Server.
type Options struct {
	// Logger receives request errors and panics; nil discards them.
	Logger *slog.Logger
	// CheckExpression checks the syntax of one expression found in an
	// uploaded definition, so a typo fails the upload instead of the run.
	// Nil skips the check.
	CheckExpression func(expr string) error
	// Actions are the system actions GET /v2/actions lists and ad-hoc
	// actions may not be named like; nil means action.Standard().
	Actions *action.Registry
}

// maxBodyBytes bounds a request body. Mistral caps each stored field at
// 1 MiB by default; a definition holding many workflows may be larger, so
// the whole body gets a few times that.
const maxBodyBytes = 8 << 20

// Server is the REST API v2.
type Server struct {
	store           store.Store
	engine          Engine
	logger          *slog.Logger
	checkExpression func(string) error
	// now is the clock for the timestamps the API writes itself (workflow
	// definitions); tests replace it.
	now func() time.Time
	// interfaces caches what workflow resources derive from parsed definitions.
	interfaces interfaceCache
	// actions are the system actions.
	actions *action.Registry
	mux     *http.ServeMux
	// patterns are the routes registered, in order (the OpenAPI test
	// checks the document against them).
	patterns []string
}

// New returns a Server reading st and writing through eng.
func New(st store.Store, eng Engine, opts Options) *Server {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	actions := opts.Actions
	if actions == nil {
		actions = action.Standard()
	}
	s := &Server{
		actions:         actions,
		store:           st,
		engine:          eng,
		logger:          logger,
		checkExpression: opts.CheckExpression,
		now:             time.Now,
		mux:             http.NewServeMux(),
	}
	s.routes()
	return s
}

// handle registers a route and remembers its pattern.
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	s.patterns = append(s.patterns, pattern)
	s.mux.HandleFunc(pattern, h)
}

func (s *Server) routes() {
	s.handle("GET /{$}", s.getVersions)
	s.handle("GET /v2", s.getV2Root)
	s.handle("GET /v2/{$}", s.getV2Root)

	s.handle("POST /v2/workflows", s.createWorkflows)
	s.handle("PUT /v2/workflows", s.updateWorkflows)
	s.handle("PUT /v2/workflows/{identifier}", s.updateWorkflow)
	s.handle("POST /v2/workflows/validate", s.validateWorkflows)
	s.handle("GET /v2/workflows", s.listWorkflows)
	s.handle("GET /v2/workflows/{identifier}", s.getWorkflow)
	s.handle("DELETE /v2/workflows/{identifier}", s.deleteWorkflow)

	s.handle("POST /v2/workbooks", s.createWorkbook)
	s.handle("PUT /v2/workbooks", s.updateWorkbook)
	s.handle("POST /v2/workbooks/validate", s.validateWorkbook)
	s.handle("GET /v2/workbooks", s.listWorkbooks)
	s.handle("GET /v2/workbooks/{name}", s.getWorkbook)
	s.handle("DELETE /v2/workbooks/{name}", s.deleteWorkbook)

	s.handle("POST /v2/actions", s.createActions)
	s.handle("PUT /v2/actions", s.updateActions)
	s.handle("PUT /v2/actions/{identifier}", s.updateActions)
	s.handle("POST /v2/actions/validate", s.validateActions)
	s.handle("GET /v2/actions", s.listActions)
	// Mistral's client sends the namespace as a last path segment, empty
	// for the default one (/v2/actions/std.echo/).
	s.handle("GET /v2/actions/{identifier}", s.getAction)
	s.handle("GET /v2/actions/{identifier}/{namespace...}", s.getAction)
	s.handle("DELETE /v2/actions/{identifier}", s.deleteAction)
	s.handle("DELETE /v2/actions/{identifier}/{namespace...}", s.deleteAction)

	s.handle("POST /v2/environments", s.createEnvironment)
	s.handle("PUT /v2/environments", s.updateEnvironment)
	s.handle("GET /v2/environments", s.listEnvironments)
	s.handle("GET /v2/environments/{name}", s.getEnvironment)
	s.handle("DELETE /v2/environments/{name}", s.deleteEnvironment)

	s.handle("POST /v2/executions", s.createExecution)
	s.handle("GET /v2/executions", s.listExecutions)
	s.handle("GET /v2/executions/{id}", s.getExecution)
	s.handle("PUT /v2/executions/{id}", s.updateExecution)
	s.handle("DELETE /v2/executions/{id}", s.deleteExecution)
	s.handle("GET /v2/executions/{id}/tasks", s.listExecutionTasks)
	s.handle("GET /v2/executions/{id}/report", s.getExecutionReport)
	s.handle("GET /v2/executions/{id}/executions", s.listExecutionSubExecutions)

	s.handle("GET /v2/tasks", s.listTasks)
	s.handle("GET /v2/tasks/{id}", s.getTask)
	s.handle("PUT /v2/tasks/{id}", s.rerunTask)
	s.handle("GET /v2/tasks/{id}/executions", s.listTaskSubExecutions)
	s.handle("GET /v2/tasks/{id}/action_executions", s.listTaskActionExecutions)
	s.handle("GET /v2/tasks/{task_id}/action_executions/{id}", s.getTaskActionExecution)

	s.handle("GET /v2/action_executions", s.listActionExecutions)
	s.handle("GET /v2/action_executions/{id}", s.getActionExecution)
	s.handle("PUT /v2/action_executions/{id}", s.updateActionExecution)
	s.handle("POST /v2/action_executions", s.runAction)
	s.handle("DELETE /v2/action_executions/{id}", s.deleteActionExecution)

	s.handle("POST /v2/cron_triggers", s.createCronTrigger)
	s.handle("GET /v2/cron_triggers", s.listCronTriggers)
	s.handle("GET /v2/cron_triggers/{name}", s.getCronTrigger)
	s.handle("DELETE /v2/cron_triggers/{name}", s.deleteCronTrigger)

	s.handle("GET /v2/services", s.listServices)

	s.handle("GET /v2/openapi.json", s.getOpenAPI)
}

// Handler returns the HTTP handler: the routes behind panic recovery, a
// body size limit and JSON answers for unknown paths and methods.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer s.recoverPanic(w, r)
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		h, pattern := s.mux.Handler(r)
		if pattern == "" {
			s.writeUnrouted(w, r, h)
			return
		}
		s.mux.ServeHTTP(w, r)
	})
}

// writeUnrouted answers a request no route matched. The mux knows whether
// the path exists with another method (405, with Allow) or not at all
// (404); its answer is captured so the client gets Mistral's JSON fault
// instead of the mux's plain text.
func (s *Server) writeUnrouted(w http.ResponseWriter, r *http.Request, h http.Handler) {
	rec := &statusRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.status < 400 {
		// A redirect (path cleaning) is fine as the mux makes it.
		h.ServeHTTP(w, r)
		return
	}
	if allow := rec.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	writeFault(w, rec.status, http.StatusText(rec.status))
}

// statusRecorder keeps the status and headers a handler writes and drops its body.
type statusRecorder struct {
	header http.Header
	status int
}

func (r *statusRecorder) Header() http.Header { return r.header }

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return len(b), nil
}

func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

// recoverPanic turns a handler panic into a 500 and a log line, so one
// bad request cannot take the server down.
func (s *Server) recoverPanic(w http.ResponseWriter, r *http.Request) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler {
		panic(p) // the client went away; net/http handles this one quietly
	}
	s.logger.ErrorContext(r.Context(), "panic in API handler",
		"method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
	// If the handler had already started the response this adds nothing
	// useful, but the log line above still records what happened.
	writeFault(w, http.StatusInternalServerError, "Internal server error")
}
