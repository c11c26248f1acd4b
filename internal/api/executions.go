package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// executionFields are the attributes of Mistral's Execution resource, in
// the order Mistral sends them.
var executionFields = []string{
	"id", "workflow_id", "workflow_name", "workflow_namespace", "description",
	"tags", "params", "task_execution_id", "root_execution_id", "state",
	"state_info", "input", "output", "created_at", "updated_at", "project_id",
	"published_global",
}

var executionList = listSpec{
	collection: "executions",
	fields:     executionFields,
	sortColumns: sameColumns("id", "workflow_id", "workflow_name", "workflow_namespace", "description",
		"project_id", "state", "task_execution_id", "root_execution_id", "created_at", "updated_at"),
	// workflow_namespace is bora's: Mistral 15 cannot filter executions by namespace.
	filters:      []string{"workflow_name", "workflow_namespace", "state", "task_execution_id", "root_execution_id"},
	storeFilters: true,
}

// executionBodyFields are the attributes a POST may carry: the whole
// Execution resource, as Mistral takes it; the read-only ones are ignored.
var executionBodyFields = append([]string{"source_execution_id"}, executionFields...)

// createExecution is POST /v2/executions: start a workflow.
func (s *Server) createExecution(w http.ResponseWriter, r *http.Request) {
	req, err := s.readStartRequest(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ex, err := s.engine.StartExecution(r.Context(), req)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "Workflow not found [workflow_identifier=%s, namespace=%s]",
			req.WorkflowIdentifier, req.WorkflowNamespace))
		return
	}
	rendered, err := renderExecution(ex, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// Mistral's answer to a start has no published_global.
	writeJSON(w, http.StatusCreated, rendered.without("published_global"))
}

// readStartRequest reads a POST /v2/executions body. Input and params may
// be objects or JSON-encoded strings (Mistral's client sends strings).
func (s *Server) readStartRequest(r *http.Request) (engine.StartRequest, error) {
	body, err := readJSONBody(r, executionBodyFields)
	if err != nil {
		return engine.StartRequest{}, err
	}
	var req engine.StartRequest
	var workflowID, workflowName, sourceID string
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"id", &req.ID},
		{"workflow_id", &workflowID},
		{"workflow_name", &workflowName},
		{"workflow_namespace", &req.WorkflowNamespace},
		{"description", &req.Description},
		{"source_execution_id", &sourceID},
	} {
		if *f.dst, err = body.text(f.name); err != nil {
			return req, err
		}
	}
	if req.Input, err = body.jsonObject("wf_ex", "input"); err != nil {
		return req, err
	}
	if req.Params, err = body.jsonObject("wf_ex", "params"); err != nil {
		return req, err
	}
	if sourceID != "" {
		// Re-run of an earlier execution: its workflow, input and params,
		// with what the request gives merged over them.
		src, err := s.store.ExecutionGet(r.Context(), sourceID)
		if err != nil {
			return req, notFoundAs(err, "WorkflowExecution not found [id=%s]", sourceID)
		}
		if !body.has("workflow_id") {
			workflowID = src.WorkflowID
		}
		if !body.has("workflow_name") {
			workflowName = src.WorkflowName
		}
		if !body.has("workflow_namespace") {
			req.WorkflowNamespace = src.WorkflowNamespace
		}
		req.Input = mergeMaps(src.Input, req.Input)
		req.Params = mergeMaps(src.Params, req.Params)
		req.Description = strings.TrimSpace(req.Description + " Based on the execution '" + sourceID + "'")
	}
	// Mistral prefers the id when both are given.
	req.WorkflowIdentifier = workflowID
	if req.WorkflowIdentifier == "" {
		req.WorkflowIdentifier = workflowName
	}
	if req.WorkflowIdentifier == "" {
		return req, badRequest("Workflow ID or workflow name must be provided. Workflow ID is recommended.")
	}
	return req, nil
}

// mergeMaps returns base with over merged into it, maps merged key by key
// (Mistral's merge_dicts): a re-run's input overrides the source's.
func mergeMaps(base, over *value.Map) *value.Map {
	out := base.Clone()
	over.Range(func(k string, v any) bool {
		if sub, ok := v.(*value.Map); ok {
			if old, ok := out.Get(k); ok {
				if oldSub, ok := old.(*value.Map); ok {
					out.Set(k, mergeMaps(oldSub, sub))
					return true
				}
			}
		}
		out.Set(k, v)
		return true
	})
	return out
}

// getExecution is GET /v2/executions/{id}.
func (s *Server) getExecution(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	fields, err := fieldsParam(r, executionFields)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ex, err := s.store.ExecutionGet(r.Context(), id)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "WorkflowExecution not found [id=%s]", id))
		return
	}
	rendered, err := renderExecution(ex, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rendered.only(fields))
}

// listExecutions is GET /v2/executions.
func (s *Server) listExecutions(w http.ResponseWriter, r *http.Request) {
	req, err := parseListRequest(r.URL.Query(), executionList)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	state, err := req.stateFilter()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ns, ok := req.filters["workflow_namespace"]; ok {
		req.Namespace, req.HasNamespace = ns, true
	}
	executions, err := s.store.ExecutionList(r.Context(), store.ExecutionListParams{
		ListParams:      req.ListParams,
		WorkflowName:    req.filters["workflow_name"],
		State:           state,
		TaskExecutionID: req.filters["task_execution_id"],
		RootExecutionID: req.filters["root_execution_id"],
	})
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "WorkflowExecution not found [id=%s]", req.Marker))
		return
	}
	list := make([]object, len(executions))
	for i, ex := range executions {
		// Lists leave the output out unless asked (it may be large), and
		// never carry published_global.
		rendered, err := renderExecution(ex, req.includeOutput)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		list[i] = rendered.without("published_global").only(req.fields)
	}
	var lastID string
	if len(executions) > 0 {
		lastID = executions[len(executions)-1].ID
	}
	writeJSON(w, http.StatusOK, withNext(object{{"executions", list}},
		req.nextLink(r, executionList.collection, len(executions), lastID)))
}

// deleteExecution is DELETE /v2/executions/{id}: only a completed
// execution, unless force=true, as Mistral. Its tasks, actions, pending
// events and work items go with it, in one transaction.
func (s *Server) deleteExecution(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	force := false
	if v := r.URL.Query().Get("force"); v != "" {
		var err error
		if force, err = strconv.ParseBool(v); err != nil {
			s.writeError(w, r, badRequest("Invalid input for field/attribute force: %q is not a boolean.", v))
			return
		}
	}
	err := store.InTx(r.Context(), s.store, func(ctx context.Context, tx store.Tx) error {
		// Lock first, so the engine cannot move the execution on between
		// the state check and the delete.
		if err := tx.ExecutionLock(ctx, id); err != nil {
			return err
		}
		ex, err := tx.ExecutionGet(ctx, id)
		if err != nil {
			return err
		}
		if !force && !ex.State.IsCompleted() {
			return &requestError{
				status: http.StatusForbidden,
				msg: fmt.Sprintf("Only completed executions can be deleted. Use --force to override this. "+
					"Execution %s is in %s state", id, ex.State),
			}
		}
		return tx.ExecutionDelete(ctx, id)
	})
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "WorkflowExecution not found [id=%s]", id))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// renderExecution is Mistral's Execution resource as GET shows it;
// without withOutput the output is left out (and not encoded).
func renderExecution(ex *workflow.Execution, withOutput bool) (object, error) {
	params, err := mapText(ex.Params)
	if err != nil {
		return nil, fmt.Errorf("render execution params: %w", err)
	}
	input, err := mapText(ex.Input)
	if err != nil {
		return nil, fmt.Errorf("render execution input: %w", err)
	}
	// Mistral's output is {} until the workflow completes.
	output := "{}"
	if withOutput && ex.Output != nil {
		if output, err = jsonText(ex.Output); err != nil {
			return nil, fmt.Errorf("render execution output: %w", err)
		}
	}
	projectID := ex.ProjectID
	if projectID == "" {
		projectID = workflow.DefaultProjectID
	}
	rendered := object{
		{"id", ex.ID},
		{"workflow_id", ex.WorkflowID},
		{"workflow_name", ex.WorkflowName},
		{"workflow_namespace", ex.WorkflowNamespace},
		{"description", ex.Description},
		{"tags", stringList(ex.Tags)},
		{"params", params},
		{"task_execution_id", nullable(ex.TaskExecutionID)},
		{"root_execution_id", nullable(ex.RootExecutionID)},
		{"state", string(ex.State)},
		{"state_info", nullable(ex.StateInfo)},
		{"input", input},
		{"output", output},
		{"created_at", formatTime(ex.CreatedAt)},
		{"updated_at", formatTime(ex.UpdatedAt)},
		{"project_id", projectID},
		// Variables published with publish-global are not kept apart from
		// the context yet; Mistral shows {} when there are none.
		{"published_global", "{}"},
	}
	if !withOutput {
		rendered = rendered.without("output")
	}
	return rendered, nil
}
