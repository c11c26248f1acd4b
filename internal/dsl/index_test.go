package dsl

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestIndexAgreesWithTheGraph checks the precomputed index against the
// direct computation on every workflow of the corpus.
func TestIndexAgreesWithTheGraph(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../../shared/conformance/dsl/docs/*.yaml")
	require.NoError(t, err)
	if len(files) == 0 {
		t.Skip("conformance corpus not found")
	}
	checked := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		doc, err := Parse(f, src, Options{})
		if err != nil {
			continue
		}
		for _, wf := range doc.Workflows {
			require.NotNil(t, wf.index)
			for _, task := range wf.Tasks {
				require.Equal(t, wf.countInbound(task.Name), wf.InboundCount(task.Name), "%s: %s.%s", f, wf.Name, task.Name)
				s, e, c := wf.EffectiveOnClauses(task)
				saved := wf.index
				wf.index = nil
				s2, e2, c2 := wf.EffectiveOnClauses(task)
				wf.index = saved
				require.Equal(t, s2, s)
				require.Equal(t, e2, e)
				require.Equal(t, c2, c)
				checked++
			}
		}
	}
	require.Greater(t, checked, 1000)
}
