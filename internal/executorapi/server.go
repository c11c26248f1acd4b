// Package executorapi serves the remote executor protocol
// (docs/executor-protocol.md): executors with no database access claim
// work items, heartbeat their leases, report results and hand items back
// over HTTP, through whichever bora API they reach. Each call is one short
// store operation (a claim is a poll loop with a wake-up hint, bounded in
// time); a result is recorded through the engine in the transaction that
// deletes the item under its lease, exactly as an in-process executor's.
package executorapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/executor/wire"
	"github.com/bora-workflow/bora/internal/store"
)

// Reporter records the outcome of a leased work item (the engine).
type Reporter interface {
	ReportResult(ctx context.Context, item *store.WorkItem, attempt int, out action.Outcome) error
}

// Options tune a Server; zero values take the defaults.
type Options struct {
	// Token, when set, is the bearer token every call must carry.
	Token  string
	Logger *slog.Logger
	// Wake, when set, is a hint that work items were committed; a waiting
	// claim looks again at once instead of at its next poll.
	Wake <-chan struct{}
	// PollInterval is how often a waiting claim looks for work.
	PollInterval time.Duration
	Now          func() time.Time
}

// Limits of a request, so one executor cannot hold a handler or the
// database for long.
const (
	maxWait      = 30 * time.Second
	minLease     = time.Second
	maxLease     = 10 * time.Minute
	defaultLease = 30 * time.Second
	maxItems     = 256
	maxLeases    = 4096
	maxBody      = 64 << 20 // a result may be large; the engine caps it further
	// maxRemembered bounds one remembered claim answer, so the memory of
	// recent claims stays small whatever the inputs weigh.
	maxRemembered = 256 << 10
	rememberFor   = 5 * time.Minute
)

// Server handles /v2/executor/... requests.
type Server struct {
	store    store.Store
	reporter Reporter
	opts     Options
	log      *slog.Logger
	mux      *http.ServeMux

	// claims and results remember recent answers by key, so a repeated
	// call (its answer was lost) gets the same answer from this node.
	claims  *recent[[]byte] // encoded answers
	results *recent[resultKey]
	// woken fans one wake-up hint out to every waiting claim.
	woken broadcast
	// services lists the remote executors in GET /v2/services.
	services registry

	stopOnce sync.Once
	stopping chan struct{}
}

// New returns a protocol server over the store, recording results
// through rep.
func New(st store.Store, rep Reporter, opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 250 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return time.Now().UTC() }
	}
	s := &Server{
		store: st, reporter: rep, opts: opts, log: opts.Logger,
		claims: newRecent[[]byte](256, rememberFor), results: newRecent[resultKey](8192, rememberFor),
		stopping: make(chan struct{}),
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST "+wire.PathClaim, s.claim)
	s.mux.HandleFunc("POST "+wire.PathHeartbeat, s.heartbeat)
	s.mux.HandleFunc("POST "+wire.PathResult, s.result)
	s.mux.HandleFunc("POST "+wire.PathRelease, s.release)
	return s
}

// Mount returns a handler that sends /v2/executor/... to x and the rest to api.
func Mount(api http.Handler, x *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, wire.Prefix) {
			x.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// Shutdown ends the waits of claims in progress (they answer with no
// items), so an API that stops is not held up by long polls. Register it
// with http.Server.RegisterOnShutdown.
func (s *Server) Shutdown() {
	s.stopOnce.Do(func() { close(s.stopping) })
}

// ServeHTTP checks the token and dispatches.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.opts.Token != "" && !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="bora executor"`)
		writeError(w, http.StatusUnauthorized, wire.CodeUnauthorized, "a valid executor token is required (Authorization: Bearer <token>)")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	s.mux.ServeHTTP(w, r)
}

func (s *Server) authorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(s.opts.Token)) == 1
}

// decode reads a JSON request body into v; false means an answer was
// written.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, wire.CodeBadRequest, fmt.Sprintf("the request body is not the expected JSON: %v", err))
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, status, wire.Error{Code: code, Message: msg})
}

// writeStoreError answers a failure of the store or the engine: a
// transient one is 503 (repeat the call), anything else 500.
func (s *Server) writeStoreError(w http.ResponseWriter, r *http.Request, what string, err error) {
	switch {
	case errors.Is(err, store.ErrRetryable), errors.Is(err, context.DeadlineExceeded):
		s.log.Warn("executorapi: database unavailable", "call", what, "err", err)
		writeError(w, http.StatusServiceUnavailable, wire.CodeUnavailable, what+": the database is unavailable; retry")
	case r.Context().Err() != nil:
		// The executor went away; nobody reads the answer.
	default:
		s.log.Error("executorapi: call failed", "call", what, "err", err)
		writeError(w, http.StatusInternalServerError, wire.CodeInternal, fmt.Sprintf("%s: %v", what, err))
	}
}

// staleError says whether err means the lease or the action moved on.
func staleError(err error) bool {
	return errors.Is(err, store.ErrStale) || errors.Is(err, engine.ErrWrongState) || errors.Is(err, store.ErrNotFound)
}

// leaseOf clamps a requested lease length in seconds.
func leaseOf(seconds float64) time.Duration {
	if seconds <= 0 {
		return defaultLease
	}
	d := time.Duration(seconds * float64(time.Second))
	return min(max(d, minLease), maxLease)
}
