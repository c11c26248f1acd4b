package dsl

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMistralQuirks pins down surprising things Mistral 15 accepts or
// rejects, which bora reproduces for compatibility.
func TestMistralQuirks(t *testing.T) {
	const head = "version: '2.0'\nwf:\n  tasks:\n"
	tests := []struct {
		name  string
		src   string
		valid bool
	}{
		{"task names may contain dashes", head + "    main-task:\n      on-success: next-task\n    next-task:\n      action: std.noop\n", true},
		{"a task's type is ignored", head + "    a:\n      type: reverse\n      action: std.noop\n", true},
		{"retry may carry a description", head + "    a:\n      retry:\n        count: 1\n        delay: 1\n        description: why\n", true},
		{"task-defaults may carry tags", "version: '2.0'\nwf:\n  task-defaults:\n    tags: [x]\n  tasks:\n    a:\n      action: std.noop\n", true},
		{"join: 0 is no join", head + "    a:\n      join: 0\n", true},
		{"a later duplicate replaces an invalid workflow", "version: '2.0'\nwf:\n  tasks: 5\nwf:\n  tasks:\n    a:\n      action: std.noop\n", true},
		{"the fail command without a blank in the call", head + "    a:\n      on-error: fail(msg=\"x\")\n", false},
		{"the fail command with a blank in the call", head + "    a:\n      on-error: fail(msg=<% $.x %>)\n", true},
		{"a guard must be one expression", head + "    a:\n      on-success:\n        - b: $.x\n    b:\n      action: std.noop\n", false},
		{"a guard with text after the expression", head + "    a:\n      on-success:\n        - b: <% $.x %> ok\n    b:\n      action: std.noop\n", false},
		{"workflow output must be a mapping", "version: '2.0'\nwf:\n  output: <% $.x %>\n  tasks:\n    a:\n      action: std.noop\n", false},
		{"retry needs delay", head + "    a:\n      retry: count=3\n", false},
		{"an unquoted non-JSON inline value is dropped, not an error", head + "    a:\n      action: std.http url=abc method=GET\n", true},
		{"a task named like a command wins over it", head + "    a:\n      on-success: fail\n    fail:\n      action: std.noop\n", true},
		{"a join counts distinct inbound tasks", head + "    a:\n      on-success: [j]\n      on-error: [j]\n    j:\n      join: 2\n", false},
		{"version 2 as a number", "version: 2\nwf:\n  tasks:\n    a:\n      action: std.noop\n", true},
		{"reverse workflows need no start task", "version: '2.0'\nwf:\n  type: reverse\n  tasks:\n    a:\n      requires: b\n    b:\n      requires: a\n", true},
		{"an advanced clause with publish only", head + "    a:\n      on-success:\n        publish:\n          global:\n            x: 1\n", true},
		{"an advanced clause with an empty publish", head + "    a:\n      on-success:\n        publish: {}\n", false},
		{"with-items ignores text after the collection", head + "    a:\n      with-items: x in [1, 2] then some\n", true},
		{"a Unicode task name", head + "    задача:\n      action: std.noop\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("q.yaml", []byte(tt.src), Options{})
			if tt.valid {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}
