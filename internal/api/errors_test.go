package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/store"
)

func TestStatusOf(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{fmt.Errorf("get x: %w", store.ErrNotFound), http.StatusNotFound},
		{fmt.Errorf("insert: %w", store.ErrConflict), http.StatusConflict},
		{fmt.Errorf("update: %w", store.ErrStale), http.StatusConflict},
		{fmt.Errorf("start: %w: missing x", engine.ErrInvalidInput), http.StatusBadRequest},
		{fmt.Errorf("complete: %w", engine.ErrWrongState), http.StatusConflict},
		{fmt.Errorf("commit: %w", store.ErrRetryable), http.StatusServiceUnavailable},
		{fmt.Errorf("query: %w", context.Canceled), statusClientClosedRequest},
		{badRequest("no"), http.StatusBadRequest},
		// The API's own verdict wins over the sentinel it wraps.
		{notFoundAs(fmt.Errorf("x: %w", store.ErrNotFound), "X not found"), http.StatusNotFound},
		{&requestError{status: http.StatusConflict, msg: "dup", cause: store.ErrNotFound}, http.StatusConflict},
		{errors.New("disk on fire"), http.StatusInternalServerError},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, statusOf(tt.err), "%v", tt.err)
	}
	// notFoundAs leaves other errors alone.
	other := errors.New("boom")
	require.Same(t, other, notFoundAs(other, "X not found"))
}
