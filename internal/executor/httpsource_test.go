package executor_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/executor"
	"github.com/bora-workflow/bora/internal/executor/wire"
	"github.com/bora-workflow/bora/internal/value"
)

// fakeAPI answers the protocol's calls: its one item's claim answer says
// how long the lease is valid for, and the heartbeat says whether the
// lease is gone. It records the calls in order.
type fakeAPI struct {
	validFor float64
	lost     bool

	mu     sync.Mutex
	calls  []string
	served bool
}

func (a *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, r.URL.Path)
	var out any
	switch r.URL.Path {
	case wire.PathClaim:
		res := wire.ClaimResponse{Items: []wire.Item{}}
		if !a.served {
			a.served = true
			res.Items = append(res.Items, wire.Item{
				ID: "a", LeaseToken: "tok", LeaseSeconds: 30, LeaseValidFor: a.validFor,
				Action: "std.noop", Input: value.NewMap(0), Attempt: 1,
			})
		}
		out = res
	case wire.PathHeartbeat:
		res := wire.HeartbeatResponse{Lost: []string{}}
		if a.lost {
			res.Lost = append(res.Lost, "a")
		}
		out = res
	case wire.PathResult:
		out = wire.ResultResponse{Status: wire.StatusRecorded}
	case wire.PathRelease:
		out = wire.ReleaseResponse{Released: []string{"a"}, Lost: []string{}}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func (a *fakeAPI) seen() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, c := range a.calls {
		if c != wire.PathClaim {
			out = append(out, c)
		}
	}
	return out
}

// The HTTP source turns lease_valid_for into a deadline measured from the
// claim's sending: an answer whose lease is (nearly) over is confirmed by
// a heartbeat before the action runs, and dropped if the lease is gone.
// An old server that does not send lease_valid_for gets the same check.
func TestHTTPSourceFencesLateClaimAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		validFor float64
		lost     bool
		calls    []string // after the claims
	}{
		{name: "fresh", validFor: 30, calls: []string{wire.PathResult}},
		{name: "late and rescued", validFor: 0.001, lost: true, calls: []string{wire.PathHeartbeat}},
		{name: "late but held", validFor: 0.001, calls: []string{wire.PathHeartbeat, wire.PathResult}},
		{name: "old server, rescued", validFor: 0, lost: true, calls: []string{wire.PathHeartbeat}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api := &fakeAPI{validFor: tc.validFor, lost: tc.lost}
			srv := httptest.NewServer(api)
			defer srv.Close()
			x := executor.NewWithSource(executor.NewHTTPSource(srv.URL, "", nil), action.NewStandard(action.StdOptions{}),
				executor.Options{Name: "x", Lease: 30 * time.Second, PollInterval: 10 * time.Millisecond})
			ctx, stop := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- x.Run(ctx) }()
			require.Eventually(t, func() bool { return len(api.seen()) >= len(tc.calls) }, 5*time.Second, time.Millisecond)
			stop()
			require.NoError(t, <-done)
			require.Equal(t, tc.calls, api.seen())
		})
	}
}
