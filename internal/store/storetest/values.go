package storetest

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/value"
)

// richMap is a value that encoding/json would damage: keys out of byte
// order, an int64 past float64's precision, an integer too big for int64,
// a float with no fraction, nested lists and maps, unicode and nulls.
func richMap(t testing.TB) *value.Map {
	t.Helper()
	huge, ok := new(big.Int).SetString("123456789012345678901234567890", 10)
	require.True(t, ok)
	return value.MapOf(
		"zeta", int64(9007199254740993), // 2^53+1: a float64 would round it
		"alpha", 2.0,
		"big", huge,
		"list", []any{int64(1), []any{"nested", nil, true}, value.MapOf("y", int64(2), "x", int64(1))},
		"unicode", "héllo \u2603 \"quoted\"\n",
		"null", nil,
		"negative", int64(-1),
		"tiny", 1.5e-10,
	)
}

// requireSameValue checks that got is want with the same key order and
// the same number types, by comparing their encodings.
func requireSameValue(t testing.TB, want, got any) {
	t.Helper()
	w, err := value.Encode(want)
	require.NoError(t, err)
	g, err := value.Encode(got)
	require.NoError(t, err)
	require.Equal(t, string(w), string(g))
}
