package dsl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// wantErr is one expected error: where, and a phrase of its message.
type wantErr struct {
	at     string // "line:col"
	phrase string
}

// brokenCheck fails the expressions containing "bad(", standing in for the
// expression package's syntax check.
func brokenCheck(expr string) error {
	if strings.Contains(expr, "bad(") {
		return errors.New("unexpected end of statement")
	}
	return nil
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		file string
		kind string
		want []wantErr
	}{
		{"bad_yaml.yaml", "", []wantErr{{"6:7", "not valid YAML"}}},
		{"tab_indent.yaml", "", []wantErr{{"4:2", "not valid YAML"}}},
		{"empty.yaml", "", []wantErr{{"1:1", "the document is empty"}}},
		{"top_level_list.yaml", "", []wantErr{{"1:1", "must be a mapping"}}},
		{"missing_version.yaml", "", []wantErr{{"1:1", "has no version"}}},
		{"wrong_version.yaml", "", []wantErr{{"1:10", `unsupported DSL version "1.0"`}}}, // a workbook: a workflow list takes any version, as in Mistral
		{"list_bad_version.yaml", "", []wantErr{{"1:10", `unsupported DSL version ""`}}},
		{"unknown_task_attr.yaml", "", []wantErr{{"6:7", `task "a": unknown attribute "wait_before" (did you mean "wait-before"?); allowed: action, concurrency,`}}},
		{"publish_list.yaml", "", []wantErr{{"7:9", "publish must be a mapping, not a list"}}},
		{"action_and_workflow.yaml", "", []wantErr{{"4:5", "has both action and workflow"}}},
		{"unknown_transition.yaml", "", []wantErr{{"8:11", `transition to unknown task "nowhere"`}}},
		{"join_too_big.yaml", "", []wantErr{{"10:5", "has `join: 3` but only 1 task(s)"}}},
		{"join_all_no_inbound.yaml", "", []wantErr{{"6:5", "has `join: all` but no task has a transition to it"}}},
		{"join_bad_value.yaml", "", []wantErr{{"7:13", `join must be "all", "one" or a number`}}},
		{"direct_attr_on_reverse.yaml", "", []wantErr{{"7:7", `"on-success" is only allowed in direct workflows`}}},
		{"reverse_attr_on_direct.yaml", "", []wantErr{{"7:7", `"requires" is only allowed in reverse workflows`}}},
		{"reverse_requires_unknown.yaml", "", []wantErr{{"5:5", `requires unknown task "ghost"`}}},
		{"duplicate_input.yaml", "", []wantErr{{"5:7", `"a" is declared twice`}}},
		{"bad_expression.yaml", "", []wantErr{
			{"5:15", `action.output has an invalid expression "<% bad( %>"`}, // inline params are checked
			{"8:12", "publish.y has an invalid expression"},
		}},
		{"mixed_expression.yaml", "", []wantErr{{"7:12", "mixes YAQL (<% %>) and Jinja"}}},
		{"no_start_task.yaml", "", []wantErr{{"2:1", `workflow "wf" has no start task`}}},
		{"retry_missing_count.yaml", "", []wantErr{{"6:9", `retry needs "count"`}}},
		{"retry_count_string.yaml", "", []wantErr{{"5:14", `retry needs "count"`}}},
		{"retry_count_word.yaml", "", []wantErr{{"6:16", `retry.count must be an integer of 0 or more or an expression, not "three"`}}},
		{"timeout_negative.yaml", "", []wantErr{
			{"5:16", "timeout must be an integer of 0 or more or an expression, not -1"},
			{"6:21", `pause-before must be true, false or an expression, not "maybe"`},
		}},
		{"keep_result_string.yaml", "", []wantErr{{"5:20", `keep-result must be true, false or an expression, not "false"`}}},
		{"with_items_bad.yaml", "", []wantErr{{"5:19", "is not in the form `var in [1, 2]`"}}},
		{"with_items_bad_json.yaml", "", []wantErr{{"6:11", "[1,,2] is not a valid JSON list"}}},
		{"bad_type.yaml", "", []wantErr{{"3:9", `type must be "direct" or "reverse", not "sideways"`}}},
		{"empty_tasks.yaml", "", []wantErr{{"3:10", "tasks must be a non-empty mapping"}}},
		{"no_tasks.yaml", "", []wantErr{{"2:1", `workflow "wf" has no tasks`}}},
		{"workbook_no_name.yaml", KindWorkbook, []wantErr{{"1:1", "the workbook has no name"}}},
		{"workbook_unknown_attr.yaml", "", []wantErr{{"3:1", `workbook: unknown attribute "workflow" (did you mean "workflows"?); allowed: actions, description, name, tags, version, workflows`}}},
		{"action_without_base.yaml", KindActions, []wantErr{
			{"4:1", `action "farewell" has no base`},
			{"5:3", `unknown attribute "base_input"`},
		}},
		{"advanced_unknown_key.yaml", "", []wantErr{{"6:9", `unknown attribute "nxt"; the advanced form allows only publish and next`}}},
		{"repeated_transition.yaml", "", []wantErr{{"9:11", "transition 3 repeats transition 1"}}},
		{"repeated_guarded_transition.yaml", "", []wantErr{{"9:11", "transition 3 repeats transition 1"}}},
		{"fail_call_without_blank.yaml", "", []wantErr{{"6:11", `"fail(msg=\"x\")" is not a transition target`}}},
		{"uuid_name.yaml", "", []wantErr{{"2:1", "cannot look like a UUID"}}},
		{"block_anchor.yaml", "", []wantErr{{"7:9", "`&in` on line 6 is read as plain text"}}},
		{"many_errors.yaml", "", []wantErr{
			{"6:19", `transition to unknown task "nowhere"`},
			{"7:16", `timeout must be an integer of 0 or more or an expression, not "10s"`},
			{"9:7", `unknown attribute "foo"`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "invalid", tt.file)
			src, err := os.ReadFile(path)
			require.NoError(t, err)
			doc, err := Parse(path, src, Options{Kind: tt.kind, CheckExpression: brokenCheck})
			require.Nil(t, doc)
			var list *ErrorList
			require.ErrorAs(t, err, &list)
			require.Len(t, *list, len(tt.want), "errors: %v", err)
			for i, w := range tt.want {
				got := (*list)[i]
				require.Equal(t, path, got.Pos.File)
				require.Equal(t, w.at, fmt.Sprintf("%d:%d", got.Pos.Line, got.Pos.Column), "error %d: %s", i, got)
				require.Contains(t, got.Msg, w.phrase, "error %d", i)
				require.True(t, strings.HasPrefix(got.Error(), path+":"+w.at+": "), got.Error())
			}
		})
	}
}

func TestErrorListFormatsOnePerLine(t *testing.T) {
	l := ErrorList{
		{Pos: Position{File: "a.yaml", Line: 1, Column: 2}, Msg: "first"},
		{Pos: Position{File: "a.yaml", Line: 3, Column: 4}, Msg: "second"},
	}
	require.Equal(t, "a.yaml:1:2: first\na.yaml:3:4: second", l.Error())
}
