package engine

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// txState is the write-behind cache of one engine transaction. Steps
// change rows in memory; flush writes each row once, in its final state:
// a task created and completed inside one transaction is one INSERT. It
// also answers the state machine's reads, newest first, so a step sees
// what earlier steps of the same transaction did.
type txState struct {
	tx store.Tx
	// engine gives the reader its caches (parsed ad-hoc actions) and the
	// action registry.
	engine *Engine

	executions     map[string]*workflow.Execution
	newExecutions  []*workflow.Execution // sub-workflows started in this transaction
	dirtyExecution map[string]bool

	tasks     map[string]*workflow.Task
	taskOrder []*workflow.Task // tasks created in this transaction, in order
	newTask   map[string]bool
	dirtyTask map[string]bool

	actions     map[string]*workflow.ActionExecution
	actionOrder []*workflow.ActionExecution
	newAction   map[string]bool
	dirtyAction map[string]bool

	// waiting remembers WaitingTask answers by execution and name (nil
	// included): a join is looked up once per transaction, not per arrival.
	waiting map[string]*workflow.Task

	workItems []*store.WorkItem
	events    []*store.Event
	// overflowed groups, by execution, the inline results left for the
	// next transaction (see overflow).
	overflowed     map[string]*overflowGroup
	overflowedKeys []string
}

type overflowGroup struct {
	root string
	ids  []string
}

// overflow queues an inline result that is over this transaction's
// budget; write turns each execution's queue into one event.
func (s *txState) overflow(act *workflow.ActionExecution) {
	if s.overflowed == nil {
		s.overflowed = map[string]*overflowGroup{}
	}
	g, ok := s.overflowed[act.ExecutionID]
	if !ok {
		g = &overflowGroup{root: rootOf(act)}
		s.overflowed[act.ExecutionID] = g
		s.overflowedKeys = append(s.overflowedKeys, act.ExecutionID)
	}
	g.ids = append(g.ids, act.ID)
}

func (e *Engine) newTxState(tx store.Tx) *txState {
	return &txState{
		tx:             tx,
		engine:         e,
		executions:     map[string]*workflow.Execution{},
		dirtyExecution: map[string]bool{},
		tasks:          map[string]*workflow.Task{},
		newTask:        map[string]bool{},
		dirtyTask:      map[string]bool{},
		actions:        map[string]*workflow.ActionExecution{},
		newAction:      map[string]bool{},
		dirtyAction:    map[string]bool{},
		waiting:        map[string]*workflow.Task{},
	}
}

func (s *txState) execution(ctx context.Context, id string) (*workflow.Execution, error) {
	if ex, ok := s.executions[id]; ok {
		return ex, nil
	}
	ex, err := s.tx.ExecutionGet(ctx, id)
	if err != nil {
		return nil, err
	}
	s.executions[id] = ex
	return ex, nil
}

func (s *txState) action(ctx context.Context, id string) (*workflow.ActionExecution, error) {
	if a, ok := s.actions[id]; ok {
		return a, nil
	}
	a, err := s.tx.ActionExecutionGet(ctx, id)
	if err != nil {
		return nil, err
	}
	s.actions[id] = a
	return a, nil
}

// prefetchChunk is how many rows one prefetch query asks for. Every
// query has exactly this many placeholders (the last chunk repeats an
// id), so the stores prepare one statement for all of them.
const prefetchChunk = 256

// prefetchActions reads the action executions ids names that are not
// cached, and their tasks, a chunk per query instead of a query per row:
// the results an overloaded transaction left for the next one arrive as
// one event listing thousands of ids. Rows it does not find are left to
// action and Task, which report them.
func (s *txState) prefetchActions(ctx context.Context, ids []string) error {
	var missing []string
	for _, id := range ids {
		if _, ok := s.actions[id]; !ok {
			missing = append(missing, id)
		}
	}
	var taskIDs []string
	err := inChunks(missing, func(f store.Filter) error {
		list, err := s.tx.ActionExecutionList(ctx, store.ActionExecutionListParams{ListParams: store.ListParams{Filters: []store.Filter{f}}})
		if err != nil {
			return fmt.Errorf("prefetch action executions: %w", err)
		}
		for _, a := range list {
			if _, ok := s.actions[a.ID]; ok {
				continue
			}
			s.actions[a.ID] = a
			if _, ok := s.tasks[a.TaskExecutionID]; !ok && a.TaskExecutionID != "" {
				taskIDs = append(taskIDs, a.TaskExecutionID)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(taskIDs)
	return inChunks(slices.Compact(taskIDs), func(f store.Filter) error {
		list, err := s.tx.TaskList(ctx, store.TaskListParams{ListParams: store.ListParams{Filters: []store.Filter{f}}})
		if err != nil {
			return fmt.Errorf("prefetch tasks: %w", err)
		}
		for _, t := range list {
			if _, ok := s.tasks[t.ID]; !ok {
				s.tasks[t.ID] = t
			}
		}
		return nil
	})
}

// inChunks calls fn with an "id in (...)" filter per prefetchChunk ids,
// each of exactly prefetchChunk values.
func inChunks(ids []string, fn func(store.Filter) error) error {
	for len(ids) > 0 {
		n := min(len(ids), prefetchChunk)
		values := make([]any, prefetchChunk)
		for i := range values {
			values[i] = ids[min(i, n-1)]
		}
		if err := fn(store.Filter{Column: "id", Op: store.FilterIn, Values: values}); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// absorb takes a step's row changes into the cache.
func (s *txState) absorb(step *workflow.Step) {
	if step.ExecutionChanged {
		s.dirtyExecution[step.Execution.ID] = true
	}
	for _, t := range step.NewTasks {
		if t.State == workflow.StateWaiting {
			s.waiting[t.ExecutionID+"/"+t.Name] = t
		}
		s.tasks[t.ID] = t
		s.newTask[t.ID] = true
		s.taskOrder = append(s.taskOrder, t)
	}
	for _, t := range step.ChangedTasks {
		s.tasks[t.ID] = t
		s.dirtyTask[t.ID] = true
	}
	for _, a := range step.NewActions {
		s.actions[a.ID] = a
		s.newAction[a.ID] = true
		s.actionOrder = append(s.actionOrder, a)
	}
	for _, a := range step.ChangedActions {
		s.actions[a.ID] = a
		s.dirtyAction[a.ID] = true
	}
}

// Task implements workflow.Reader.
func (s *txState) Task(ctx context.Context, id string) (*workflow.Task, error) {
	if t, ok := s.tasks[id]; ok {
		return t, nil
	}
	t, err := s.tx.TaskGet(ctx, id)
	if err != nil {
		return nil, err
	}
	s.tasks[id] = t
	return t, nil
}

// TaskByName implements workflow.Reader: a task created in this
// transaction is newer than any stored one.
func (s *txState) TaskByName(ctx context.Context, executionID, name string) (*workflow.Task, error) {
	for i := len(s.taskOrder) - 1; i >= 0; i-- {
		t := s.taskOrder[i]
		if t.ExecutionID == executionID && t.Name == name {
			return t, nil
		}
	}
	return s.cachedOrNil(s.tx.TaskGetByName(ctx, store.TaskGetByNameParams{ExecutionID: executionID, Name: name}))
}

// WaitingTask implements workflow.Reader. Within a transaction the answer
// is remembered: a join task leaves WAITING only through this cache's own
// rows, so a remembered task that moved on means none is waiting.
func (s *txState) WaitingTask(ctx context.Context, executionID, name string) (*workflow.Task, error) {
	key := executionID + "/" + name
	if t, ok := s.waiting[key]; ok {
		if t == nil || t.State != workflow.StateWaiting {
			return nil, nil
		}
		return t, nil
	}
	t, err := s.cachedOrNil(s.tx.TaskGetByName(ctx, store.TaskGetByNameParams{
		ExecutionID: executionID, Name: name, State: workflow.StateWaiting,
	}))
	if err != nil {
		return nil, err
	}
	s.waiting[key] = t
	if t == nil || t.State != workflow.StateWaiting {
		return nil, nil
	}
	return t, nil
}

// WaitingTasks implements workflow.Reader.
func (s *txState) WaitingTasks(ctx context.Context, executionID string) ([]*workflow.Task, error) {
	stored, err := s.tx.TaskList(ctx, store.TaskListParams{ExecutionID: executionID, State: workflow.StateWaiting})
	if err != nil {
		return nil, fmt.Errorf("list waiting tasks of %s: %w", executionID, err)
	}
	var out []*workflow.Task
	seen := map[string]bool{}
	for _, t := range stored {
		if c, ok := s.tasks[t.ID]; ok {
			t = c
		} else {
			s.tasks[t.ID] = t
		}
		seen[t.ID] = true
		if t.State == workflow.StateWaiting {
			out = append(out, t)
		}
	}
	for _, t := range s.taskOrder {
		if !seen[t.ID] && t.ExecutionID == executionID && t.State == workflow.StateWaiting {
			out = append(out, t)
		}
	}
	return out, nil
}

// TaskActions implements workflow.Reader.
func (s *txState) TaskActions(ctx context.Context, taskID string) ([]*workflow.ActionExecution, error) {
	stored, err := s.tx.ActionExecutionList(ctx, store.ActionExecutionListParams{TaskExecutionID: taskID})
	if err != nil {
		return nil, fmt.Errorf("list actions of task %s: %w", taskID, err)
	}
	out := make([]*workflow.ActionExecution, 0, len(stored))
	seen := make(map[string]bool, len(stored))
	for _, a := range stored {
		if c, ok := s.actions[a.ID]; ok {
			a = c
		}
		seen[a.ID] = true
		out = append(out, a)
	}
	for _, a := range s.actionOrder {
		if !seen[a.ID] && a.TaskExecutionID == taskID {
			out = append(out, a)
		}
	}
	return out, nil
}

// AdHocAction implements workflow.Reader. A name the action registry
// knows is a system action and costs no query.
func (s *txState) AdHocAction(ctx context.Context, name, namespace string) (*dsl.Action, error) {
	if _, ok := s.engine.actions.Get(name); ok || name == "" {
		return nil, nil
	}
	def, err := s.tx.ActionDefinitionGet(ctx, name, namespace)
	if isNotFound(err) && namespace != "" {
		def, err = s.tx.ActionDefinitionGet(ctx, name, "")
	}
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find ad-hoc action %q: %w", name, err)
	}
	return s.engine.adhocSpec(def)
}

// CheckAction implements workflow.Reader with the engine's registry.
func (s *txState) CheckAction(name, namespace string, input *value.Map) error {
	def, ok := s.engine.actions.Get(name)
	if !ok {
		return &workflow.UnknownActionError{Name: name, Namespace: namespace}
	}
	_, err := def.PrepareInput(input)
	return err
}

// ListTasks implements workflow.Reader; rows this transaction holds win.
func (s *txState) ListTasks(ctx context.Context, executionID string, state workflow.State) ([]*workflow.Task, error) {
	stored, err := s.tx.TaskList(ctx, store.TaskListParams{ExecutionID: executionID})
	if err != nil {
		return nil, fmt.Errorf("list tasks of %s: %w", executionID, err)
	}
	var out []*workflow.Task
	seen := map[string]bool{}
	keep := func(t *workflow.Task) {
		seen[t.ID] = true
		if state == "" || t.State == state {
			out = append(out, t)
		}
	}
	for _, t := range stored {
		if c, ok := s.tasks[t.ID]; ok {
			t = c
		}
		keep(t)
	}
	for _, t := range s.taskOrder {
		if !seen[t.ID] && (executionID == "" || t.ExecutionID == executionID) {
			keep(t)
		}
	}
	return out, nil
}

// ListExecutions implements workflow.Reader.
func (s *txState) ListExecutions(ctx context.Context, id, rootID string, state workflow.State) ([]*workflow.Execution, error) {
	if id != "" {
		ex, err := s.execution(ctx, id)
		if isNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if (rootID != "" && ex.RootExecutionID != rootID) || (state != "" && ex.State != state) {
			return nil, nil
		}
		return []*workflow.Execution{ex}, nil
	}
	list, err := s.tx.ExecutionList(ctx, store.ExecutionListParams{RootExecutionID: rootID, State: state})
	if err != nil {
		return nil, fmt.Errorf("list executions: %w", err)
	}
	for i, ex := range list {
		if c, ok := s.executions[ex.ID]; ok {
			list[i] = c
		}
	}
	return list, nil
}

// TaskChildren implements workflow.Reader: the stored children of the
// task, then those this transaction started.
func (s *txState) TaskChildren(ctx context.Context, taskID string) ([]*workflow.Execution, error) {
	list, err := s.tx.ExecutionList(ctx, store.ExecutionListParams{TaskExecutionID: taskID})
	if err != nil {
		return nil, fmt.Errorf("list sub-workflows of task %s: %w", taskID, err)
	}
	seen := make(map[string]bool, len(list))
	for i, ex := range list {
		if c, ok := s.executions[ex.ID]; ok {
			list[i] = c
		}
		seen[ex.ID] = true
	}
	for _, ex := range s.newExecutions {
		if !seen[ex.ID] && ex.TaskExecutionID == taskID {
			list = append(list, ex)
		}
	}
	return list, nil
}

// cachedOrNil turns not-found into nil and prefers the cached copy of a
// row this transaction already holds.
func (s *txState) cachedOrNil(t *workflow.Task, err error) (*workflow.Task, error) {
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	if c, ok := s.tasks[t.ID]; ok {
		return c, nil
	}
	s.tasks[t.ID] = t
	return t, nil
}

// flush writes every changed row once, stamping times from now. On a
// store that can batch (PostgreSQL), all the writes go to the server in
// one round trip.
//
// The executions' rows go last, stamped after the rest is written, so
// an execution's created_at → updated_at covers the work of its last
// transaction: that is what bora bench reads as the server's time. In a
// batch nothing is written until it is sent, so a big batch goes in two
// round trips, the executions' updates after the rest; a small one would
// pay the second round trip for a stamp early by well under a
// millisecond.
func (s *txState) flush(ctx context.Context, e *Engine) error {
	b, ok := s.tx.(store.Batcher)
	if !ok {
		return s.write(ctx, e, s.tx)
	}
	if s.pendingRows() < splitBatchRows {
		return b.Batch(ctx, func(q store.Queries) error { return s.write(ctx, e, q) })
	}
	if err := b.Batch(ctx, func(q store.Queries) error { return s.writeRows(ctx, e, q) }); err != nil {
		return err
	}
	return b.Batch(ctx, func(q store.Queries) error { return s.writeExecutions(ctx, e, q) })
}

// splitBatchRows is the size of a batch from which flush stamps and
// sends the executions' updates in a round trip of their own.
const splitBatchRows = 64

// pendingRows counts the rows flush will write.
func (s *txState) pendingRows() int {
	return len(s.taskOrder) + len(s.dirtyTask) + len(s.actionOrder) + len(s.dirtyAction) +
		len(s.newExecutions) + len(s.dirtyExecution) + len(s.workItems) + len(s.events) + len(s.overflowedKeys)
}

func (s *txState) write(ctx context.Context, e *Engine, q store.Queries) error {
	if err := s.writeRows(ctx, e, q); err != nil {
		return err
	}
	return s.writeExecutions(ctx, e, q)
}

// writeRows writes every changed row but the updated executions.
func (s *txState) writeRows(ctx context.Context, e *Engine, q store.Queries) error {
	now := e.now()
	for _, exID := range s.overflowedKeys {
		g := s.overflowed[exID]
		s.events = append(s.events, &store.Event{
			ID: id.New(), ExecutionID: exID, RootID: g.root, Kind: store.EventActionResult,
			Payload: mustJSON(actionResultPayload{ActionExecutionIDs: g.ids}),
		})
	}
	s.overflowedKeys = nil
	for _, t := range s.taskOrder {
		stampTask(t, now)
		if err := q.TaskInsert(ctx, t); err != nil {
			return fmt.Errorf("insert task %s (%s): %w", t.ID, t.Name, err)
		}
	}
	for id := range s.dirtyTask {
		if s.newTask[id] {
			continue
		}
		t := s.tasks[id]
		stampTask(t, now)
		if err := q.TaskUpdate(ctx, t); err != nil {
			return fmt.Errorf("update task %s (%s): %w", t.ID, t.Name, err)
		}
	}
	for _, a := range s.actionOrder {
		stampAction(a, now)
		if err := q.ActionExecutionInsert(ctx, a); err != nil {
			return fmt.Errorf("insert action execution %s: %w", a.ID, err)
		}
	}
	for id := range s.dirtyAction {
		if s.newAction[id] {
			continue
		}
		a := s.actions[id]
		stampAction(a, now)
		if err := q.ActionExecutionUpdate(ctx, a); err != nil {
			return fmt.Errorf("update action execution %s: %w", a.ID, err)
		}
	}
	for _, ex := range s.newExecutions {
		ex.UpdatedAt = e.now()
		if err := q.ExecutionInsert(ctx, ex); err != nil {
			return fmt.Errorf("insert sub-workflow execution %s: %w", ex.ID, err)
		}
	}
	for _, w := range s.workItems {
		w.AvailableAt, w.CreatedAt = now, now
		if err := q.WorkItemInsert(ctx, w); err != nil {
			return fmt.Errorf("insert work item %s: %w", w.ID, err)
		}
	}
	for _, ev := range s.events {
		if ev.AvailableAt.IsZero() {
			ev.AvailableAt = now
		}
		ev.CreatedAt = now
		if err := q.EventInsert(ctx, ev); err != nil {
			return fmt.Errorf("insert event %s: %w", ev.ID, err)
		}
	}
	return nil
}

// writeExecutions writes the updated executions (not those this
// transaction created), stamped now: after the other rows are written.
func (s *txState) writeExecutions(ctx context.Context, e *Engine, q store.Queries) error {
	created := make(map[string]bool, len(s.newExecutions))
	for _, ex := range s.newExecutions {
		created[ex.ID] = true
	}
	for id := range s.dirtyExecution {
		if created[id] {
			continue
		}
		ex := s.executions[id]
		ex.UpdatedAt = e.now()
		if err := q.ExecutionUpdate(ctx, ex); err != nil {
			return fmt.Errorf("update execution %s: %w", ex.ID, err)
		}
	}
	return nil
}

func stampTask(t *workflow.Task, now time.Time) {
	if t.CreatedAt.IsZero() {
		t.CreatedAt = now
	}
	t.UpdatedAt = now
	if t.StartedAt == nil && t.State != workflow.StateWaiting {
		n := now
		t.StartedAt = &n
	}
	if t.FinishedAt == nil && t.State.IsCompleted() {
		n := now
		t.FinishedAt = &n
	}
}

func stampAction(a *workflow.ActionExecution, now time.Time) {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now
	}
	a.UpdatedAt = now
}
