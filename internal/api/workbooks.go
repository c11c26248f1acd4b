package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

// workbookFields are the attributes of Mistral's Workbook resource, in
// the order Mistral sends them.
var workbookFields = []string{
	"id", "name", "namespace", "definition", "tags", "scope", "project_id", "created_at", "updated_at",
}

var workbookList = listSpec{
	collection:   "workbooks",
	fields:       workbookFields,
	sortColumns:  sameColumns("id", "name", "namespace", "scope", "project_id", "created_at", "updated_at"),
	filters:      []string{"namespace"},
	storeFilters: true,
}

// createWorkbook is POST /v2/workbooks: the workbook row and every
// workflow and action it holds, in one transaction.
func (s *Server) createWorkbook(w http.ResponseWriter, r *http.Request) {
	s.writeWorkbook(w, r, http.StatusCreated, func(ctx context.Context, tx store.Tx, wb *store.Workbook) error {
		err := tx.WorkbookCreate(ctx, wb)
		if errors.Is(err, store.ErrConflict) {
			return &requestError{
				status: http.StatusConflict,
				// Mistral's sentence, down to the project it has not set yet.
				msg: fmt.Sprintf("Duplicate entry for WorkbookDefinition ['name', 'namespace', 'project_id']: %s, %s, None",
					wb.Name, wb.Namespace),
				cause: err,
			}
		}
		return err
	})
}

// updateWorkbook is PUT /v2/workbooks: the workbook must exist; its text
// is replaced and its workflows and actions made to match the new text.
func (s *Server) updateWorkbook(w http.ResponseWriter, r *http.Request) {
	s.writeWorkbook(w, r, http.StatusOK, func(ctx context.Context, tx store.Tx, wb *store.Workbook) error {
		stored, err := tx.WorkbookGet(ctx, wb.Name, wb.Namespace)
		if err != nil {
			return notFoundAs(err, "Workbook not found [name=%s, namespace=%s]", wb.Name, wb.Namespace)
		}
		if stored.Definition == wb.Definition && slices.Equal(stored.Tags, wb.Tags) {
			wb.UpdatedAt = stored.UpdatedAt // see keepUpdatedAt
		}
		// The stored scope is kept, as for workflows (see updateWorkflowDefinition).
		err = tx.WorkbookUpdate(ctx, wb)
		return notFoundAs(err, "Workbook not found [name=%s, namespace=%s]", wb.Name, wb.Namespace)
	})
}

// writeWorkbook parses the YAML body as a workbook, applies write to its
// row and then syncs its contents, in one transaction, and answers with
// the workbook.
func (s *Server) writeWorkbook(w http.ResponseWriter, r *http.Request, status int,
	write func(ctx context.Context, tx store.Tx, wb *store.Workbook) error,
) {
	namespace, scope, err := definitionTarget(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body, doc, err := s.parseWorkbook(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	contents, err := workbookContents(body, doc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.now().UTC()
	var wb *store.Workbook
	err = store.InTx(r.Context(), s.store, func(ctx context.Context, tx store.Tx) error {
		// A fresh row per attempt: InTx may run this again.
		wb = &store.Workbook{
			Name:       doc.Name,
			Namespace:  namespace,
			Definition: string(body),
			Tags:       doc.Tags,
			Scope:      scope,
			ProjectID:  workflow.DefaultProjectID,
			CreatedAt:  now,
			UpdatedAt:  now,
		}
		if err := write(ctx, tx, wb); err != nil {
			return err
		}
		return s.syncWorkbookContents(ctx, tx, wb, contents, now)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// Mistral answers writes with to_json(), which leaves unset (null)
	// attributes out.
	writeJSON(w, status, withoutNulls(renderWorkbook(wb)))
}

// definitionTarget reads the `namespace` and `scope` query parameters of
// a definition upload; scope defaults to private.
func definitionTarget(r *http.Request) (namespace, scope string, err error) {
	q := r.URL.Query()
	scope = q.Get("scope")
	if scope == "" {
		scope = scopePrivate
	}
	if scope != scopePrivate && scope != scopePublic {
		return "", "", badRequest("Scope must be one of the following: ['private', 'public']; actual: %s", scope)
	}
	return q.Get("namespace"), scope, nil
}

// parseWorkbook reads and parses the body as a workbook.
func (s *Server) parseWorkbook(r *http.Request) ([]byte, *dsl.Document, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, nil, err
	}
	doc, err := dsl.Parse("", body, dsl.Options{CheckExpression: s.checkExpression, Kind: dsl.KindWorkbook})
	if err != nil {
		return nil, nil, &requestError{status: http.StatusBadRequest, msg: dslErrorText(err), cause: err}
	}
	return body, doc, nil
}

// validateWorkbook is POST /v2/workbooks/validate.
func (s *Server) validateWorkbook(w http.ResponseWriter, r *http.Request) {
	_, _, err := s.parseWorkbook(r)
	s.writeValidation(w, r, err)
}

// writeValidation answers a validate endpoint: {"valid": true}, or
// {"valid": false, "error": ...} for a definition the parser refused.
func (s *Server) writeValidation(w http.ResponseWriter, r *http.Request, err error) {
	if err == nil {
		writeJSON(w, http.StatusOK, object{{"valid", true}})
		return
	}
	if statusOf(err) != http.StatusBadRequest {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, object{{"valid", false}, {"error", err.Error()}})
}

// getWorkbook is GET /v2/workbooks/{name}, in the `namespace` query
// parameter ("" by default).
func (s *Server) getWorkbook(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	namespace := r.URL.Query().Get("namespace")
	fields, err := fieldsParam(r, workbookFields)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	wb, err := s.store.WorkbookGet(r.Context(), name, namespace)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "Workbook not found [name=%s, namespace=%s]", name, namespace))
		return
	}
	writeJSON(w, http.StatusOK, renderWorkbook(wb).only(fields))
}

// listWorkbooks is GET /v2/workbooks: every namespace unless `namespace`
// filters.
func (s *Server) listWorkbooks(w http.ResponseWriter, r *http.Request) {
	req, err := parseListRequest(r.URL.Query(), workbookList)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ns, ok := req.filters["namespace"]; ok {
		req.Namespace, req.HasNamespace = ns, true
	}
	list, err := s.store.WorkbookList(r.Context(), req.ListParams)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "Workbook not found [id=%s]", req.Marker))
		return
	}
	out := make([]object, len(list))
	for i, wb := range list {
		out[i] = renderWorkbook(wb).only(req.fields)
	}
	var lastID string
	if len(list) > 0 {
		lastID = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, withNext(object{{"workbooks", out}},
		req.nextLink(r, workbookList.collection, len(list), lastID)))
}

// deleteWorkbook is DELETE /v2/workbooks/{name}: the workbook and the
// workflows and actions it holds, in one transaction. (Mistral 15 leaves
// the workflows and actions behind, orphaned; bora does not.)
func (s *Server) deleteWorkbook(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	namespace := r.URL.Query().Get("namespace")
	err := store.InTx(r.Context(), s.store, func(ctx context.Context, tx store.Tx) error {
		if err := tx.WorkbookDelete(ctx, name, namespace); err != nil {
			return err
		}
		return s.syncWorkbookContents(ctx, tx, &store.Workbook{Name: name, Namespace: namespace}, nil, s.now().UTC())
	})
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "Workbook not found [workbook_name=%s, namespace=%s]", name, namespace))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// renderWorkbook is Mistral's Workbook resource.
func renderWorkbook(wb *store.Workbook) object {
	return object{
		{"id", wb.ID},
		{"name", wb.Name},
		{"namespace", wb.Namespace},
		{"definition", wb.Definition},
		{"tags", stringList(wb.Tags)},
		{"scope", wb.Scope},
		{"project_id", wb.ProjectID},
		{"created_at", formatTime(wb.CreatedAt)},
		{"updated_at", updatedTime(wb.CreatedAt, wb.UpdatedAt)},
	}
}

// updatedTime is Mistral's updated_at: null until the first update. The
// store sets it at creation, so equal times mean "never updated".
func updatedTime(created, updated time.Time) any {
	if updated.Equal(created) {
		return nil
	}
	return formatTime(updated)
}
