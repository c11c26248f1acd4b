package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

// subExecutionFilters are the options of the sub-executions endpoints.
type subExecutionFilters struct {
	errorsOnly    bool
	maxDepth      int
	includeOutput bool
}

func parseSubExecutionFilters(r *http.Request) (subExecutionFilters, error) {
	flags, err := parseQueryFlags(r.URL.Query(),
		map[string]bool{"errors_only": false, "include_output": false},
		map[string]int{"max_depth": -1})
	if err != nil {
		return subExecutionFilters{}, err
	}
	return subExecutionFilters{
		errorsOnly:    flags.bools["errors_only"],
		maxDepth:      flags.ints["max_depth"],
		includeOutput: flags.bools["include_output"],
	}, nil
}

// listExecutionSubExecutions is GET /v2/executions/{id}/executions: the
// execution itself and every sub-workflow below it, depth first.
func (s *Server) listExecutionSubExecutions(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f, err := parseSubExecutionFilters(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ex, err := s.store.ExecutionGet(r.Context(), id)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "WorkflowExecution not found [id=%s]", id))
		return
	}
	var out []*workflow.Execution
	if err := s.collectExecution(r.Context(), ex, f, 0, &out); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeSubExecutions(w, r, out, f)
}

// listTaskSubExecutions is GET /v2/tasks/{id}/executions: the
// sub-workflows a task started, and theirs.
func (s *Server) listTaskSubExecutions(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f, err := parseSubExecutionFilters(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.store.TaskGet(r.Context(), id)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "Task execution not found [id=%s]", id))
		return
	}
	var out []*workflow.Execution
	if err := s.collectTask(r.Context(), t, f, 0, &out); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeSubExecutions(w, r, out, f)
}

func (s *Server) writeSubExecutions(w http.ResponseWriter, r *http.Request, executions []*workflow.Execution, f subExecutionFilters) {
	list := make([]object, len(executions))
	for i, ex := range executions {
		rendered, err := renderExecution(ex, f.includeOutput)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		list[i] = rendered.without("published_global")
	}
	writeJSON(w, http.StatusOK, object{{"executions", list}})
}

// collectExecution adds ex and the sub-workflows of its tasks, as
// Mistral's get_execution_sub_executions_list walks them.
func (s *Server) collectExecution(ctx context.Context, ex *workflow.Execution, f subExecutionFilters, depth int, out *[]*workflow.Execution) error {
	if f.maxDepth >= 0 && depth > f.maxDepth {
		return nil
	}
	*out = append(*out, ex)
	tasks, err := s.store.TaskList(ctx, store.TaskListParams{ExecutionID: ex.ID})
	if err != nil {
		return fmt.Errorf("tasks of execution %s: %w", ex.ID, err)
	}
	for _, t := range tasks {
		if err := s.collectTask(ctx, t, f, depth+1, out); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) collectTask(ctx context.Context, t *workflow.Task, f subExecutionFilters, depth int, out *[]*workflow.Execution) error {
	if f.errorsOnly && t.State != workflow.StateError {
		return nil
	}
	if t.Type != workflow.TaskTypeWorkflow {
		return nil // an action task starts no workflow
	}
	children, err := s.store.ExecutionList(ctx, store.ExecutionListParams{TaskExecutionID: t.ID})
	if err != nil {
		return fmt.Errorf("sub-workflows of task %s: %w", t.ID, err)
	}
	for _, c := range children {
		if err := s.collectExecution(ctx, c, f, depth, out); err != nil {
			return err
		}
	}
	return nil
}
