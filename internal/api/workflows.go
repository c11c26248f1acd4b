package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// workflowFields are the attributes of Mistral's Workflow resource, in
// the order Mistral sends them.
var workflowFields = []string{
	"id", "name", "namespace", "input", "interface", "definition",
	"tags", "scope", "project_id", "created_at", "updated_at",
}

var workflowList = listSpec{
	collection:   "workflows",
	fields:       workflowFields,
	sortColumns:  sameColumns("id", "name", "namespace", "scope", "project_id", "created_at", "updated_at"),
	filters:      []string{"namespace"},
	storeFilters: true,
}

// Workflow scopes.
const (
	scopePrivate = "private"
	scopePublic  = "public"
)

// createWorkflows is POST /v2/workflows: the body is YAML holding one or
// more workflows, all created in one transaction or none.
func (s *Server) createWorkflows(w http.ResponseWriter, r *http.Request) {
	s.writeWorkflows(w, r, http.StatusCreated, false, func(ctx context.Context, tx store.Tx, def *store.WorkflowDefinition) error {
		if err := tx.WorkflowDefinitionCreate(ctx, def); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return &requestError{
					status: http.StatusConflict,
					msg: fmt.Sprintf("Duplicate entry for WorkflowDefinition ['name', 'namespace', 'project_id']: %s, %s, %s",
						def.Name, def.Namespace, def.ProjectID),
					cause: err,
				}
			}
			return err
		}
		return nil
	})
}

// updateWorkflows is PUT /v2/workflows: every workflow of the YAML must
// exist (by name, in the namespace) and is replaced, in one transaction.
func (s *Server) updateWorkflows(w http.ResponseWriter, r *http.Request) {
	s.writeWorkflows(w, r, http.StatusOK, false, updateWorkflowDefinition)
}

// updateWorkflow is PUT /v2/workflows/{identifier}: the YAML holds one
// workflow, which replaces the one named by id (or name). The answer is
// that one workflow, not a list.
func (s *Server) updateWorkflow(w http.ResponseWriter, r *http.Request) {
	identifier := r.PathValue("identifier")
	s.writeWorkflows(w, r, http.StatusOK, true, func(ctx context.Context, tx store.Tx, def *store.WorkflowDefinition) error {
		stored, err := tx.WorkflowDefinitionGet(ctx, identifier, def.Namespace)
		if err != nil {
			return notFoundAs(err, "Workflow not found [workflow_identifier=%s, namespace=%s]", identifier, def.Namespace)
		}
		if stored.Name != def.Name {
			return badRequest("Workflow %s is named %s; renaming it to %s is not supported.", identifier, stored.Name, def.Name)
		}
		return updateWorkflowDefinition(ctx, tx, def)
	})
}

// updateWorkflowDefinition replaces a stored definition, found by name.
func updateWorkflowDefinition(ctx context.Context, tx store.Tx, def *store.WorkflowDefinition) error {
	stored, err := tx.WorkflowDefinitionGet(ctx, def.Name, def.Namespace)
	if err != nil {
		return notFoundAs(err, "Workflow not found [workflow_identifier=%s, namespace=%s]", def.Name, def.Namespace)
	}
	if stored.Definition == def.Definition && slices.Equal(stored.Tags, def.Tags) {
		def.UpdatedAt = stored.UpdatedAt // see keepUpdatedAt
	}
	// The store keeps the stored scope (Mistral's update would set the
	// requested one); the answer shows what is stored.
	err = tx.WorkflowDefinitionUpdate(ctx, def)
	return notFoundAs(err, "Workflow not found [workflow_identifier=%s, namespace=%s]", def.Name, def.Namespace)
}

// keepUpdatedAt: an update that changes nothing leaves updated_at as it
// was, as Mistral's (its ORM writes no row then), so re-applying the same
// file (a deployment script run twice) shows "Updated at" unset still.

// writeWorkflows parses the YAML body and applies write to each workflow
// it holds, in one transaction, then answers {"workflows": [...]}, or the
// workflow itself when the body must hold only one.
func (s *Server) writeWorkflows(w http.ResponseWriter, r *http.Request, status int, onlyOne bool,
	write func(ctx context.Context, tx store.Tx, def *store.WorkflowDefinition) error,
) {
	ctx := r.Context()
	q := r.URL.Query()
	namespace := q.Get("namespace")
	scope := q.Get("scope")
	if scope == "" {
		scope = scopePrivate
	}
	if scope != scopePrivate && scope != scopePublic {
		s.writeError(w, r, badRequest("Scope must be one of the following: ['private', 'public']; actual: %s", scope))
		return
	}
	doc, err := s.parseWorkflowList(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if onlyOne && len(doc.Workflows) > 1 {
		s.writeError(w, r, badRequest("More than one workflows are not supported for update with identifier."))
		return
	}
	now := s.now().UTC()
	defs := make([]*store.WorkflowDefinition, len(doc.Workflows))
	err = store.InTx(ctx, s.store, func(ctx context.Context, tx store.Tx) error {
		for i, wf := range doc.Workflows {
			// A fresh definition per attempt: InTx may run this again.
			defs[i] = &store.WorkflowDefinition{
				Name:       wf.Name,
				Namespace:  namespace,
				Definition: wf.Definition,
				Tags:       wf.Tags,
				Scope:      scope,
				ProjectID:  workflow.DefaultProjectID,
				CreatedAt:  now,
				UpdatedAt:  now,
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
	for i, def := range defs {
		iface := workflowInterfaceOf(doc.Workflows[i])
		s.interfaces.put(def, iface)
		// Mistral answers writes with the resource's to_json(): interface
		// is an object there, not a JSON string, and unset values are left
		// out rather than null.
		list[i] = withoutNulls(renderWorkflow(def, iface, false))
	}
	if onlyOne {
		writeJSON(w, status, list[0])
		return
	}
	writeJSON(w, status, object{{"workflows", list}})
}

// parseWorkflowList parses the body as a list of workflows.
func (s *Server) parseWorkflowList(r *http.Request) (*dsl.Document, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	doc, err := dsl.Parse("", body, dsl.Options{CheckExpression: s.checkExpression, Kind: dsl.KindWorkflows})
	if err != nil {
		// Every error Parse returns is about the document.
		return nil, &requestError{status: http.StatusBadRequest, msg: dslErrorText(err), cause: err}
	}
	if len(doc.Workflows) == 0 {
		return nil, badRequest("The definition holds no workflow.")
	}
	return doc, nil
}

// dslErrorText words parse errors for an uploaded body, which has no file
// name: "line 3, column 10: ...", one error per line.
func dslErrorText(err error) string {
	var list *dsl.ErrorList
	if !errors.As(err, &list) || len(*list) == 0 {
		return err.Error()
	}
	lines := make([]string, len(*list))
	for i, e := range *list {
		lines[i] = fmt.Sprintf("line %d, column %d: %s", e.Pos.Line, e.Pos.Column, e.Msg)
	}
	return strings.Join(lines, "\n")
}

// validateWorkflows is POST /v2/workflows/validate.
func (s *Server) validateWorkflows(w http.ResponseWriter, r *http.Request) {
	_, err := s.parseWorkflowList(r)
	if err != nil {
		if statusOf(err) != http.StatusBadRequest {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, object{{"valid", false}, {"error", err.Error()}})
		return
	}
	writeJSON(w, http.StatusOK, object{{"valid", true}})
}

// getWorkflow is GET /v2/workflows/{identifier}: by id, or by name in
// the `namespace` query parameter ("" by default).
func (s *Server) getWorkflow(w http.ResponseWriter, r *http.Request) {
	identifier := r.PathValue("identifier")
	namespace := r.URL.Query().Get("namespace")
	def, err := s.store.WorkflowDefinitionGet(r.Context(), identifier, namespace)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "Workflow not found [workflow_identifier=%s, namespace=%s]", identifier, namespace))
		return
	}
	writeJSON(w, http.StatusOK, renderWorkflow(def, s.workflowInterface(r.Context(), def), true))
}

// listWorkflows is GET /v2/workflows.
func (s *Server) listWorkflows(w http.ResponseWriter, r *http.Request) {
	req, err := parseListRequest(r.URL.Query(), workflowList)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ns, ok := req.filters["namespace"]; ok {
		req.Namespace, req.HasNamespace = ns, true
	}
	defs, err := s.store.WorkflowDefinitionList(r.Context(), req.ListParams)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "Workflow not found [workflow_id=%s]", req.Marker))
		return
	}
	list := make([]object, len(defs))
	for i, def := range defs {
		rendered := renderWorkflow(def, s.workflowInterface(r.Context(), def), true)
		if len(req.fields) > 0 {
			// Mistral always adds the interface, even to a field selection.
			rendered = rendered.only(slices.Concat(req.fields, []string{"interface"}))
		}
		list[i] = rendered
	}
	var lastID string
	if len(defs) > 0 {
		lastID = defs[len(defs)-1].ID
	}
	writeJSON(w, http.StatusOK, withNext(object{{"workflows", list}},
		req.nextLink(r, workflowList.collection, len(defs), lastID)))
}

// deleteWorkflow is DELETE /v2/workflows/{identifier}.
func (s *Server) deleteWorkflow(w http.ResponseWriter, r *http.Request) {
	identifier := r.PathValue("identifier")
	namespace := r.URL.Query().Get("namespace")
	if err := s.store.WorkflowDefinitionDelete(r.Context(), identifier, namespace); err != nil {
		s.writeError(w, r, notFoundAs(err, "Workflow not found [workflow_identifier=%s, namespace=%s]", identifier, namespace))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// renderWorkflow is Mistral's Workflow resource. interfaceAsText renders
// the interface as the JSON string GET answers carry.
func renderWorkflow(def *store.WorkflowDefinition, iface workflowInterface, interfaceAsText bool) object {
	var ifaceField any = iface.value
	if interfaceAsText {
		ifaceField = iface.text
	}
	// Mistral's updated_at is null until the first update; bora's store
	// sets it at creation, so equal times mean "never updated".
	var updated any
	if !def.UpdatedAt.Equal(def.CreatedAt) {
		updated = formatTime(def.UpdatedAt)
	}
	return object{
		{"id", def.ID},
		{"name", def.Name},
		{"namespace", def.Namespace},
		{"input", iface.input},
		{"interface", ifaceField},
		{"definition", mistralDefinition(def.WorkbookName, def.Name, def.Definition)},
		{"tags", stringList(def.Tags)},
		{"scope", def.Scope},
		{"project_id", def.ProjectID},
		{"created_at", formatTime(def.CreatedAt)},
		{"updated_at", updated},
	}
}

// withoutNulls drops null fields, as Mistral's to_json() leaves unset
// attributes out.
func withoutNulls(o object) object {
	out := make(object, 0, len(o))
	for _, f := range o {
		if f.val != nil {
			out = append(out, f)
		}
	}
	return out
}

// workflowInterface is what Mistral derives from a workflow's spec for
// its resource: the input as one line of text (`a, b="x"`) and the
// interface {"input": [...], "output": [...]}, as a value and as text.
type workflowInterface struct {
	input string
	value *value.Map
	text  string
}

// workflowInterfaceOf derives the interface from a parsed workflow.
func workflowInterfaceOf(wf *dsl.Workflow) workflowInterface {
	inputs := make([]any, 0, len(wf.Input))
	var line []byte
	for i, p := range wf.Input {
		if i > 0 {
			line = append(line, ", "...)
		}
		if p.HasDefault {
			inputs = append(inputs, value.MapOf(p.Name, p.Default))
			line = fmt.Appendf(line, "%s=\"%s\"", p.Name, pythonStr(p.Default))
		} else {
			inputs = append(inputs, p.Name)
			line = append(line, p.Name...)
		}
	}
	// Mistral lists the output's keys; an output that is not a mapping
	// (an expression) or is absent has none.
	outputs := []any{}
	if out, ok := wf.Output.(*value.Map); ok {
		for _, k := range out.Keys() {
			outputs = append(outputs, k)
		}
	}
	iface := value.MapOf("input", inputs, "output", outputs)
	text, err := jsonText(iface)
	if err != nil {
		// Defaults come from YAML, so they are always in the value model.
		text = "{}"
	}
	return workflowInterface{input: string(line), value: iface, text: text}
}

// workflowInterface returns the interface of a stored definition, parsing
// it only when the cache does not hold this version. A definition that no
// longer parses (the parser grew stricter since it was stored) shows an
// empty interface and is logged, rather than failing every list of
// workflows.
func (s *Server) workflowInterface(ctx context.Context, def *store.WorkflowDefinition) workflowInterface {
	if iface, ok := s.interfaces.get(def); ok {
		return iface
	}
	doc, err := dsl.Parse(def.Name, []byte(def.Definition), dsl.Options{Kind: dsl.KindWorkflows})
	if err == nil {
		for _, wf := range doc.Workflows {
			if wf.Name == def.Name {
				iface := workflowInterfaceOf(wf)
				s.interfaces.put(def, iface)
				return iface
			}
		}
		err = fmt.Errorf("the definition does not hold workflow %s", def.Name)
	}
	s.logger.WarnContext(ctx, "stored workflow definition does not parse",
		"workflow", def.Name, "id", def.ID, "error", err)
	return workflowInterfaceOf(&dsl.Workflow{})
}

// maxCachedInterfaces bounds the interface cache; when full it starts over.
const maxCachedInterfaces = 4096

// interfaceCache keeps the interfaces of stored definitions, keyed by id
// and checked against updated_at, so listing workflows does not parse
// every definition on every request.
type interfaceCache struct {
	mu      sync.Mutex
	entries map[string]cachedInterface
}

type cachedInterface struct {
	updatedAt time.Time
	iface     workflowInterface
}

func (c *interfaceCache) get(def *store.WorkflowDefinition) (workflowInterface, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[def.ID]
	if !ok || !e.updatedAt.Equal(def.UpdatedAt) {
		return workflowInterface{}, false
	}
	return e.iface, true
}

func (c *interfaceCache) put(def *store.WorkflowDefinition, iface workflowInterface) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCachedInterfaces {
		c.entries = make(map[string]cachedInterface)
	}
	c.entries[def.ID] = cachedInterface{updatedAt: def.UpdatedAt, iface: iface}
}
