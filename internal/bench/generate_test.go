package bench

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// referenceDir holds gen.py's output, outside this repository.
const referenceDir = "../../../shared/reference-workflows"

// manifestEntry is one workflow of gen.py's manifest.json.
type manifestEntry struct {
	File             string `json:"file"`
	Shape            string `json:"shape"`
	N                *int   `json:"n"`
	X                *int   `json:"x"`
	TaskExecutions   int    `json:"task_executions"`
	ActionExecutions int    `json:"action_executions"`
	TopLevelTasks    int    `json:"top_level_tasks"`
}

func loadManifest(t *testing.T) map[string]manifestEntry {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(referenceDir, "manifest.json"))
	if os.IsNotExist(err) {
		t.Skip("reference workflows not found at " + referenceDir)
	}
	require.NoError(t, err)
	var m map[string]manifestEntry
	require.NoError(t, json.Unmarshal(raw, &m))
	require.NotEmpty(t, m)
	return m
}

// TestGenerateMatchesReference compares every generated file with gen.py's,
// byte for byte, and the counts with manifest.json.
func TestGenerateMatchesReference(t *testing.T) {
	t.Parallel()
	manifest := loadManifest(t)
	names := make([]string, 0, len(manifest))
	for name := range manifest {
		names = append(names, name)
	}
	sort.Strings(names)
	shapes := map[string]bool{}
	for _, name := range names {
		want := manifest[name]
		spec, err := ParseSpec(name)
		require.NoError(t, err)
		require.Equal(t, name, spec.Name())
		require.Equal(t, want.Shape, spec.Shape, name)
		require.NotNil(t, want.N, name)
		require.Equal(t, *want.N, spec.N, name)
		if want.X == nil {
			require.Zero(t, spec.X, name)
		} else {
			require.Equal(t, *want.X, spec.X, name)
		}
		def, err := Generate(spec)
		require.NoError(t, err)
		text, err := os.ReadFile(filepath.Join(referenceDir, want.File))
		require.NoError(t, err)
		require.Equal(t, string(text), def.Text, name)
		require.Equal(t, want.TaskExecutions, def.TaskExecutions, name)
		require.Equal(t, want.ActionExecutions, def.ActionExecutions, name)
		require.Equal(t, want.TopLevelTasks, def.TopLevelTasks, name)
		for _, wf := range def.Workflows {
			require.Contains(t, string(text), "\n"+wf+":\n", name)
		}
		shapes[spec.Shape] = true
	}
	require.Len(t, shapes, len(shapeOrder), "the reference set covers every shape")
}

// TestGenerateLargeSizes checks the counts formula beyond the reference
// sizes, for the sizes the speed targets use.
func TestGenerateLargeSizes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                   string
		tasks, actions, top, n int
	}{
		{"seq_1000", 1000, 1000, 1000, 1000},
		{"par_1000", 1000, 1000, 1000, 1000},
		{"join_1000", 1001, 1001, 1001, 1000},
		{"with_items_1000", 1, 1000, 1, 1000},
		{"with_items_c10_1000", 1, 1000, 1, 1000},
		{"mixed_10x1000", 10000, 10000, 10000, 1000},
		{"mixed_join_10x1000", 10001, 10001, 10001, 1000},
		// 8 top-level + 1000 + 1000 + 10000 + 1001 + 10001 + 1 + 1
		{"complex_10x1000", 23012, 25003, 8, 1000},
		{"complex_1x1", 17, 10, 8, 1},
	}
	for _, tc := range cases {
		spec, err := ParseSpec(tc.name)
		require.NoError(t, err)
		def, err := Generate(spec)
		require.NoError(t, err)
		require.Equal(t, tc.tasks, def.TaskExecutions, tc.name)
		require.Equal(t, tc.actions, def.ActionExecutions, tc.name)
		require.Equal(t, tc.top, def.TopLevelTasks, tc.name)
		require.True(t, strings.HasPrefix(def.Text, header+"\n"+tc.name+":\n"), tc.name)
	}
}

func TestParseSpec(t *testing.T) {
	t.Parallel()
	good := map[string]Spec{
		"seq_1":               {Shape: ShapeSeq, N: 1},
		"with_items_c10_50":   {Shape: ShapeWithItemsC10, N: 50},
		"with_items_50":       {Shape: ShapeWithItems, N: 50},
		"mixed_join_10x200":   {Shape: ShapeMixedJoin, X: 10, N: 200},
		"mixed_5x10":          {Shape: ShapeMixed, X: 5, N: 10},
		"complex_2x5":         {Shape: ShapeComplex, X: 2, N: 5},
		"join_1000":           {Shape: ShapeJoin, N: 1000},
		"par_10000":           {Shape: ShapePar, N: 10000},
		"with_items_c10_1000": {Shape: ShapeWithItemsC10, N: 1000},
	}
	for name, want := range good {
		got, err := ParseSpec(name)
		require.NoError(t, err, name)
		require.Equal(t, want, got, name)
		require.Equal(t, name, got.Name())
	}
	for _, bad := range []string{"", "seq", "seq_", "seq_0", "seq_-1", "seq_01", "seq_1x2", "mixed_10", "mixed_x10",
		"complex_5", "with_items_c5_10", "loop_10", "par_10 ", "seq_99999999"} {
		_, err := ParseSpec(bad)
		require.Error(t, err, "%q", bad)
	}
	specs, err := ParseSpecs(" seq_10, par_10,,join_10 ")
	require.NoError(t, err)
	require.Equal(t, []Spec{{Shape: ShapeSeq, N: 10}, {Shape: ShapePar, N: 10}, {Shape: ShapeJoin, N: 10}}, specs)
	_, err = ParseSpecs(" , ")
	require.Error(t, err)
}

func TestExpandSpecs(t *testing.T) {
	t.Parallel()
	sizes, err := ParseSizes("10, 100,")
	require.NoError(t, err)
	require.Equal(t, []int{10, 100}, sizes)
	got, err := ExpandSpecs("seq,mixed_join,join_7,with_items_c10", sizes, 5)
	require.NoError(t, err)
	require.Equal(t, []Spec{
		{Shape: ShapeSeq, N: 10}, {Shape: ShapeSeq, N: 100},
		{Shape: ShapeMixedJoin, X: 5, N: 10}, {Shape: ShapeMixedJoin, X: 5, N: 100},
		{Shape: ShapeJoin, N: 7},
		{Shape: ShapeWithItemsC10, N: 10}, {Shape: ShapeWithItemsC10, N: 100},
	}, got)

	bad := []struct {
		list  string
		sizes []int
		x     int
	}{
		{"seq", nil, 5},              // a bare shape needs sizes
		{"mixed", []int{10}, 0},      // and X for chains
		{"par", []int{0}, 5},         // sizes from 1
		{"loop", []int{10}, 5},       // unknown shape
		{"complex", []int{10}, -1},   // negative X
		{"seq_10,mix", []int{10}, 5}, // an unknown bare name
	}
	for _, tc := range bad {
		_, err := ExpandSpecs(tc.list, tc.sizes, tc.x)
		require.Error(t, err, "%+v", tc)
	}
	for _, s := range []string{"0", "1x", "-5", "10,abc"} {
		_, err := ParseSizes(s)
		require.Error(t, err, s)
	}
}
