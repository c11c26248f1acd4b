package action

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The dial-time check is what stops DNS rebinding: it sees the address
// actually connected to, whatever the name resolved to before.
func TestEgressDialControl(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		policy  *EgressPolicy
		address string
		denied  bool
	}{
		{"default allows loopback", DefaultEgressPolicy(), "127.0.0.1:80", false},
		{"default denies metadata", DefaultEgressPolicy(), "169.254.169.254:80", true},
		{"default denies v6 link-local", DefaultEgressPolicy(), "[fe80::1]:80", true},
		{"Mistral's denies loopback", MistralEgressPolicy(), "127.0.0.1:8080", true},
		{"Mistral's denies v6 loopback", MistralEgressPolicy(), "[::1]:8080", true},
		{"v4-mapped v6 is unmapped", MistralEgressPolicy(), "[::ffff:127.0.0.1]:80", true},
		{"public address passes", MistralEgressPolicy(), "192.0.2.10:443", false},
		{"nil policy allows all", nil, "169.254.169.254:80", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.policy.dialControl("tcp", tc.address, nil)
			if tc.denied {
				require.ErrorContains(t, err, "is not allowed")
			} else {
				require.NoError(t, err)
			}
		})
	}
}

func TestParseCIDRs(t *testing.T) {
	t.Parallel()
	got, err := ParseCIDRs([]string{" 10.0.0.0/8 ", "", "192.168.1.7", "fd00::/8", "10.1.2.3/8"})
	require.NoError(t, err)
	require.Len(t, got, 4)
	require.Equal(t, "192.168.1.7/32", got[1].String())
	require.Equal(t, "10.0.0.0/8", got[3].String(), "host bits are masked")
	_, err = ParseCIDRs([]string{"10.0.0.0/33"})
	require.Error(t, err)
	_, err = ParseCIDRs([]string{"nope"})
	require.Error(t, err)
}

func TestSleepSeconds(t *testing.T) {
	t.Parallel()
	for in, want := range map[any]int64{int64(3): 3, 2.9: 2, "4": 4, "4.5": 0, -1.0: 0, "x": 0, true: 1} {
		require.Equal(t, want, sleepSeconds(in), "%v", in)
	}
}
