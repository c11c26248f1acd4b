package jinja

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// Jinja's lstrip_blocks strips whitespace only between a line's start and
// a block or comment tag; trim_blocks drops the newline after a block.
func TestLstripAndTrimBlocks(t *testing.T) {
	e := NewEngine(Options{})
	for src, want := range map[string]string{
		"  {% if true %}x{% endif %}":                    "x",
		"a {% if true %}x{% endif %}":                    "a x",
		"{{ 1 }} {% if true %}x{% endif %}":              "1 x",
		"  {%+ if true %}x{% endif %}":                   "  x",
		"line\n\t{# c #}y":                               "line\ny",
		"{% for i in [1, 2] %}\n  {{ i }}\n{% endfor %}": "  1\n  2\n",
		"{{ '  {% x %}' }}":                              "  {% x %}",
	} {
		tmpl, err := ParseTemplate(src)
		require.NoError(t, err, src)
		got, err := e.Render(context.Background(), tmpl, nil, EvalOptions{})
		require.NoError(t, err, src)
		require.Equal(t, want, got, src)
	}
}
