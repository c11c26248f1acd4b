package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
)

func definition(name, namespace string, created time.Time) *store.WorkflowDefinition {
	return &store.WorkflowDefinition{
		Name:       name,
		Namespace:  namespace,
		Definition: "version: '2.0'\n" + name + ":\n  tasks:\n    t1:\n      action: std.noop\n",
		Tags:       []string{"b", "a"},
		Scope:      "private",
		ProjectID:  "<default-project>",
		CreatedAt:  created,
		UpdatedAt:  created,
	}
}

func exerciseDefinitions(t *testing.T, open Opener) {
	leaf(t, "CRUD", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		def := definition("wf", "", T0)
		require.NoError(t, s.WorkflowDefinitionCreate(ctx, def))
		require.NotEmpty(t, def.ID)

		got, err := s.WorkflowDefinitionGet(ctx, def.ID, "")
		require.NoError(t, err)
		require.Equal(t, def, got)
		got, err = s.WorkflowDefinitionGet(ctx, "wf", "")
		require.NoError(t, err)
		require.Equal(t, def, got)
		_, err = s.WorkflowDefinitionGet(ctx, "wf", "other")
		require.ErrorIs(t, err, store.ErrNotFound)

		upd := &store.WorkflowDefinition{Name: "wf", Definition: "changed", UpdatedAt: T0.Add(time.Minute)}
		require.NoError(t, s.WorkflowDefinitionUpdate(ctx, upd))
		require.Equal(t, def.ID, upd.ID)
		require.Equal(t, def.CreatedAt, upd.CreatedAt)
		got, err = s.WorkflowDefinitionGet(ctx, "wf", "")
		require.NoError(t, err)
		require.Equal(t, "changed", got.Definition)
		require.Nil(t, got.Tags)
		require.Equal(t, T0.Add(time.Minute), got.UpdatedAt)
		require.Equal(t, T0, got.CreatedAt)

		require.NoError(t, s.WorkflowDefinitionDelete(ctx, "wf", ""))
		_, err = s.WorkflowDefinitionGet(ctx, def.ID, "")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.ErrorIs(t, s.WorkflowDefinitionDelete(ctx, def.ID, ""), store.ErrNotFound)
		require.ErrorIs(t, s.WorkflowDefinitionUpdate(ctx, upd), store.ErrNotFound)
	})

	leaf(t, "DefaultsIDAndTimes", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		def := &store.WorkflowDefinition{Name: "wf", Definition: "x"}
		require.NoError(t, s.WorkflowDefinitionCreate(ctx, def))
		require.NotEmpty(t, def.ID)
		require.False(t, def.CreatedAt.IsZero())
		require.Equal(t, time.UTC, def.CreatedAt.Location())
		got, err := s.WorkflowDefinitionGet(ctx, def.ID, "")
		require.NoError(t, err)
		require.Equal(t, def, got)
	})

	leaf(t, "NameIsUniqueInNamespace", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		require.NoError(t, s.WorkflowDefinitionCreate(ctx, definition("wf", "", T0)))
		require.ErrorIs(t, s.WorkflowDefinitionCreate(ctx, definition("wf", "", T0)), store.ErrConflict)
		other := definition("wf", "ns1", T0)
		require.NoError(t, s.WorkflowDefinitionCreate(ctx, other))
		got, err := s.WorkflowDefinitionGet(ctx, "wf", "ns1")
		require.NoError(t, err)
		require.Equal(t, other.ID, got.ID)
		require.NoError(t, s.WorkflowDefinitionDelete(ctx, "wf", "ns1"))
		_, err = s.WorkflowDefinitionGet(ctx, "wf", "")
		require.NoError(t, err, "deleting in ns1 left the default namespace alone")
	})

	leaf(t, "List", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		var all []*store.WorkflowDefinition
		for i, name := range []string{"c", "a", "d", "b"} {
			def := definition(name, "", T0.Add(time.Duration(i)*time.Second))
			require.NoError(t, s.WorkflowDefinitionCreate(ctx, def))
			all = append(all, def)
		}
		inNS := definition("z", "ns1", T0)
		require.NoError(t, s.WorkflowDefinitionCreate(ctx, inNS))

		names := func(defs []*store.WorkflowDefinition) []string {
			var out []string
			for _, d := range defs {
				out = append(out, d.Name)
			}
			return out
		}
		got, err := s.WorkflowDefinitionList(ctx, store.ListParams{HasNamespace: true})
		require.NoError(t, err)
		require.Equal(t, []string{"c", "a", "d", "b"}, names(got), "created order by default")
		require.Equal(t, all[0], got[0])

		got, err = s.WorkflowDefinitionList(ctx, store.ListParams{Namespace: "ns1", HasNamespace: true})
		require.NoError(t, err)
		require.Equal(t, []string{"z"}, names(got))

		got, err = s.WorkflowDefinitionList(ctx, store.ListParams{})
		require.NoError(t, err)
		require.Len(t, got, 5, "no namespace filter")

		page1, err := s.WorkflowDefinitionList(ctx, store.ListParams{SortKey: "name", Limit: 2})
		require.NoError(t, err)
		require.Equal(t, []string{"a", "b"}, names(page1))
		page2, err := s.WorkflowDefinitionList(ctx, store.ListParams{SortKey: "name", Limit: 2, Marker: page1[1].ID})
		require.NoError(t, err)
		require.Equal(t, []string{"c", "d"}, names(page2))
		page3, err := s.WorkflowDefinitionList(ctx, store.ListParams{SortKey: "name", Limit: 2, Marker: page2[1].ID})
		require.NoError(t, err)
		require.Equal(t, []string{"z"}, names(page3))

		got, err = s.WorkflowDefinitionList(ctx, store.ListParams{SortKey: "name", SortDesc: true, Limit: 2, Marker: page2[0].ID})
		require.NoError(t, err)
		require.Equal(t, []string{"b", "a"}, names(got))

		_, err = s.WorkflowDefinitionList(ctx, store.ListParams{SortKey: "definition; DROP TABLE x"})
		require.Error(t, err)
		_, err = s.WorkflowDefinitionList(ctx, store.ListParams{Marker: "no-such-id"})
		require.ErrorIs(t, err, store.ErrNotFound)
	})
}
