package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/store"
)

// statusBySentinel maps the errors the store and the engine return onto
// HTTP statuses; the first match wins. Anything else is a 500.
var statusBySentinel = []struct {
	err    error
	status int
}{
	{store.ErrNotFound, http.StatusNotFound},
	{store.ErrConflict, http.StatusConflict},
	// Another transaction moved the row on while this request was applied.
	{store.ErrStale, http.StatusConflict},
	{engine.ErrInvalidInput, http.StatusBadRequest},
	{engine.ErrWrongState, http.StatusConflict},
	// InTx already retried; the database is busy or unreachable right now.
	{store.ErrRetryable, http.StatusServiceUnavailable},
	{context.DeadlineExceeded, http.StatusServiceUnavailable},
	// The client went away; nobody reads the answer, and it is no server
	// fault worth an error log line. 499 is the usual "client closed".
	{context.Canceled, statusClientClosedRequest},
}

const statusClientClosedRequest = 499

// statusOf is the HTTP status for err.
func statusOf(err error) int {
	var reqErr *requestError
	if errors.As(err, &reqErr) {
		return reqErr.status
	}
	for _, s := range statusBySentinel {
		if errors.Is(err, s.err) {
			return s.status
		}
	}
	return http.StatusInternalServerError
}

// requestError is an error the API itself found in a request, with the
// status and the sentence the client gets.
type requestError struct {
	status int
	msg    string
	cause  error // the store or parser error behind it, if any
}

func (e *requestError) Error() string { return e.msg }
func (e *requestError) Unwrap() error { return e.cause }

func badRequest(format string, args ...any) error {
	return &requestError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// notFoundAs renders a store.ErrNotFound as Mistral words it
// ("WorkflowExecution not found [id=...]"); other errors pass unchanged.
func notFoundAs(err error, format string, args ...any) error {
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return &requestError{status: http.StatusNotFound, msg: fmt.Sprintf(format, args...), cause: err}
}

// writeError answers a failed request. Client errors carry their message;
// server errors are logged in full and answered with a generic sentence,
// so database details never reach the client.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	msg := err.Error()
	var userErr *engine.UserError
	if errors.As(err, &userErr) {
		msg = userErr.Msg // worded for the client; the wrapping is for logs
	}
	if status == http.StatusServiceUnavailable {
		// The database is away (restarting, unreachable) and InTx already
		// retried: tell the client when to come back instead of failing it.
		w.Header().Set("Retry-After", "2")
	}
	if status >= 500 {
		s.logger.ErrorContext(r.Context(), "API request failed",
			"method", r.Method, "path", r.URL.Path, "status", status, "error", err)
		msg = http.StatusText(status)
	} else {
		s.logger.DebugContext(r.Context(), "API request refused",
			"method", r.Method, "path", r.URL.Path, "status", status, "error", err)
	}
	writeFault(w, status, msg)
}

// writeFault writes the error body WSME (Mistral's API framework) sends:
// {"faultcode": "Client", "faultstring": "...", "debuginfo": null}. The
// client prints faultstring.
func writeFault(w http.ResponseWriter, status int, msg string) {
	code := "Client"
	if status >= 500 {
		code = "Server"
	}
	writeJSON(w, status, object{
		{"faultcode", code},
		{"faultstring", msg},
		{"debuginfo", nil},
	})
}
