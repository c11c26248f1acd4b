package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/store"
)

// workbookItems are the workflow and action definitions a workbook
// holds, named "<workbook>.<name>", without the identity the workbook row
// gives them (namespace, scope, project, times).
type workbookItems struct {
	workflows []store.WorkflowDefinition
	actions   []store.ActionDefinition
}

// workbookContents derives the definitions a parsed workbook holds.
func workbookContents(body []byte, doc *dsl.Document) (*workbookItems, error) {
	items := &workbookItems{}
	for _, wf := range doc.Workflows {
		full := doc.Name + "." + wf.Name
		text, err := standaloneDefinition(body, dsl.KindWorkflows, wf.Name, full, wf.Definition)
		if err != nil {
			return nil, badRequest("%v", err)
		}
		items.workflows = append(items.workflows, store.WorkflowDefinition{
			Name:       full,
			Definition: text,
			Tags:       wf.Tags,
		})
	}
	for _, a := range doc.Actions {
		full := doc.Name + "." + a.Name
		text, err := standaloneDefinition(body, dsl.KindActions, a.Name, full, a.Definition)
		if err != nil {
			return nil, badRequest("%v", err)
		}
		items.actions = append(items.actions, store.ActionDefinition{
			Name:        full,
			Definition:  text,
			Input:       actionInputLine(a.Input),
			Description: a.Description,
			Tags:        a.Tags,
		})
	}
	return items, nil
}

// syncWorkbookContents makes the stored definitions of workbook wb (in
// its namespace) be exactly items: present ones updated in place (their
// ids stay, so executions keep pointing at them), new ones created, and
// ones the workbook no longer holds deleted. Nil items deletes them all.
// Mistral 15 only creates and updates, leaving dropped ones behind; a
// workbook here is the whole truth about what it holds.
func (s *Server) syncWorkbookContents(ctx context.Context, tx store.Tx, wb *store.Workbook, items *workbookItems, now time.Time) error {
	if items == nil {
		items = &workbookItems{}
	}
	if err := syncWorkbookWorkflows(ctx, tx, wb, items.workflows, now); err != nil {
		return err
	}
	return s.syncWorkbookActions(ctx, tx, wb, items.actions, now)
}

func syncWorkbookWorkflows(ctx context.Context, tx store.Tx, wb *store.Workbook, want []store.WorkflowDefinition, now time.Time) error {
	stored, err := tx.WorkflowDefinitionListByWorkbook(ctx, wb.Name, wb.Namespace)
	if err != nil {
		return err
	}
	owned := make(map[string]bool, len(stored))
	for _, def := range stored {
		owned[def.Name] = true
	}
	keep := make(map[string]bool, len(want))
	for _, tmpl := range want {
		def := tmpl // a copy per attempt: the store writes ids and times into it
		def.Namespace, def.Scope, def.ProjectID, def.WorkbookName = wb.Namespace, wb.Scope, wb.ProjectID, wb.Name
		def.CreatedAt, def.UpdatedAt = now, now
		keep[def.Name] = true
		// Checked first rather than by catching the conflict: on
		// PostgreSQL a failed INSERT aborts the whole transaction.
		if owned[def.Name] {
			if err := tx.WorkflowDefinitionUpdate(ctx, &def); err != nil {
				return fmt.Errorf("update workflow %s of workbook %s: %w", def.Name, wb.Name, err)
			}
			continue
		}
		if err := tx.WorkflowDefinitionCreate(ctx, &def); err != nil {
			return takenByOther(err, "Workflow", def.Name, wb)
		}
	}
	for _, def := range stored {
		if keep[def.Name] {
			continue
		}
		if err := tx.WorkflowDefinitionDelete(ctx, def.ID, wb.Namespace); err != nil {
			return fmt.Errorf("delete workflow %s of workbook %s: %w", def.Name, wb.Name, err)
		}
	}
	return nil
}

func (s *Server) syncWorkbookActions(ctx context.Context, tx store.Tx, wb *store.Workbook, want []store.ActionDefinition, now time.Time) error {
	stored, err := tx.ActionDefinitionList(ctx, store.ActionDefinitionListParams{
		ListParams:   store.ListParams{Namespace: wb.Namespace, HasNamespace: true},
		WorkbookName: wb.Name,
	})
	if err != nil {
		return err
	}
	owned := make(map[string]bool, len(stored))
	for _, a := range stored {
		owned[a.Name] = true
	}
	keep := make(map[string]bool, len(want))
	for _, tmpl := range want {
		a := tmpl
		a.Namespace, a.Scope, a.ProjectID, a.WorkbookName = wb.Namespace, wb.Scope, wb.ProjectID, wb.Name
		a.CreatedAt, a.UpdatedAt = now, now
		keep[a.Name] = true
		if _, system := s.actions.Get(a.Name); system {
			return badRequest("Attempt to modify a system action: %s", a.Name)
		}
		if owned[a.Name] {
			if err := tx.ActionDefinitionUpdate(ctx, &a); err != nil {
				return fmt.Errorf("update action %s of workbook %s: %w", a.Name, wb.Name, err)
			}
			continue
		}
		if err := tx.ActionDefinitionCreate(ctx, &a); err != nil {
			return takenByOther(err, "Action", a.Name, wb)
		}
	}
	for _, a := range stored {
		if keep[a.Name] {
			continue
		}
		if err := tx.ActionDefinitionDelete(ctx, a.ID, wb.Namespace); err != nil {
			return fmt.Errorf("delete action %s of workbook %s: %w", a.Name, wb.Name, err)
		}
	}
	return nil
}

// takenByOther words a conflict on a workbook item's name: a definition
// of that name exists and does not belong to this workbook (uploaded
// alone, or by a workbook of the same dotted name).
func takenByOther(err error, what, name string, wb *store.Workbook) error {
	if statusOf(err) != http.StatusConflict {
		return err
	}
	return &requestError{
		status: http.StatusConflict,
		msg: fmt.Sprintf("%s %s already exists in namespace '%s' and does not belong to workbook %s; delete it first.",
			what, name, wb.Namespace, wb.Name),
		cause: err,
	}
}

// actionInputLine is Mistral's one-line rendering of an ad-hoc action's
// input: names, and name=<JSON of the default> for optional ones.
func actionInputLine(params []dsl.Param) string {
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = p.Name
		if p.HasDefault {
			text, err := jsonText(p.Default)
			if err != nil {
				// Defaults come from YAML, so they are always in the value model.
				text = pythonRepr(p.Default)
			}
			parts[i] += "=" + text
		}
	}
	return strings.Join(parts, ", ")
}
