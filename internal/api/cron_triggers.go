package api

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/bora-workflow/bora/internal/cron"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

// cronTriggerFields are the attributes of Mistral's CronTrigger resource,
// in the order Mistral sends them.
var cronTriggerFields = []string{
	"id", "name", "workflow_name", "workflow_id", "workflow_input", "workflow_params",
	"project_id", "scope", "pattern", "remaining_executions", "first_execution_time",
	"next_execution_time", "created_at", "updated_at",
}

var cronTriggerList = listSpec{
	collection: "cron_triggers",
	fields:     cronTriggerFields,
	sortColumns: sameColumns("id", "name", "workflow_name", "workflow_id", "pattern", "scope", "project_id",
		"first_execution_time", "next_execution_time", "remaining_executions", "created_at", "updated_at"),
	storeFilters: true,
}

// cronTriggerBodyFields are the attributes a POST may carry; bora also
// takes the workflow's namespace, which Mistral 15's resource lacks.
var cronTriggerBodyFields = append([]string{"workflow_namespace"}, cronTriggerFields...)

// firstTimeLayout is the form of first_execution_time in a request, in UTC.
const firstTimeLayout = "2006-01-02 15:04"

// createCronTrigger is POST /v2/cron_triggers.
func (s *Server) createCronTrigger(w http.ResponseWriter, r *http.Request) {
	t, err := s.readCronTrigger(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	err = store.InTx(r.Context(), s.store, func(ctx context.Context, tx store.Tx) error {
		return s.bindCronTrigger(ctx, tx, t)
	})
	if err != nil {
		if errors.Is(err, store.ErrConflict) {
			err = &requestError{status: http.StatusConflict, cause: err,
				msg: fmt.Sprintf("Duplicate entry for cron trigger ['name', 'project_id']: %s, None", t.Name)}
		}
		s.writeError(w, r, notFoundAs(err, "Workflow not found [workflow_identifier=%s, namespace=%s]",
			t.WorkflowName, t.WorkflowNamespace))
		return
	}
	rendered, err := renderCronTrigger(t)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// Mistral's answer to a create has no updated_at.
	writeJSON(w, http.StatusCreated, rendered.without("updated_at"))
}

// bindCronTrigger finds the trigger's workflow, checks the input against
// it and stores the trigger, in tx.
func (s *Server) bindCronTrigger(ctx context.Context, tx store.Tx, t *store.CronTrigger) error {
	identifier := t.WorkflowID
	if identifier == "" {
		identifier = t.WorkflowName
	}
	def, err := tx.WorkflowDefinitionGet(ctx, identifier, t.WorkflowNamespace)
	if err != nil {
		return err
	}
	spec, err := s.engine.ParseWorkflow(def.Name, def.Definition)
	if err != nil {
		return fmt.Errorf("parse workflow %s: %w", def.Name, err)
	}
	if _, err := workflow.PrepareInput(spec, t.WorkflowInput); err != nil {
		return badRequest("%s", err.Error())
	}
	t.WorkflowID, t.WorkflowName, t.WorkflowNamespace = def.ID, def.Name, def.Namespace
	return tx.CronTriggerCreate(ctx, t)
}

// readCronTrigger reads a POST /v2/cron_triggers body and works out the
// first run, with Mistral's checks and words.
func (s *Server) readCronTrigger(r *http.Request) (*store.CronTrigger, error) {
	body, err := readJSONBody(r, cronTriggerBodyFields)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	t := &store.CronTrigger{Scope: "private", ProjectID: workflow.DefaultProjectID, CreatedAt: now, UpdatedAt: now}
	var firstText string
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"name", &t.Name},
		{"workflow_name", &t.WorkflowName},
		{"workflow_id", &t.WorkflowID},
		{"workflow_namespace", &t.WorkflowNamespace},
		{"pattern", &t.Pattern},
		{"first_execution_time", &firstText},
	} {
		if *f.dst, err = body.text(f.name); err != nil {
			return nil, err
		}
	}
	if t.Name == "" {
		return nil, badRequest("Invalid input for field/attribute name: a cron trigger needs a name.")
	}
	if t.WorkflowName == "" && t.WorkflowID == "" {
		return nil, badRequest("Workflow ID or workflow name must be provided. Workflow ID is recommended.")
	}
	if t.WorkflowInput, err = body.jsonObject("cron_trigger", "workflow_input"); err != nil {
		return nil, err
	}
	if t.WorkflowParams, err = body.jsonObject("cron_trigger", "workflow_params"); err != nil {
		return nil, err
	}
	if t.RemainingExecutions, err = remainingExecutions(body); err != nil {
		return nil, err
	}
	if firstText != "" {
		first, err := time.Parse(firstTimeLayout, firstText)
		if err != nil {
			return nil, badRequest("time data '%s' does not match format '%%Y-%%m-%%d %%H:%%M'", firstText)
		}
		t.FirstExecutionTime = &first
	}
	if t.Pattern == "" && t.FirstExecutionTime == nil {
		return nil, badRequest("Pattern or first_execution_time must be specified.")
	}
	if t.FirstExecutionTime != nil {
		if now.Add(time.Minute).After(*t.FirstExecutionTime) {
			return nil, badRequest("first_execution_time must be at least 1 minute in the future.")
		}
		if t.Pattern == "" && t.RemainingExecutions != nil && *t.RemainingExecutions > 1 {
			return nil, badRequest("Pattern must be provided if count is superior to 1.")
		}
	}
	if t.Pattern != "" {
		if err := cron.Validate(t.Pattern); err != nil {
			return nil, badRequest("The specified pattern is not valid: %s", t.Pattern)
		}
	}
	if t.FirstExecutionTime != nil {
		t.NextExecutionTime = *t.FirstExecutionTime
		if t.Pattern == "" {
			// Mistral's way of saying "this one time only".
			t.Pattern = cron.NeverPattern
			if t.RemainingExecutions == nil {
				one := 1
				t.RemainingExecutions = &one
			}
		}
	} else if t.NextExecutionTime, err = cron.Next(t.Pattern, now); err != nil {
		return nil, badRequest("The specified pattern is not valid: %s", t.Pattern)
	}
	return t, nil
}

// remainingExecutions reads remaining_executions: absent or null for no
// limit, else an integer of at least 1.
func remainingExecutions(body jsonBody) (*int, error) {
	v, ok := body.fields.Get("remaining_executions")
	if !ok || v == nil {
		return nil, nil
	}
	var n int64
	switch t := v.(type) {
	case int64:
		n = t
	case *big.Int:
		n = 1 << 31 // out of range below
	default:
		return nil, badRequest("Invalid input for field/attribute remaining_executions. Value: '%v'. Wrong type. Expected an integer.", pythonStr(v))
	}
	if n < 1 {
		return nil, badRequest("Invalid input for field/attribute remaining_executions. Value: '%d'. Value should be greater or equal to 1", n)
	}
	if n > 1<<31-1 {
		return nil, badRequest("Invalid input for field/attribute remaining_executions: the value is too large.")
	}
	count := int(n)
	return &count, nil
}

// getCronTrigger is GET /v2/cron_triggers/{name} (a name or an id).
func (s *Server) getCronTrigger(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	fields, err := fieldsParam(r, cronTriggerFields)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.store.CronTriggerGet(r.Context(), name)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "Cron trigger not found [identifier=%s]", name))
		return
	}
	rendered, err := renderCronTrigger(t)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rendered.only(fields))
}

// listCronTriggers is GET /v2/cron_triggers.
func (s *Server) listCronTriggers(w http.ResponseWriter, r *http.Request) {
	req, err := parseListRequest(r.URL.Query(), cronTriggerList)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	triggers, err := s.store.CronTriggerList(r.Context(), req.ListParams)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "Cron trigger not found [identifier=%s]", req.Marker))
		return
	}
	list := make([]object, len(triggers))
	for i, t := range triggers {
		rendered, err := renderCronTrigger(t)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		list[i] = rendered.only(req.fields)
	}
	var lastID string
	if len(triggers) > 0 {
		lastID = triggers[len(triggers)-1].ID
	}
	writeJSON(w, http.StatusOK, withNext(object{{"cron_triggers", list}},
		req.nextLink(r, cronTriggerList.collection, len(triggers), lastID)))
}

// deleteCronTrigger is DELETE /v2/cron_triggers/{name}.
func (s *Server) deleteCronTrigger(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := s.store.CronTriggerDelete(r.Context(), name); err != nil {
		s.writeError(w, r, notFoundAs(err, "Cron trigger not found [identifier=%s]", name))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// renderCronTrigger is Mistral's CronTrigger resource.
func renderCronTrigger(t *store.CronTrigger) (object, error) {
	input, err := mapText(t.WorkflowInput)
	if err != nil {
		return nil, fmt.Errorf("render input of cron trigger %s: %w", t.Name, err)
	}
	params, err := mapText(t.WorkflowParams)
	if err != nil {
		return nil, fmt.Errorf("render params of cron trigger %s: %w", t.Name, err)
	}
	var remaining any
	if t.RemainingExecutions != nil {
		remaining = *t.RemainingExecutions
	}
	// Mistral sets updated_at only when a trigger changes (it fires).
	var updated any
	if !t.UpdatedAt.Equal(t.CreatedAt) {
		updated = formatTime(t.UpdatedAt)
	}
	return object{
		{"id", t.ID},
		{"name", t.Name},
		{"workflow_name", t.WorkflowName},
		{"workflow_id", t.WorkflowID},
		{"workflow_input", input},
		{"workflow_params", params},
		{"project_id", t.ProjectID},
		{"scope", t.Scope},
		{"pattern", t.Pattern},
		{"remaining_executions", remaining},
		{"first_execution_time", formatTimePtr(t.FirstExecutionTime)},
		{"next_execution_time", formatTime(t.NextExecutionTime)},
		{"created_at", formatTime(t.CreatedAt)},
		{"updated_at", updated},
	}, nil
}
