// Package store is the persistence seam: one interface, implemented by the
// SQLite driver (embedded default) and the PostgreSQL driver (cluster), and
// checked by one conformance suite (package storetest) on both.
//
// The database is the only queue. Events (things the engine must apply)
// and work items (actions an executor must run) are rows with an
// available_at time; a delayed call is an event whose available_at is in
// the future. Every state change is a guarded compare-and-set: an update
// names the version (or lease token) it read, and gets ErrStale when
// another transaction moved the row on, so applying a message twice
// changes nothing the second time.
//
// No SQL lives outside the driver packages.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// Sentinel errors; drivers map their own errors onto these.
var (
	// ErrNotFound: the row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrStale: a guarded update found the row moved on (another version,
	// another state, another lease). The caller's view is out of date.
	ErrStale = errors.New("stale update")
	// ErrConflict: a unique key is taken (a workflow name, an execution id).
	ErrConflict = errors.New("already exists")
	// ErrRetryable: a transient failure (serialization, deadlock, busy,
	// lost connection); the whole transaction may be retried.
	ErrRetryable = errors.New("retryable database error")
)

// Store is a database holding bora's state and queues.
type Store interface {
	Queries
	// Begin starts a read-write transaction. On SQLite transactions are
	// serialised (one writer); on PostgreSQL they run READ COMMITTED.
	Begin(ctx context.Context) (Tx, error)
	// Migrate brings the schema up to date; it is idempotent.
	Migrate(ctx context.Context) error
	// Name is "sqlite" or "postgres".
	Name() string
	Close() error
}

// Notification channels: a committed transaction that queued events or
// work items announces it on these (PostgreSQL LISTEN/NOTIFY).
const (
	ChannelEvents = "bora_events"
	ChannelWork   = "bora_work"
)

// Notifier is implemented by stores that can tell waiting processes that
// work was committed (PostgreSQL's LISTEN/NOTIFY). It is only a hint:
// pollers keep polling behind it, gently.
type Notifier interface {
	// Listen calls wake with the channel of every notification until ctx
	// ends; it reconnects on its own.
	Listen(ctx context.Context, wake func(channel string)) error
}

// Batcher is implemented by transactions that can send many writes in
// one round trip (PostgreSQL). Batch calls fn with queries whose writes
// are queued and sent when fn returns; errors (a unique violation, a
// guarded update that changed no row: ErrStale) surface then. fn must not
// read.
type Batcher interface {
	Batch(ctx context.Context, fn func(q Queries) error) error
}

// Tx is a transaction. After Commit or Rollback it must not be used;
// Rollback after Commit is a no-op so it can be deferred.
type Tx interface {
	Queries
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// Queries is every query bora makes, one method each. Store runs each in
// its own transaction (autocommit); Tx runs them inside one.
//
// Times are kept in UTC to the microsecond. A write normalises the times
// in the struct it is given to what is stored, and sets a zero
// CreatedAt/UpdatedAt to the current time, so the struct equals what a
// later read returns. Time comparisons use the Now the caller passes,
// never the database clock.
type Queries interface {
	WorkflowDefinitionCreate(ctx context.Context, def *WorkflowDefinition) error
	// WorkflowDefinitionGet finds a definition by id, or by name within a namespace.
	WorkflowDefinitionGet(ctx context.Context, idOrName, namespace string) (*WorkflowDefinition, error)
	WorkflowDefinitionList(ctx context.Context, p ListParams) ([]*WorkflowDefinition, error)
	// WorkflowDefinitionUpdate replaces definition text, tags and updated_at of the
	// definition with def.Name in def.Namespace, and fills def's id, scope,
	// project, workbook and created_at from the row.
	WorkflowDefinitionUpdate(ctx context.Context, def *WorkflowDefinition) error
	WorkflowDefinitionDelete(ctx context.Context, idOrName, namespace string) error
	// WorkflowDefinitionListByWorkbook returns the definitions a workbook
	// holds (WorkbookName = workbook, in namespace), by name.
	WorkflowDefinitionListByWorkbook(ctx context.Context, workbook, namespace string) ([]*WorkflowDefinition, error)

	// WorkbookCreate stores a workbook row (its text); ErrConflict when the
	// name is taken in the namespace. The workflows and actions it holds
	// are separate definitions the caller writes in the same transaction.
	WorkbookCreate(ctx context.Context, wb *Workbook) error
	WorkbookGet(ctx context.Context, name, namespace string) (*Workbook, error)
	WorkbookList(ctx context.Context, p ListParams) ([]*Workbook, error)
	// WorkbookUpdate replaces definition text, tags and updated_at of the
	// workbook wb.Name in wb.Namespace, and fills wb's id, scope, project
	// and created_at from the row; ErrNotFound when there is none.
	WorkbookUpdate(ctx context.Context, wb *Workbook) error
	WorkbookDelete(ctx context.Context, name, namespace string) error

	// ActionDefinitionCreate stores an ad-hoc action; ErrConflict when the
	// name is taken in the namespace.
	ActionDefinitionCreate(ctx context.Context, a *ActionDefinition) error
	// ActionDefinitionGet finds an ad-hoc action by id, or by name within
	// exactly that namespace (callers wanting Mistral's fallback to the
	// default namespace ask again with "").
	ActionDefinitionGet(ctx context.Context, idOrName, namespace string) (*ActionDefinition, error)
	ActionDefinitionList(ctx context.Context, p ActionDefinitionListParams) ([]*ActionDefinition, error)
	// ActionDefinitionUpdate replaces everything but the identity (id,
	// name, namespace, project, created_at) of the action a.Name in
	// a.Namespace, and fills a's id, project and created_at from the row;
	// ErrNotFound when there is none.
	ActionDefinitionUpdate(ctx context.Context, a *ActionDefinition) error
	ActionDefinitionDelete(ctx context.Context, idOrName, namespace string) error

	// EnvironmentCreate stores an environment; ErrConflict when the name is taken.
	EnvironmentCreate(ctx context.Context, env *Environment) error
	// EnvironmentGet finds an environment by name (Mistral's params.env
	// names one), or by id.
	EnvironmentGet(ctx context.Context, nameOrID string) (*Environment, error)
	EnvironmentList(ctx context.Context, p ListParams) ([]*Environment, error)
	// EnvironmentUpdate replaces description, variables, scope and
	// updated_at of the environment env.Name, and fills env's id, project
	// and created_at from the row; ErrNotFound when there is none.
	EnvironmentUpdate(ctx context.Context, env *Environment) error
	EnvironmentDelete(ctx context.Context, name string) error

	// ExecutionInsert stores a new execution; ErrConflict when the id is taken.
	ExecutionInsert(ctx context.Context, ex *workflow.Execution) error
	ExecutionGet(ctx context.Context, id string) (*workflow.Execution, error)
	// ExecutionLock takes the row lock that serialises all work on one
	// execution tree (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the
	// single writer already serialises, so it only checks the row exists).
	ExecutionLock(ctx context.Context, id string) error
	// ExecutionUpdate writes every mutable field of ex where the stored
	// version is ex.Version, and sets ex.Version to the next one; ErrStale
	// when the stored version differs, ErrNotFound when there is no row.
	// Identity fields are fixed at insert and not written: the ids, the
	// workflow's id, name and namespace, the project, Spec and CreatedAt.
	ExecutionUpdate(ctx context.Context, ex *workflow.Execution) error
	ExecutionList(ctx context.Context, p ExecutionListParams) ([]*workflow.Execution, error)
	// ExecutionDelete removes an execution and, with it, its tasks, action
	// executions, events and work items, and those of every execution whose
	// root it is (its sub-workflows); ErrNotFound when it does not exist.
	ExecutionDelete(ctx context.Context, id string) error

	TaskInsert(ctx context.Context, t *workflow.Task) error
	TaskGet(ctx context.Context, id string) (*workflow.Task, error)
	// TaskGetByName returns the most recently created task execution of
	// that name in the execution (Mistral's task(name) semantics), or only
	// among those in State when State is set.
	TaskGetByName(ctx context.Context, p TaskGetByNameParams) (*workflow.Task, error)
	// TaskUpdate is a guarded write like ExecutionUpdate; the ids, name,
	// type, workflow, project and CreatedAt are fixed at insert.
	TaskUpdate(ctx context.Context, t *workflow.Task) error
	TaskList(ctx context.Context, p TaskListParams) ([]*workflow.Task, error)

	ActionExecutionInsert(ctx context.Context, a *workflow.ActionExecution) error
	ActionExecutionGet(ctx context.Context, id string) (*workflow.ActionExecution, error)
	// ActionExecutionUpdate is a guarded write like ExecutionUpdate; the
	// ids, names, workflow, project and CreatedAt are fixed at insert.
	ActionExecutionUpdate(ctx context.Context, a *workflow.ActionExecution) error
	ActionExecutionList(ctx context.Context, p ActionExecutionListParams) ([]*workflow.ActionExecution, error)

	// EventInsert stores an event; a zero AvailableAt means due at once.
	EventInsert(ctx context.Context, ev *Event) error
	// EventClaimMany locks up to Limit (> 0) events whose available_at <= Now,
	// oldest first, skipping events locked by other transactions (SKIP
	// LOCKED). The claim is held by the transaction: it is released by
	// Commit (after EventDelete) or Rollback. Only meaningful in a Tx.
	EventClaimMany(ctx context.Context, p EventClaimParams) ([]*Event, error)
	// EventDelete removes an applied event; ErrNotFound when it is gone.
	EventDelete(ctx context.Context, id string) error
	// EventPostpone records a failed attempt: attempts+1, last_error, and
	// available_at moved to At, so a poison event backs off instead of spinning.
	EventPostpone(ctx context.Context, p EventPostponeParams) error
	// EventNextAvailableAt is the earliest available_at of any event, or
	// the zero time when there is none; pollers sleep until then.
	EventNextAvailableAt(ctx context.Context) (time.Time, error)

	WorkItemInsert(ctx context.Context, w *WorkItem) error
	// WorkItemClaimMany leases up to Limit available work items of any of
	// the Targets for Owner, oldest available_at first: each gets a fresh LeaseToken,
	// LeaseExpiresAt = Now + Lease and Claims+1. Only items nobody holds
	// are available: an item whose lease expired waits for the rescuer
	// (WorkItemExpiredMany), which decides whether its action may run
	// again (safe-rerun) or failed ("executor lost while running").
	WorkItemClaimMany(ctx context.Context, p WorkItemClaimParams) ([]*WorkItem, error)
	// WorkItemListByLease returns the items leased under token now. A
	// claimer whose claim failed without an answer (the connection broke
	// around its commit) asks with the token it chose, to take over what
	// the claim may have leased instead of leaving it to expire.
	WorkItemListByLease(ctx context.Context, token string) ([]*WorkItem, error)
	// WorkItemHeartbeat extends a lease; ErrStale when the token no longer holds it.
	WorkItemHeartbeat(ctx context.Context, p WorkItemHeartbeatParams) error
	// WorkItemDelete removes a work item held under token (an empty token
	// names an item that is not leased); ErrStale when the lease moved on
	// (the result must then be dropped) or the item is gone.
	WorkItemDelete(ctx context.Context, id, leaseToken string) error
	// WorkItemRelease hands a leased item back (graceful stop): lease
	// cleared and the claim's Claims count undone, so it is available at once
	// (its available_at is already past); ErrStale when the token no longer holds it.
	WorkItemRelease(ctx context.Context, id, leaseToken string) error
	// WorkItemExpiredMany returns up to Limit leased items whose lease
	// expired by Now, locking them on PostgreSQL (SKIP LOCKED) so two
	// rescuers never take the same one. Only meaningful in a Tx.
	WorkItemExpiredMany(ctx context.Context, p WorkItemExpiredParams) ([]*WorkItem, error)
	// WorkItemRequeue puts an item whose lease expired back in the queue,
	// keeping its Claims count (a run may have happened); ErrStale when
	// the lease moved on.
	WorkItemRequeue(ctx context.Context, id, leaseToken string) error

	// CronTriggerCreate stores a trigger; ErrConflict when the name is taken.
	CronTriggerCreate(ctx context.Context, t *CronTrigger) error
	// CronTriggerGet finds a trigger by name, or by id.
	CronTriggerGet(ctx context.Context, nameOrID string) (*CronTrigger, error)
	CronTriggerList(ctx context.Context, p ListParams) ([]*CronTrigger, error)
	CronTriggerDelete(ctx context.Context, nameOrID string) error
	// CronTriggerClaimDue locks up to Limit (> 0) triggers whose
	// next_execution_time <= Now, earliest first, skipping triggers locked
	// by other transactions (SKIP LOCKED). Only meaningful in a Tx.
	CronTriggerClaimDue(ctx context.Context, p CronTriggerClaimParams) ([]*CronTrigger, error)
	// CronTriggerAdvance moves a trigger whose next_execution_time is still
	// Prev to Next and RemainingExecutions; ErrStale when it moved on,
	// ErrNotFound when it is gone.
	CronTriggerAdvance(ctx context.Context, p CronTriggerAdvanceParams) error

	// ServiceHeartbeat records that a process is alive in a role: inserts
	// its row, or moves HeartbeatAt of the row with s's Name and Type.
	ServiceHeartbeat(ctx context.Context, s *Service) error
	// ServiceList returns the services whose last heartbeat is at or after
	// aliveSince, by name and type.
	ServiceList(ctx context.Context, aliveSince time.Time) ([]*Service, error)
	// ServiceDelete removes the rows of a process (a clean stop);
	// ErrNotFound when there are none.
	ServiceDelete(ctx context.Context, name string) error
}

// WorkflowDefinition is an uploaded workflow: its YAML and identity. The
// parsed spec is derived from Definition and cached by the engine.
type WorkflowDefinition struct {
	ID         string // a UUID is generated on create when empty
	Name       string // "<workbook>.<name>" for a workflow of a workbook
	Namespace  string
	Definition string // YAML that dsl.Parse accepts on its own, holding this workflow
	Tags       []string
	Scope      string // "private" or "public"
	ProjectID  string
	// WorkbookName is the workbook the workflow came from, "" for one
	// uploaded alone. Inside a workbook a short name (`workflow: other`,
	// `action: my_action`) means "<workbook>.<name>" first.
	WorkbookName string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Workbook is an uploaded workbook: its YAML, kept as uploaded. Its
// workflows and actions are WorkflowDefinition and ActionDefinition rows
// named "<workbook>.<name>" with WorkbookName set.
type Workbook struct {
	ID         string // a UUID is generated on create when empty
	Name       string
	Namespace  string
	Definition string
	Tags       []string
	Scope      string
	ProjectID  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// ActionDefinition is an ad-hoc action (a named wrapper around a base
// action), uploaded alone or in a workbook.
type ActionDefinition struct {
	ID        string // a UUID is generated on create when empty
	Name      string // "<workbook>.<name>" for an action of a workbook
	Namespace string
	// Definition is YAML that dsl.Parse (Kind actions) accepts on its own,
	// holding this action under Name, or as its only action.
	Definition  string
	Input       string // Mistral's one-line form: `a, b="x"`
	Description string
	Tags        []string
	// IsSystem marks a built-in action; ad-hoc actions are never system
	// ones, but Mistral keeps the column.
	IsSystem     bool
	WorkbookName string
	Scope        string
	ProjectID    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ActionDefinitionListParams filter ad-hoc actions.
type ActionDefinitionListParams struct {
	ListParams
	WorkbookName string // "" for any
}

// Environment is a named set of variables an execution can take as its
// env (params.env = the name).
type Environment struct {
	ID          string // a UUID is generated on create when empty
	Name        string
	Description string
	Variables   *value.Map // never nil once read
	Scope       string
	ProjectID   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ListParams are the common list options. Marker is the id after which
// to continue (ErrNotFound when no such row); Limit 0 means no limit.
// SortKey is a column name (workflow_name, state, created_at ...) from
// the driver's per-table list, an error otherwise; the default order is
// creation. SortDesc reverses it.
type ListParams struct {
	Namespace    string // filter when HasNamespace
	HasNamespace bool
	Marker       string
	Limit        int
	SortKey      string
	SortDesc     bool
	// Filters are further conditions, all of which a row must meet.
	Filters []Filter
}

// ExecutionListParams filter executions.
type ExecutionListParams struct {
	ListParams
	WorkflowName    string
	State           workflow.State
	TaskExecutionID string
	RootExecutionID string
}

// TaskGetByNameParams select a task by name.
type TaskGetByNameParams struct {
	ExecutionID string
	Name        string
	State       workflow.State // optional
}

// TaskListParams filter tasks.
type TaskListParams struct {
	ListParams
	ExecutionID string
	State       workflow.State
	Name        string
}

// ActionExecutionListParams filter action executions.
type ActionExecutionListParams struct {
	ListParams
	TaskExecutionID string
	ExecutionID     string
	State           workflow.State
}

// Event kinds.
const (
	EventStart        = "start"         // start a workflow execution
	EventActionResult = "action_result" // an action finished
	EventTimer        = "timer"         // a delay elapsed
)

// Event is something the engine must apply to one execution tree.
type Event struct {
	ID          string // a UUID is generated on insert when empty
	ExecutionID string // the execution the event is for
	RootID      string // its root: the lock the engine takes
	Kind        string
	Payload     []byte // JSON, shape depends on Kind
	AvailableAt time.Time
	Attempts    int
	LastError   string
	CreatedAt   time.Time
}

// EventClaimParams select events to claim.
type EventClaimParams struct {
	Now   time.Time
	Limit int
}

// EventPostponeParams record a failed attempt to apply an event.
type EventPostponeParams struct {
	ID    string
	At    time.Time
	Error string
}

// WorkItem is an action an executor must run.
type WorkItem struct {
	ID                string // equals the action execution id
	ActionExecutionID string
	ExecutionID       string
	Target            string // executor routing; "" is the default queue
	Payload           []byte // JSON: everything needed to run without the database
	AvailableAt       time.Time
	Attempt           int // the action execution's attempt this item runs
	// Claims counts the leases taken: each WorkItemClaimMany adds one and
	// WorkItemRelease takes it back, so an item claimed with Claims > 1
	// had a lease expire before, and its action may have run already
	// (which matters for an action that is not safe-rerun).
	Claims         int
	LeaseOwner     string // "" when not leased
	LeaseToken     string // "" when not leased
	LeaseExpiresAt *time.Time
	CreatedAt      time.Time
}

// WorkItemClaimParams select work items to lease.
type WorkItemClaimParams struct {
	Owner string
	// Targets are the queues to take from ("" is the default queue);
	// none means the default queue alone.
	Targets []string
	// Token, when set, is the lease token to give the claimed items (else
	// one is drawn), so the claimer can find them again with
	// WorkItemListByLease if the claim's answer is lost.
	Token string
	Now   time.Time
	Lease time.Duration
	Limit int
}

// Queues returns the targets a claim takes from: Targets, or the default
// queue when there are none.
func (p WorkItemClaimParams) Queues() []string {
	if len(p.Targets) == 0 {
		return []string{""}
	}
	return p.Targets
}

// WorkItemExpiredParams select work items whose lease expired.
type WorkItemExpiredParams struct {
	Now   time.Time
	Limit int
}

// WorkItemHeartbeatParams extend a lease.
type WorkItemHeartbeatParams struct {
	ID         string
	LeaseToken string
	Now        time.Time
	Lease      time.Duration
}
