package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
)

// TestDatabaseAwayIs503 checks the answer while the database is away: a
// retryable store error (InTx gave up) is a 503 with Retry-After, not a 500.
func TestDatabaseAwayIs503(t *testing.T) {
	t.Parallel()
	s := &Server{logger: slog.New(slog.DiscardHandler)}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/v2/executions", nil)
	s.writeError(rec, req, fmt.Errorf("list executions: %w", store.ErrRetryable))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Equal(t, "2", rec.Header().Get("Retry-After"))
	require.Contains(t, rec.Body.String(), "faultstring")
}
