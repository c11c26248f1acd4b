package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

// estimateSample is how many earlier successful runs of the same workflow
// the report's estimated time averages, as Mistral's.
const estimateSample = 20

// reportFilters are the options of GET /v2/executions/{id}/report.
type reportFilters struct {
	errorsOnly bool
	maxDepth   int // < 0: no limit
}

// reportStats are the report's task counts, as Mistral counts them: only
// the tasks the report walks through (errors_only and max_depth apply).
type reportStats struct {
	total, running, success, errors, idle, paused int
}

func (st *reportStats) add(state workflow.State) {
	switch state {
	case workflow.StateRunning:
		st.running++
	case workflow.StateSuccess:
		st.success++
	case workflow.StateError:
		st.errors++
	case workflow.StateIdle:
		st.idle++
	case workflow.StatePaused:
		st.paused++
	default:
		return // Mistral leaves other states (WAITING, CANCELLED) out of the total too
	}
	st.total++
}

// getExecutionReport is GET /v2/executions/{id}/report: the execution's
// tree of tasks, their actions and sub-workflows, with retry counts and
// task statistics.
func (s *Server) getExecutionReport(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	flags, err := parseQueryFlags(r.URL.Query(),
		map[string]bool{"errors_only": false, "statistics_only": false},
		map[string]int{"max_depth": -1})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	ex, err := s.store.ExecutionGet(ctx, id)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "WorkflowExecution not found [id=%s]", id))
		return
	}
	f := reportFilters{errorsOnly: flags.bools["errors_only"], maxDepth: flags.ints["max_depth"]}
	var stats reportStats
	root, err := s.reportExecution(ctx, ex, f, &stats, 0)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	estimated, err := s.estimateTimeLeft(ctx, ex)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body := object{{"statistics", object{
		{"total_tasks_count", stats.total},
		{"running_tasks_count", stats.running},
		{"success_tasks_count", stats.success},
		{"error_tasks_count", stats.errors},
		{"idle_tasks_count", stats.idle},
		{"paused_tasks_count", stats.paused},
		{"estimated_time", estimated},
	}}}
	if !flags.bools["statistics_only"] {
		body = append(body, field{"root_workflow_execution", root})
	}
	writeJSON(w, http.StatusOK, body)
}

// reportExecution is one workflow entry of the report, with its tasks
// unless the execution is deeper than max_depth.
func (s *Server) reportExecution(ctx context.Context, ex *workflow.Execution, f reportFilters, stats *reportStats, depth int) (object, error) {
	entry := object{
		{"id", ex.ID},
		{"name", ex.WorkflowName},
		{"created_at", formatTime(ex.CreatedAt)},
		{"updated_at", formatTime(ex.UpdatedAt)},
		{"state", string(ex.State)},
		{"state_info", nullable(ex.StateInfo)},
	}
	if f.maxDepth >= 0 && depth > f.maxDepth {
		return entry, nil
	}
	tasks, err := s.store.TaskList(ctx, store.TaskListParams{ExecutionID: ex.ID})
	if err != nil {
		return nil, fmt.Errorf("report: tasks of execution %s: %w", ex.ID, err)
	}
	taskEntries := []object{}
	for _, t := range tasks {
		if f.errorsOnly && t.State != workflow.StateError {
			continue
		}
		stats.add(t.State)
		te, err := s.reportTask(ctx, t, f, stats, depth+1)
		if err != nil {
			return nil, err
		}
		taskEntries = append(taskEntries, te)
	}
	return append(entry, field{"task_executions", taskEntries}), nil
}

// reportTask is one task entry: its action executions, its sub-workflows
// and, once a retry policy re-ran it, its retry count.
func (s *Server) reportTask(ctx context.Context, t *workflow.Task, f reportFilters, stats *reportStats, depth int) (object, error) {
	actions, err := s.store.ActionExecutionList(ctx, store.ActionExecutionListParams{TaskExecutionID: t.ID})
	if err != nil {
		return nil, fmt.Errorf("report: actions of task %s: %w", t.ID, err)
	}
	actionEntries := make([]object, 0, len(actions))
	for _, a := range actions {
		actionEntries = append(actionEntries, object{
			{"accepted", a.MistralAccepted()},
			// bora keeps no heartbeat on the action row; its last change
			// is the closest thing.
			{"last_heartbeat", formatTime(a.UpdatedAt)},
			{"id", a.ID},
			{"name", a.Name},
			{"created_at", formatTime(a.CreatedAt)},
			{"updated_at", formatTime(a.UpdatedAt)},
			{"state", string(a.State)},
			{"state_info", nullable(a.StateInfo)},
		})
	}
	children, err := s.store.ExecutionList(ctx, store.ExecutionListParams{TaskExecutionID: t.ID})
	if err != nil {
		return nil, fmt.Errorf("report: sub-workflows of task %s: %w", t.ID, err)
	}
	childEntries := make([]object, 0, len(children))
	for _, c := range children {
		ce, err := s.reportExecution(ctx, c, f, stats, depth)
		if err != nil {
			return nil, err
		}
		childEntries = append(childEntries, ce)
	}
	entry := object{
		{"action_executions", actionEntries},
		{"workflow_executions", childEntries},
		{"id", t.ID},
		{"name", t.Name},
		{"created_at", formatTime(t.CreatedAt)},
		{"updated_at", formatTime(t.UpdatedAt)},
		{"state", string(t.State)},
		{"state_info", nullable(t.StateInfo)},
	}
	if t.Runtime.RetryNo > 0 {
		entry = append(entry, field{"retry_count", t.Runtime.RetryNo})
	}
	return entry, nil
}

// estimateTimeLeft is Mistral's estimate, in seconds, of how long a
// running execution still needs: the mean run time of the last successful
// runs of its workflow less the time it has run; -1 when there are none,
// 1 when it is already late, 0 when it is not running.
func (s *Server) estimateTimeLeft(ctx context.Context, ex *workflow.Execution) (int, error) {
	if ex.State != workflow.StateRunning {
		return 0, nil
	}
	prev, err := s.store.ExecutionList(ctx, store.ExecutionListParams{
		ListParams:   store.ListParams{Namespace: ex.WorkflowNamespace, HasNamespace: true, Limit: estimateSample, SortKey: "created_at", SortDesc: true},
		WorkflowName: ex.WorkflowName,
		State:        workflow.StateSuccess,
	})
	if err != nil {
		return 0, fmt.Errorf("report: earlier runs of %s: %w", ex.WorkflowName, err)
	}
	if len(prev) == 0 {
		return -1, nil
	}
	var sum time.Duration
	for _, p := range prev {
		sum += p.UpdatedAt.Sub(p.CreatedAt)
	}
	left := int((sum/time.Duration(len(prev)) - s.now().Sub(ex.CreatedAt)).Seconds())
	if left < 0 {
		return 1, nil
	}
	return left, nil
}
