package store

import (
	"time"

	"github.com/bora-workflow/bora/internal/value"
)

// CronTrigger starts a workflow on a schedule (Mistral's cron trigger): a
// cron pattern, an optional first time and an optional number of runs.
// The engine role claims the triggers whose NextExecutionTime is due.
type CronTrigger struct {
	ID                string // a UUID is generated on create when empty
	Name              string // unique
	WorkflowName      string
	WorkflowID        string
	WorkflowNamespace string
	WorkflowInput     *value.Map // never nil once read
	WorkflowParams    *value.Map // never nil once read
	Pattern           string     // "" when the trigger fires once, at FirstExecutionTime
	// FirstExecutionTime is the time the client asked for, if any.
	FirstExecutionTime *time.Time
	NextExecutionTime  time.Time
	// RemainingExecutions counts the runs left; nil means no limit.
	RemainingExecutions *int
	Scope               string
	ProjectID           string
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// CronTriggerClaimParams select due triggers.
type CronTriggerClaimParams struct {
	Now   time.Time
	Limit int
}

// CronTriggerAdvanceParams move a trigger to its next run.
type CronTriggerAdvanceParams struct {
	ID string
	// Prev is the next_execution_time the caller read: the guard that makes
	// a trigger fire once per due time even if two claimers raced.
	Prev                time.Time
	Next                time.Time
	RemainingExecutions *int
	UpdatedAt           time.Time
}

// Service is a running bora process in one of its roles, kept alive by
// its heartbeat (GET /v2/services lists the live ones). Name and Type
// together are unique.
type Service struct {
	Name        string // the process: host and pid
	Type        string // Mistral's group name: api_group, engine_group, executor_group
	StartedAt   time.Time
	HeartbeatAt time.Time
}
