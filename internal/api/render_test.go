package api

import (
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/value"
)

func TestPythonStr(t *testing.T) {
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	tests := []struct {
		in   any
		want string
	}{
		{"hello", "hello"},
		{"", ""},
		{nil, "None"},
		{true, "True"},
		{false, "False"},
		{int64(-7), "-7"},
		{huge, "123456789012345678901234567890"},
		{1.5, "1.5"},
		{2.0, "2.0"},
		{1e20, "1e+20"},
		{math.Inf(1), "inf"},
		{[]any{int64(0), int64(1)}, "[0, 1]"},
		{[]any{}, "[]"},
		{[]any{"a", nil, true}, "['a', None, True]"},
		{value.MapOf("k", "v", "n", int64(1)), "{'k': 'v', 'n': 1}"},
		{[]any{"it's"}, `["it's"]`},
		{[]any{`it's "x"`}, `['it\'s "x"']`},
		{[]any{"a\nb\\"}, `['a\nb\\']`},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, pythonStr(tt.in), "%#v", tt.in)
	}
}

func TestObjectJSON(t *testing.T) {
	var buf = object{
		{"z", "<% $.x %> & more"},
		{"a", nil},
		{"m", value.MapOf("b", int64(1), "a", 2.0)},
		{"l", []string{}},
		{"o", object{{"k", true}}},
	}
	b, err := buf.MarshalJSON()
	require.NoError(t, err)
	require.Equal(t, `{"z":"<% $.x %> & more","a":null,"m":{"b":1,"a":2.0},"l":[],"o":{"k":true}}`, string(b))

	require.Equal(t, []string{"a", "l"}, fieldKeys(buf.only([]string{"l", "a"})))
	require.Equal(t, []string{"z", "m", "o"}, fieldKeys(buf.without("a", "l")))
	require.Equal(t, []string{"z", "m", "l", "o"}, fieldKeys(withoutNulls(buf)))
}

func fieldKeys(o object) []string {
	var keys []string
	for _, f := range o {
		keys = append(keys, f.key)
	}
	return keys
}

func TestFormatTime(t *testing.T) {
	require.Nil(t, formatTime(time.Time{}))
	require.Nil(t, formatTimePtr(nil))
	local := time.Date(2026, 11, 24, 2, 38, 50, 999, time.FixedZone("CET", 3600))
	require.Equal(t, "2026-11-24 01:38:50", formatTime(local))
}
