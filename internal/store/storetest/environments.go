package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
)

func environment(name string, created time.Time) *store.Environment {
	return &store.Environment{
		Name:        name,
		Description: "settings",
		// Key order and integer typing must survive the round trip.
		Variables: value.MapOf("z", int64(1), "a", value.MapOf("f", 1.5, "l", []any{"x", nil, true})),
		Scope:     "private",
		ProjectID: "<default-project>",
		CreatedAt: created,
		UpdatedAt: created,
	}
}

func exerciseEnvironments(t *testing.T, open Opener) {
	leaf(t, "CRUD", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		env := environment("env", T0)
		require.NoError(t, s.EnvironmentCreate(ctx, env))
		require.NotEmpty(t, env.ID)
		for _, key := range []string{"env", env.ID} {
			got, err := s.EnvironmentGet(ctx, key)
			require.NoError(t, err)
			require.Equal(t, env, got)
		}
		require.ErrorIs(t, s.EnvironmentCreate(ctx, environment("env", T0)), store.ErrConflict)

		upd := &store.Environment{Name: "env", Description: "new", Variables: value.MapOf("k", "v"),
			Scope: "public", UpdatedAt: T0.Add(time.Minute)}
		require.NoError(t, s.EnvironmentUpdate(ctx, upd))
		require.Equal(t, env.ID, upd.ID)
		require.Equal(t, T0, upd.CreatedAt)
		got, err := s.EnvironmentGet(ctx, "env")
		require.NoError(t, err)
		require.Equal(t, upd, got)

		require.NoError(t, s.EnvironmentDelete(ctx, "env"))
		_, err = s.EnvironmentGet(ctx, "env")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.ErrorIs(t, s.EnvironmentDelete(ctx, "env"), store.ErrNotFound)
		require.ErrorIs(t, s.EnvironmentUpdate(ctx, upd), store.ErrNotFound)
	})

	leaf(t, "NilVariablesAreEmpty", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		env := &store.Environment{Name: "e"}
		require.NoError(t, s.EnvironmentCreate(ctx, env))
		got, err := s.EnvironmentGet(ctx, "e")
		require.NoError(t, err)
		require.NotNil(t, got.Variables)
		require.Equal(t, 0, got.Variables.Len())
	})

	leaf(t, "List", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		for i, name := range []string{"c", "a", "b"} {
			require.NoError(t, s.EnvironmentCreate(ctx, environment(name, T0.Add(time.Duration(i)*time.Second))))
		}
		var names []string
		got, err := s.EnvironmentList(ctx, store.ListParams{})
		require.NoError(t, err)
		for _, env := range got {
			names = append(names, env.Name)
		}
		require.Equal(t, []string{"c", "a", "b"}, names)
		got, err = s.EnvironmentList(ctx, store.ListParams{SortKey: "name", SortDesc: true, Limit: 1})
		require.NoError(t, err)
		require.Equal(t, "c", got[0].Name)
		_, err = s.EnvironmentList(ctx, store.ListParams{HasNamespace: true})
		require.Error(t, err, "environments have no namespace")
	})
}
