package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
)

func actionDefinition(name, namespace string, created time.Time) *store.ActionDefinition {
	return &store.ActionDefinition{
		Name:        name,
		Namespace:   namespace,
		Definition:  "version: '2.0'\n" + name + ":\n  base: std.echo\n  base-input:\n    output: <% $.x %>\n  input: [x]\n",
		Input:       "x",
		Description: "echoes x",
		Tags:        []string{"t"},
		Scope:       "private",
		ProjectID:   "<default-project>",
		CreatedAt:   created,
		UpdatedAt:   created,
	}
}

func exerciseActionDefinitions(t *testing.T, open Opener) {
	leaf(t, "CRUD", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		a := actionDefinition("greet", "", T0)
		require.NoError(t, s.ActionDefinitionCreate(ctx, a))
		require.NotEmpty(t, a.ID)
		for _, key := range []string{a.ID, "greet"} {
			got, err := s.ActionDefinitionGet(ctx, key, "")
			require.NoError(t, err)
			require.Equal(t, a, got)
		}
		_, err := s.ActionDefinitionGet(ctx, "greet", "ns1")
		require.ErrorIs(t, err, store.ErrNotFound, "no fallback to the default namespace in the store")

		upd := &store.ActionDefinition{Name: "greet", Definition: "changed", Input: "y", Scope: "public",
			WorkbookName: "wb", UpdatedAt: T0.Add(time.Minute)}
		require.NoError(t, s.ActionDefinitionUpdate(ctx, upd))
		require.Equal(t, a.ID, upd.ID)
		require.Equal(t, T0, upd.CreatedAt)
		require.Equal(t, "<default-project>", upd.ProjectID)
		got, err := s.ActionDefinitionGet(ctx, "greet", "")
		require.NoError(t, err)
		require.Equal(t, upd, got)

		require.NoError(t, s.ActionDefinitionDelete(ctx, a.ID, ""))
		_, err = s.ActionDefinitionGet(ctx, "greet", "")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.ErrorIs(t, s.ActionDefinitionDelete(ctx, "greet", ""), store.ErrNotFound)
		require.ErrorIs(t, s.ActionDefinitionUpdate(ctx, upd), store.ErrNotFound)
	})

	leaf(t, "NameIsUniqueInNamespace", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		require.NoError(t, s.ActionDefinitionCreate(ctx, actionDefinition("a", "", T0)))
		require.ErrorIs(t, s.ActionDefinitionCreate(ctx, actionDefinition("a", "", T0)), store.ErrConflict)
		other := actionDefinition("a", "ns1", T0)
		require.NoError(t, s.ActionDefinitionCreate(ctx, other))
		got, err := s.ActionDefinitionGet(ctx, "a", "ns1")
		require.NoError(t, err)
		require.Equal(t, other.ID, got.ID)
		require.NoError(t, s.ActionDefinitionDelete(ctx, "a", "ns1"))
		_, err = s.ActionDefinitionGet(ctx, "a", "")
		require.NoError(t, err, "deleting in ns1 left the default namespace alone")
	})

	leaf(t, "List", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		for i, d := range []struct{ name, ns, wb string }{
			{"c", "", ""}, {"wb.a", "", "wb"}, {"b", "", ""}, {"z", "ns1", ""},
		} {
			a := actionDefinition(d.name, d.ns, T0.Add(time.Duration(i)*time.Second))
			a.WorkbookName = d.wb
			require.NoError(t, s.ActionDefinitionCreate(ctx, a))
		}
		names := func(list []*store.ActionDefinition) []string {
			var out []string
			for _, a := range list {
				out = append(out, a.Name)
			}
			return out
		}
		got, err := s.ActionDefinitionList(ctx, store.ActionDefinitionListParams{})
		require.NoError(t, err)
		require.Equal(t, []string{"c", "wb.a", "b", "z"}, names(got))
		got, err = s.ActionDefinitionList(ctx, store.ActionDefinitionListParams{
			ListParams: store.ListParams{HasNamespace: true, SortKey: "name"}})
		require.NoError(t, err)
		require.Equal(t, []string{"b", "c", "wb.a"}, names(got))
		got, err = s.ActionDefinitionList(ctx, store.ActionDefinitionListParams{WorkbookName: "wb"})
		require.NoError(t, err)
		require.Equal(t, []string{"wb.a"}, names(got))
		got, err = s.ActionDefinitionList(ctx, store.ActionDefinitionListParams{
			ListParams: store.ListParams{SortKey: "name", Limit: 2, Marker: got[0].ID}})
		require.NoError(t, err)
		require.Equal(t, []string{"z"}, names(got))
	})
}
