package value_test

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/value"
)

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		compact string
		python  string
	}{
		{`{"b": 1, "a": [1, 2.0, "x"]}`, `{"b":1,"a":[1,2.0,"x"]}`, `{"b": 1, "a": [1, 2.0, "x"]}`},
		{`9223372036854775808`, `9223372036854775808`, `9223372036854775808`},
		{`1e16`, `1e+16`, `1e+16`},
		{`0.0001`, `0.0001`, `0.0001`},
		{`0.00001`, `1e-05`, `1e-05`},
		{`{"z": null, "y": true, "x": "\u00e9\n"}`, `{"z":null,"y":true,"x":"é\n"}`, `{"z": null, "y": true, "x": "é\n"}`},
		{`[]`, `[]`, `[]`},
		{`{}`, `{}`, `{}`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			v, err := value.DecodeString(tc.in)
			require.NoError(t, err)
			compact, err := value.Encode(v)
			require.NoError(t, err)
			require.Equal(t, tc.compact, string(compact))
			python, err := value.EncodePython(v)
			require.NoError(t, err)
			require.Equal(t, tc.python, string(python))
		})
	}
}

func TestDecodeKeepsIntegersExact(t *testing.T) {
	t.Parallel()
	v, err := value.DecodeString(`{"small": 42, "big": 123456789012345678901234567890, "float": 42.0}`)
	require.NoError(t, err)
	m := v.(*value.Map)
	small, _ := m.Get("small")
	require.Equal(t, int64(42), small)
	bigV, _ := m.Get("big")
	require.IsType(t, &big.Int{}, bigV)
	f, _ := m.Get("float")
	require.Equal(t, 42.0, f)
	require.Equal(t, []string{"small", "big", "float"}, m.Keys())
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{``, `{`, `{"a": 1} x`, `[1,]`, `{1: 2}`} {
		_, err := value.DecodeString(in)
		require.Error(t, err, in)
	}
}

func TestPyStr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v    any
		want string
	}{
		{nil, "None"},
		{true, "True"},
		{"plain", "plain"},
		{int64(3), "3"},
		{2.0, "2.0"},
		{[]any{int64(1), "a", nil}, "[1, 'a', None]"},
		{value.MapOf("k", "it's", "n", false), `{'k': "it's", 'n': False}`},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, value.PyStr(tc.v))
	}
}

func TestMergeDictsIsDeep(t *testing.T) {
	t.Parallel()
	left := value.MapOf("a", value.MapOf("x", int64(1), "y", int64(2)), "b", int64(1))
	right := value.MapOf("a", value.MapOf("y", int64(3), "z", int64(4)), "c", int64(5))
	got := value.MergeDicts(left, right)
	want := value.MapOf("a", value.MapOf("x", int64(1), "y", int64(3), "z", int64(4)), "b", int64(1), "c", int64(5))
	require.True(t, value.Equal(want, got), string(value.MustEncode(got)))
}
