// Package wire holds the JSON messages of the remote executor protocol
// (docs/executor-protocol.md), shared by the server side
// (internal/executorapi) and the Go client (internal/executor's HTTP
// source), so the two cannot drift apart.
package wire

import (
	"encoding/json"
	"time"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/value"
)

// Paths of the protocol, under the API's listener.
const (
	Prefix        = "/v2/executor/"
	PathClaim     = Prefix + "claim"
	PathHeartbeat = Prefix + "heartbeat"
	PathResult    = Prefix + "result"
	PathRelease   = Prefix + "release"
)

// Result states an executor reports.
const (
	StateSuccess = "SUCCESS"
	StateError   = "ERROR"
)

// Answers of a result call.
const (
	StatusRecorded        = "recorded"
	StatusAlreadyRecorded = "already_recorded"
)

// Error codes of an error answer.
const (
	CodeBadRequest   = "BAD_REQUEST"
	CodeUnauthorized = "UNAUTHORIZED"
	CodeStale        = "STALE"
	CodeUnavailable  = "UNAVAILABLE"
	CodeInternal     = "INTERNAL"
)

// Lease names a leased item.
type Lease struct {
	ID         string `json:"id"`
	LeaseToken string `json:"lease_token"`
}

// ClaimRequest asks for work (a long poll of up to Wait seconds).
type ClaimRequest struct {
	Executor string `json:"executor"`
	// Target names one queue ("" is the default queue); Targets, when
	// given, names several and wins.
	Target  string   `json:"target,omitempty"`
	Targets []string `json:"targets,omitempty"`
	Max     int      `json:"max,omitempty"`
	Wait    float64  `json:"wait"`
	Lease   float64  `json:"lease,omitempty"`
	ClaimID string   `json:"claim_id,omitempty"`
}

// Item is one leased work item.
type Item struct {
	ID             string    `json:"id"`
	LeaseToken     string    `json:"lease_token"`
	LeaseExpiresAt time.Time `json:"lease_expires_at"`
	LeaseSeconds   float64   `json:"lease_seconds"`
	// LeaseValidFor is how long the lease holds counted from when the
	// server received the claim request (its long-poll wait plus the
	// lease). Added to the time the executor sent that request, it gives
	// a deadline on the executor's own clock that is never later than the
	// real one, whatever the clocks say and however long the answer was
	// in transit: the executor's fence against running an item whose
	// lease ended before the answer reached it.
	LeaseValidFor float64                 `json:"lease_valid_for"`
	Action        string                  `json:"action"`
	Input         *value.Map              `json:"input"`
	Attempt       int                     `json:"attempt"`
	SafeRerun     bool                    `json:"safe_rerun"`
	Execution     action.ExecutionContext `json:"execution"`
}

// ClaimResponse is the answer to a claim; Items is empty (not null) when
// no work came within the wait.
type ClaimResponse struct {
	Items []Item `json:"items"`
}

// HeartbeatRequest extends the leases an executor holds.
type HeartbeatRequest struct {
	Executor string  `json:"executor"`
	Lease    float64 `json:"lease,omitempty"`
	Leases   []Lease `json:"leases"`
}

// HeartbeatResponse lists the leases that no longer hold.
type HeartbeatResponse struct {
	LeaseExpiresAt time.Time `json:"lease_expires_at"`
	Lost           []string  `json:"lost"`
}

// ResultRequest reports an item's outcome: State and Result, or Async.
type ResultRequest struct {
	ID         string          `json:"id"`
	LeaseToken string          `json:"lease_token"`
	Attempt    int             `json:"attempt"`
	State      string          `json:"state,omitempty"`
	Result     json.RawMessage `json:"result,omitempty"`
	Async      bool            `json:"async,omitempty"`
}

// ResultResponse says whether the result was recorded now or before.
type ResultResponse struct {
	Status string `json:"status"`
}

// ReleaseRequest hands leased items back unrun.
type ReleaseRequest struct {
	Executor string  `json:"executor"`
	Leases   []Lease `json:"leases"`
}

// ReleaseResponse splits the ids into released and no longer held.
type ReleaseResponse struct {
	Released []string `json:"released"`
	Lost     []string `json:"lost"`
}

// Error is the body of every error answer.
type Error struct {
	Code    string `json:"error_code"`
	Message string `json:"message"`
}
