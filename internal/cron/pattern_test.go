package cron

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestNext(t *testing.T) {
	at := time.Date(2026, 3, 4, 10, 7, 30, 0, time.UTC)
	for _, tc := range []struct {
		pattern string
		want    time.Time
	}{
		{"* * * * *", time.Date(2026, 3, 4, 10, 8, 0, 0, time.UTC)},
		{"*/5 * * * *", time.Date(2026, 3, 4, 10, 10, 0, 0, time.UTC)},
		{"0 0 * * *", time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)},
		{"0 9 * * 1", time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)}, // the next Monday
		{"@hourly", time.Date(2026, 3, 4, 11, 0, 0, 0, time.UTC)},
	} {
		got, err := Next(tc.pattern, at)
		require.NoError(t, err, tc.pattern)
		require.Equal(t, tc.want, got, tc.pattern)
	}
	// Strictly after: a time on the pattern moves to the next one.
	got, err := Next("* * * * *", time.Date(2026, 3, 4, 10, 8, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 3, 4, 10, 9, 0, 0, time.UTC), got)
	// Times are UTC whatever the zone given.
	got, err = Next("0 0 * * *", at.In(time.FixedZone("X", 5*3600)))
	require.NoError(t, err)
	require.Equal(t, time.UTC, got.Location())

	for _, bad := range []string{"", "nope", "* * * *", "61 * * * *", "* * * * * * *"} {
		require.Error(t, Validate(bad), bad)
		_, err := Next(bad, at)
		require.Error(t, err, bad)
	}
	require.NoError(t, Validate(NeverPattern))
}
