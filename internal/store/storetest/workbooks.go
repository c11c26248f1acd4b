package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
)

func workbook(name, namespace string, created time.Time) *store.Workbook {
	return &store.Workbook{
		Name:       name,
		Namespace:  namespace,
		Definition: "version: '2.0'\nname: " + name + "\nworkflows:\n  wf:\n    tasks:\n      t1:\n        action: std.noop\n",
		Tags:       []string{"b", "a"},
		Scope:      "private",
		ProjectID:  "<default-project>",
		CreatedAt:  created,
		UpdatedAt:  created,
	}
}

func exerciseWorkbooks(t *testing.T, open Opener) {
	leaf(t, "CRUD", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		wb := workbook("wb", "", T0)
		require.NoError(t, s.WorkbookCreate(ctx, wb))
		require.NotEmpty(t, wb.ID)
		got, err := s.WorkbookGet(ctx, "wb", "")
		require.NoError(t, err)
		require.Equal(t, wb, got)
		_, err = s.WorkbookGet(ctx, "wb", "ns1")
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.WorkbookGet(ctx, wb.ID, "")
		require.ErrorIs(t, err, store.ErrNotFound, "workbooks are found by name only, as Mistral's")

		upd := &store.Workbook{Name: "wb", Definition: "changed", UpdatedAt: T0.Add(time.Minute)}
		require.NoError(t, s.WorkbookUpdate(ctx, upd))
		require.Equal(t, wb.ID, upd.ID)
		require.Equal(t, T0, upd.CreatedAt)
		require.Equal(t, "private", upd.Scope, "the stored scope is kept")
		got, err = s.WorkbookGet(ctx, "wb", "")
		require.NoError(t, err)
		require.Equal(t, upd, got)
		require.Nil(t, got.Tags)

		require.NoError(t, s.WorkbookDelete(ctx, "wb", ""))
		_, err = s.WorkbookGet(ctx, "wb", "")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.ErrorIs(t, s.WorkbookDelete(ctx, "wb", ""), store.ErrNotFound)
		require.ErrorIs(t, s.WorkbookUpdate(ctx, upd), store.ErrNotFound)
	})

	leaf(t, "NameIsUniqueInNamespace", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		require.NoError(t, s.WorkbookCreate(ctx, workbook("wb", "", T0)))
		require.ErrorIs(t, s.WorkbookCreate(ctx, workbook("wb", "", T0)), store.ErrConflict)
		require.NoError(t, s.WorkbookCreate(ctx, workbook("wb", "ns1", T0)))
		require.NoError(t, s.WorkbookDelete(ctx, "wb", "ns1"))
		_, err := s.WorkbookGet(ctx, "wb", "")
		require.NoError(t, err, "deleting in ns1 left the default namespace alone")
	})

	leaf(t, "List", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		for i, name := range []string{"c", "a", "b"} {
			require.NoError(t, s.WorkbookCreate(ctx, workbook(name, "", T0.Add(time.Duration(i)*time.Second))))
		}
		require.NoError(t, s.WorkbookCreate(ctx, workbook("z", "ns1", T0)))
		names := func(list []*store.Workbook) []string {
			var out []string
			for _, wb := range list {
				out = append(out, wb.Name)
			}
			return out
		}
		got, err := s.WorkbookList(ctx, store.ListParams{HasNamespace: true})
		require.NoError(t, err)
		require.Equal(t, []string{"c", "a", "b"}, names(got))
		got, err = s.WorkbookList(ctx, store.ListParams{Namespace: "ns1", HasNamespace: true})
		require.NoError(t, err)
		require.Equal(t, []string{"z"}, names(got))
		page, err := s.WorkbookList(ctx, store.ListParams{SortKey: "name", Limit: 2})
		require.NoError(t, err)
		require.Equal(t, []string{"a", "b"}, names(page))
		page, err = s.WorkbookList(ctx, store.ListParams{SortKey: "name", Limit: 2, Marker: page[1].ID})
		require.NoError(t, err)
		require.Equal(t, []string{"c", "z"}, names(page))
		_, err = s.WorkbookList(ctx, store.ListParams{Marker: "no-such-id"})
		require.ErrorIs(t, err, store.ErrNotFound)
	})

	leaf(t, "DefinitionsOfAWorkbook", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		for _, d := range []struct{ name, ns, wb string }{
			{"wb.b", "", "wb"}, {"wb.a", "", "wb"}, {"wb.c", "ns1", "wb"}, {"other", "", ""}, {"wb2.a", "", "wb2"},
		} {
			def := definition(d.name, d.ns, T0)
			def.WorkbookName = d.wb
			require.NoError(t, s.WorkflowDefinitionCreate(ctx, def))
		}
		got, err := s.WorkflowDefinitionListByWorkbook(ctx, "wb", "")
		require.NoError(t, err)
		require.Len(t, got, 2)
		require.Equal(t, "wb.a", got[0].Name, "by name")
		require.Equal(t, "wb", got[0].WorkbookName)
		require.Equal(t, "wb.b", got[1].Name)
		got, err = s.WorkflowDefinitionListByWorkbook(ctx, "none", "")
		require.NoError(t, err)
		require.Empty(t, got)

		// An update keeps the workbook the definition belongs to.
		upd := &store.WorkflowDefinition{Name: "wb.a", Definition: "changed"}
		require.NoError(t, s.WorkflowDefinitionUpdate(ctx, upd))
		require.Equal(t, "wb", upd.WorkbookName)
	})

	// A workbook and its definitions are written in one transaction, and
	// a rollback takes them all back.
	leaf(t, "OneTransaction", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		tx, err := s.Begin(ctx)
		require.NoError(t, err)
		require.NoError(t, tx.WorkbookCreate(ctx, workbook("wb", "", T0)))
		def := definition("wb.wf", "", T0)
		def.WorkbookName = "wb"
		require.NoError(t, tx.WorkflowDefinitionCreate(ctx, def))
		require.NoError(t, tx.ActionDefinitionCreate(ctx, actionDefinition("wb.act", "", T0)))
		got, err := tx.WorkflowDefinitionListByWorkbook(ctx, "wb", "")
		require.NoError(t, err)
		require.Len(t, got, 1, "a transaction reads its own writes")
		require.NoError(t, tx.Rollback(ctx))
		_, err = s.WorkbookGet(ctx, "wb", "")
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.WorkflowDefinitionGet(ctx, "wb.wf", "")
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.ActionDefinitionGet(ctx, "wb.act", "")
		require.ErrorIs(t, err, store.ErrNotFound)
	})
}
