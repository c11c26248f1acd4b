package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
)

func exerciseMigrate(t *testing.T, open Opener) {
	leaf(t, "SecondRunIsNoOp", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		require.NoError(t, s.Migrate(ctx))
		require.NoError(t, s.Migrate(ctx))
		got, err := s.ExecutionGet(ctx, ex.ID)
		require.NoError(t, err)
		require.Equal(t, ex, got)
	})
	leaf(t, "Name", open, func(t *testing.T, s store.Store) {
		require.Contains(t, []string{"sqlite", "postgres"}, s.Name())
	})
}
