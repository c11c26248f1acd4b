//go:build linux

package bench

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseProcStat(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, stat string
		want       time.Duration
		bad        bool
	}{
		{name: "plain", stat: "42 (bora) S 1 42 42 0 -1 4194560 100 0 0 0 250 130 0 0 20 0 8 0 1000 0 0",
			want: 3800 * time.Millisecond},
		{name: "name with spaces and parens", stat: "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 1 0 0",
			want: 30 * time.Millisecond},
		{name: "truncated", stat: "7 (bora) R 1 7 7", bad: true},
		{name: "no name", stat: "7 bora R", bad: true},
		{name: "not a number", stat: "7 (bora) R 1 7 7 0 -1 0 0 0 0 0 x 2 0", bad: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseProcStat([]byte(tc.stat))
			if tc.bad {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// TestPidCPU reads this test process's own stat file: a real file, a
// real (non-negative) number, and an error for a pid that cannot exist.
func TestPidCPU(t *testing.T) {
	t.Parallel()
	_, err := pidCPU(os.Getpid())
	require.NoError(t, err)
	_, err = pidCPU(-1)
	require.Error(t, err)
}
