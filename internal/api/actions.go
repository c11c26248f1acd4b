package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

// actionFields are the attributes of Mistral's Action resource, in the
// order Mistral sends them.
var actionFields = []string{
	"id", "name", "is_system", "input", "description", "tags", "definition",
	"scope", "project_id", "created_at", "updated_at", "namespace",
}

// actionList lists system and ad-hoc actions together, sorted and paged
// in memory (the system ones are not rows): by name unless asked.
var actionList = listSpec{
	collection:  "actions",
	fields:      actionFields,
	sortColumns: sameColumns("id", "name", "is_system", "input", "description", "scope", "project_id", "created_at", "updated_at", "namespace"),
	filters:     []string{"namespace", "name", "is_system", "scope"},
	defaultSort: "name",
	// The standard actions are not rows: filters apply to the merged
	// list, and a marker is an action's id or its name.
	memoryFilters: true,
	nameMarker:    true,
}

// createActions is POST /v2/actions: the YAML body holds one or more
// ad-hoc actions, all created in one transaction or none.
func (s *Server) createActions(w http.ResponseWriter, r *http.Request) {
	s.writeActions(w, r, http.StatusCreated, "", func(ctx context.Context, tx store.Tx, a *store.ActionDefinition) error {
		err := tx.ActionDefinitionCreate(ctx, a)
		if errors.Is(err, store.ErrConflict) {
			return &requestError{
				status: http.StatusConflict,
				// Mistral's sentence, down to the project it has not set yet.
				msg: fmt.Sprintf("Duplicate entry for Action ['name', 'namespace', 'project_id']: %s, %s, None",
					a.Name, a.Namespace),
				cause: err,
			}
		}
		return err
	})
}

// updateActions is PUT /v2/actions (every action of the YAML must exist)
// and PUT /v2/actions/{identifier} (the YAML holds the one action named
// by id or name).
func (s *Server) updateActions(w http.ResponseWriter, r *http.Request) {
	identifier := r.PathValue("identifier")
	s.writeActions(w, r, http.StatusOK, identifier, func(ctx context.Context, tx store.Tx, a *store.ActionDefinition) error {
		key := a.Name
		if identifier != "" {
			key = identifier
		}
		stored, err := tx.ActionDefinitionGet(ctx, key, a.Namespace)
		if err != nil {
			return notFoundAs(err, "Action definition not found [action_name=%s, namespace=%s]", key, a.Namespace)
		}
		if stored.Name != a.Name {
			return badRequest("Action %s is named %s; renaming it to %s is not supported.", key, stored.Name, a.Name)
		}
		// What the upload does not say stays: the workbook it came from
		// (an action of a workbook may be replaced alone, as in Mistral).
		a.WorkbookName, a.IsSystem = stored.WorkbookName, stored.IsSystem
		if stored.Definition == a.Definition && slices.Equal(stored.Tags, a.Tags) {
			a.UpdatedAt = stored.UpdatedAt // see keepUpdatedAt
		}
		return tx.ActionDefinitionUpdate(ctx, a)
	})
}

// writeActions parses the YAML body as an action list and applies write
// to each action, in one transaction, then answers {"actions": [...]}.
func (s *Server) writeActions(w http.ResponseWriter, r *http.Request, status int, identifier string,
	write func(ctx context.Context, tx store.Tx, a *store.ActionDefinition) error,
) {
	namespace, scope, err := definitionTarget(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	doc, err := s.parseActionList(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if identifier != "" && len(doc.Actions) > 1 {
		s.writeError(w, r, badRequest("More than one actions are not supported for update with identifier. [identifier: %s]", identifier))
		return
	}
	for _, a := range doc.Actions {
		if _, system := s.actions.Get(a.Name); system {
			s.writeError(w, r, badRequest("Attempt to modify a system action: %s", a.Name))
			return
		}
	}
	now := s.now().UTC()
	defs := make([]*store.ActionDefinition, len(doc.Actions))
	err = store.InTx(r.Context(), s.store, func(ctx context.Context, tx store.Tx) error {
		for i, a := range doc.Actions {
			// A fresh definition per attempt: InTx may run this again.
			defs[i] = &store.ActionDefinition{
				Name:        a.Name,
				Namespace:   namespace,
				Definition:  a.Definition,
				Input:       actionInputLine(a.Input),
				Description: a.Description,
				Tags:        a.Tags,
				Scope:       scope,
				ProjectID:   workflow.DefaultProjectID,
				CreatedAt:   now,
				UpdatedAt:   now,
			}
			if err := write(ctx, tx, defs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list := make([]object, len(defs))
	for i, a := range defs {
		// Mistral answers with to_json() of the row it just wrote, where
		// input and description are set (null when empty) but updated_at
		// was never set and is left out; its client needs the former.
		rendered := renderActionDefinition(a)
		if fieldOf(rendered, "updated_at") == nil {
			rendered = rendered.without("updated_at")
		}
		list[i] = rendered
	}
	writeJSON(w, status, object{{"actions", list}})
}

// parseActionList parses the body as a list of ad-hoc actions.
func (s *Server) parseActionList(r *http.Request) (*dsl.Document, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	doc, err := dsl.Parse("", body, dsl.Options{CheckExpression: s.checkExpression, Kind: dsl.KindActions})
	if err != nil {
		return nil, &requestError{status: http.StatusBadRequest, msg: dslErrorText(err), cause: err}
	}
	if len(doc.Actions) == 0 {
		return nil, badRequest("The definition holds no action.")
	}
	return doc, nil
}

// validateActions is POST /v2/actions/validate.
func (s *Server) validateActions(w http.ResponseWriter, r *http.Request) {
	_, err := s.parseActionList(r)
	s.writeValidation(w, r, err)
}

// actionPathTarget reads the action and its namespace from the path:
// Mistral's client puts the namespace in the path
// (/v2/actions/{identifier}/{namespace}, an empty last segment for the
// default namespace); the `namespace` query parameter works too.
func actionPathTarget(r *http.Request) (identifier, namespace string) {
	namespace = r.PathValue("namespace")
	if namespace == "" {
		namespace = r.URL.Query().Get("namespace")
	}
	return r.PathValue("identifier"), namespace
}

// getAction is GET /v2/actions/{identifier}: an ad-hoc action by id or by
// name in the namespace, else a system action by name.
func (s *Server) getAction(w http.ResponseWriter, r *http.Request) {
	identifier, namespace := actionPathTarget(r)
	fields, err := fieldsParam(r, actionFields)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.store.ActionDefinitionGet(r.Context(), identifier, namespace)
	if err == nil {
		writeJSON(w, http.StatusOK, renderActionDefinition(a).only(fields))
		return
	}
	if !errors.Is(err, store.ErrNotFound) {
		s.writeError(w, r, err)
		return
	}
	if sys, ok := s.systemAction(identifier); ok {
		writeJSON(w, http.StatusOK, sys.only(fields))
		return
	}
	s.writeError(w, r, notFoundAs(err, "Action not found [name=%s, namespace=%s]", identifier, namespace))
}

// deleteAction is DELETE /v2/actions/{identifier}: an ad-hoc action, by id
// or by name in the namespace. A system action is not a row, so it is not
// found, as in Mistral 15.
func (s *Server) deleteAction(w http.ResponseWriter, r *http.Request) {
	identifier, namespace := actionPathTarget(r)
	if err := s.store.ActionDefinitionDelete(r.Context(), identifier, namespace); err != nil {
		s.writeError(w, r, notFoundAs(err, "Action definition not found [action_name=%s, namespace=%s]", identifier, namespace))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// renderActionDefinition is Mistral's Action resource for an ad-hoc action.
func renderActionDefinition(a *store.ActionDefinition) object {
	return object{
		{"id", a.ID},
		{"name", a.Name},
		{"is_system", a.IsSystem},
		{"input", nullable(a.Input)},
		{"description", nullable(a.Description)},
		{"tags", stringList(a.Tags)},
		{"definition", mistralDefinition(a.WorkbookName, a.Name, a.Definition)},
		{"scope", a.Scope},
		{"project_id", a.ProjectID},
		{"created_at", formatTime(a.CreatedAt)},
		{"updated_at", updatedTime(a.CreatedAt, a.UpdatedAt)},
		{"namespace", a.Namespace},
	}
}
