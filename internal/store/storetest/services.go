package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
)

func exerciseServices(t *testing.T, open Opener) {
	leaf(t, "HeartbeatListDelete", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		api := &store.Service{Name: "host_1", Type: "api_group", StartedAt: T0, HeartbeatAt: T0}
		eng := &store.Service{Name: "host_2", Type: "engine_group", StartedAt: T0, HeartbeatAt: T0}
		require.NoError(t, s.ServiceHeartbeat(ctx, api))
		require.NoError(t, s.ServiceHeartbeat(ctx, eng))
		// One process in two roles has a row for each.
		apiToo := &store.Service{Name: "host_2", Type: "api_group", StartedAt: T0, HeartbeatAt: T0}
		require.NoError(t, s.ServiceHeartbeat(ctx, apiToo))
		// A later heartbeat moves the time, keeps the start.
		require.NoError(t, s.ServiceHeartbeat(ctx, &store.Service{Name: "host_2", Type: "engine_group",
			StartedAt: T0.Add(time.Hour), HeartbeatAt: T0.Add(time.Minute)}))

		got, err := s.ServiceList(ctx, T0)
		require.NoError(t, err)
		require.Equal(t, []*store.Service{api, apiToo,
			{Name: "host_2", Type: "engine_group", StartedAt: T0, HeartbeatAt: T0.Add(time.Minute)}}, got)
		got, err = s.ServiceList(ctx, T0.Add(time.Second))
		require.NoError(t, err)
		require.Len(t, got, 1, "a service whose heartbeat is too old is not listed")
		require.Equal(t, "host_2", got[0].Name)

		require.NoError(t, s.ServiceDelete(ctx, "host_2"))
		got, err = s.ServiceList(ctx, T0)
		require.NoError(t, err)
		require.Equal(t, []*store.Service{api}, got, "a stop removes every role of the process")
		require.ErrorIs(t, s.ServiceDelete(ctx, "host_2"), store.ErrNotFound)
	})
}
