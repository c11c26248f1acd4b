package executor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/executor/wire"
	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/value"
)

// HTTPSource is the source of a remote executor: it claims and reports
// through a bora API (docs/executor-protocol.md) and needs no database.
type HTTPSource struct {
	base   string
	token  string
	client *http.Client
}

var _ Source = (*HTTPSource)(nil)

// callTimeout bounds one call, on top of a claim's wait.
const callTimeout = 30 * time.Second

// NewHTTPSource returns a source talking to the API at baseURL
// (http://host:8989); token, when not empty, is sent as a bearer token.
func NewHTTPSource(baseURL, token string, client *http.Client) *HTTPSource {
	if client == nil {
		client = &http.Client{}
	}
	return &HTTPSource{base: strings.TrimSuffix(baseURL, "/"), token: token, client: client}
}

// Claim long-polls for work. A claim whose answer was lost is repeated
// with the same claim id, so the API hands back the same items instead of
// leaving them leased to nobody.
func (s *HTTPSource) Claim(ctx context.Context, r ClaimRequest) ([]*Item, error) {
	req := wire.ClaimRequest{
		Executor: r.Owner, Targets: r.Targets, Max: r.Max,
		Wait: r.Wait.Seconds(), Lease: r.Lease.Seconds(), ClaimID: id.New(),
	}
	var res wire.ClaimResponse
	var err error
	// Leases are measured from the first send: a repeat with the same
	// claim id may get the answer to this one, leased back then.
	sent := time.Now()
	backoff := 200 * time.Millisecond
	for attempt := 0; attempt < 3; attempt++ {
		if err = s.post(ctx, wire.PathClaim, r.Wait, req, &res); !errors.Is(err, ErrUnavailable) {
			break
		}
		if !sleepCtx(ctx, backoff) {
			break
		}
		backoff *= 2
	}
	if err != nil {
		return nil, fmt.Errorf("claim work of targets %q: %w", r.Targets, err)
	}
	items := make([]*Item, len(res.Items))
	for i, w := range res.Items {
		items[i] = &Item{
			ID: w.ID, LeaseToken: w.LeaseToken, Attempt: w.Attempt,
			Invocation: action.Invocation{
				Action: w.Action, Input: w.Input, Attempt: w.Attempt, Execution: w.Execution, SafeRerun: w.SafeRerun,
			},
			Lease: seconds(w.LeaseSeconds),
		}
		if w.LeaseValidFor > 0 {
			// A server that does not say leaves Deadline zero: the loop
			// then confirms the lease before it starts the action.
			items[i].Deadline = sent.Add(seconds(w.LeaseValidFor))
		}
	}
	return items, nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// Heartbeat extends every held lease in one call.
func (s *HTTPSource) Heartbeat(ctx context.Context, owner string, lease time.Duration, held []*Item) ([]string, error) {
	var res wire.HeartbeatResponse
	if err := s.post(ctx, wire.PathHeartbeat, 0, wire.HeartbeatRequest{Executor: owner, Lease: lease.Seconds(), Leases: leasesOf(held)}, &res); err != nil {
		return nil, fmt.Errorf("heartbeat %d leases: %w", len(held), err)
	}
	return res.Lost, nil
}

// Report sends the outcome; a repeat of a recorded one is answered as
// already recorded, which is success.
func (s *HTTPSource) Report(ctx context.Context, it *Item, out action.Outcome) error {
	req := wire.ResultRequest{ID: it.ID, LeaseToken: it.LeaseToken, Attempt: it.Attempt}
	if out.Async {
		req.Async = true
	} else {
		req.State = wire.StateSuccess
		if out.Failed {
			req.State = wire.StateError
		}
		raw, err := value.Encode(out.Result)
		if err != nil {
			// An action result that is not JSON cannot be reported as
			// such; its error is, so the task fails with a reason.
			req.State = wire.StateError
			raw = value.MustEncode(fmt.Sprintf("the action's result cannot be encoded: %v", err))
		}
		req.Result = raw
	}
	var res wire.ResultResponse
	if err := s.post(ctx, wire.PathResult, 0, req, &res); err != nil {
		return fmt.Errorf("report result of work item %s: %w", it.ID, err)
	}
	return nil
}

// Release hands items back in one call.
func (s *HTTPSource) Release(ctx context.Context, owner string, items []*Item) error {
	var res wire.ReleaseResponse
	if err := s.post(ctx, wire.PathRelease, 0, wire.ReleaseRequest{Executor: owner, Leases: leasesOf(items)}, &res); err != nil {
		return fmt.Errorf("release %d work items: %w", len(items), err)
	}
	return nil
}

func leasesOf(items []*Item) []wire.Lease {
	out := make([]wire.Lease, len(items))
	for i, it := range items {
		out[i] = wire.Lease{ID: it.ID, LeaseToken: it.LeaseToken}
	}
	return out
}

// post sends one call and decodes its answer. Transport failures, 429
// and 5xx are ErrUnavailable (repeat the call), 409 is ErrLeaseLost.
func (s *HTTPSource) post(ctx context.Context, path string, wait time.Duration, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode %s request: %w", path, err)
	}
	ctx, cancel := context.WithTimeout(ctx, wait+callTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build %s request: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	res, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: POST %s: %w", ErrUnavailable, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%w: read the answer of POST %s: %w", ErrUnavailable, path, err)
	}
	if res.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("decode the answer of POST %s: %w", path, err)
		}
		return nil
	}
	var e wire.Error
	_ = json.Unmarshal(raw, &e)
	if e.Message == "" {
		e.Message = strings.TrimSpace(string(raw))
	}
	err = fmt.Errorf("POST %s: %s: %s", path, res.Status, e.Message)
	switch {
	case res.StatusCode == http.StatusConflict:
		return fmt.Errorf("%w: %w", ErrLeaseLost, err)
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}
