package compat

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormaliseText(t *testing.T) {
	n := newNormaliser()
	n.task("86369ADA-3046-4a3a-8736-7fc2f631abf0", "t2")
	got := n.text("Failure caused by error in tasks: t2\n\n  t2 [task_ex_id=86369ada-3046-4a3a-8736-7fc2f631abf0] -> boom\n" +
		"    [action_ex_id=338ea135-9be3-4e66-ba59-5ff670ff1d6d, idx=0]: boom at 2026-11-24 03:24:00.123456\n")
	require.Equal(t, "Failure caused by error in tasks: t2\n\n  t2 [task_ex_id=<task_ex_id:t2>] -> boom\n"+
		"    [action_ex_id=<uuid>, idx=0]: boom at <time>\n", got)

	tb := "Failed to run task [wf=wf, task=b]:\nTraceback (most recent call last):\n" +
		"  File \"x.py\", line 73, in run_task\n    task.run()\n" +
		"mistral_lib.exceptions.ActionException: Invalid input\n"
	require.Equal(t, "Failed to run task [wf=wf, task=b]:\n<traceback>", n.text(tb))
}

func TestDropTracebacks(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Failed to run task [wf=wf, task=b]:\n<traceback>", "Failed to run task [wf=wf, task=b]"},
		{"Can not evaluate [e]\n<traceback>\nDuring handling of the above exception, another exception occurred:\n\n<traceback>", "Can not evaluate [e]"},
		{"<traceback> in the middle\n", "<traceback> in the middle\n"},
		{"no traceback", "no traceback"},
	} {
		require.Equal(t, tc.want, dropTracebacks(tc.in), tc.in)
	}
	rec := map[string]any{"l": []any{"x:\n<traceback>", 1}}
	require.Equal(t, map[string]any{"l": []any{"x", 1}}, dropTracebacks(rec))
}

func TestPathRemoveAndSet(t *testing.T) {
	v, err := decodeJSON([]byte(`{"executions": {"ex": {"tasks": [{"name": "a", "r": 1}, {"name": "b", "r": 2}]}}}`))
	require.NoError(t, err)
	v = parsePath("executions.ex.tasks.name=b.r").remove(v)
	v = parsePath("executions.ex.tasks.*.s").set(v, "x")
	v = parsePath("executions.ex.output.k").set(v, true)
	require.Equal(t, `{"executions":{"ex":{"output":{"k":true},"tasks":[{"name":"a","r":1,"s":"x"},{"name":"b","s":"x"}]}}}`, canonical(v))
	v = parsePath("executions.ex.tasks.0").set(v, nil)
	require.Equal(t, `{"executions":{"ex":{"output":{"k":true},"tasks":[{"name":"b","s":"x"}]}}}`, canonical(v))
}

func TestDiff(t *testing.T) {
	want, _ := decodeJSON([]byte(`{"a": 1, "l": [{"name": "t", "s": "SUCCESS"}], "m": 1.0}`))
	got, _ := decodeJSON([]byte(`{"a": 1, "l": [{"name": "t", "s": "ERROR"}], "m": 1, "x": null}`))
	require.Equal(t, []string{
		`l.0(t).s: want "SUCCESS", got "ERROR"`,
		`m: want 1.0, got 1`,
		`x: unexpected, got null`,
	}, Diff(want, got))
	require.Empty(t, Diff(want, want))
}

func TestNormaliseCutsLongTexts(t *testing.T) {
	n := newNormaliser()
	long := strings.Repeat("é", maxText+10)
	require.Equal(t, strings.Repeat("é", maxText)+"<cut>", n.text(long))
	require.Equal(t, "short", n.text("short"))
}
