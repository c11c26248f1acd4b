package dsl

import (
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/bora-workflow/bora/internal/value"
	"github.com/stretchr/testify/require"
)

// parseFile parses testdata/<name> and fails the test on any error.
func parseFile(t *testing.T, name string, opts Options) *Document {
	t.Helper()
	path := filepath.Join("testdata", name)
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	doc, err := Parse(path, src, opts)
	require.NoError(t, err)
	return doc
}

func get(t *testing.T, m *value.Map, key string) any {
	t.Helper()
	v, ok := m.Get(key)
	require.True(t, ok, "missing key %q", key)
	return v
}

func TestParseDirectWorkflow(t *testing.T) {
	var checked []string
	doc := parseFile(t, "valid/direct.yaml", Options{CheckExpression: func(e string) error {
		checked = append(checked, e)
		return nil
	}})
	require.Equal(t, "2.0", doc.Version)
	require.Empty(t, doc.Name)
	require.Len(t, doc.Workflows, 2)

	wf := doc.Workflows[0]
	require.Equal(t, "greet", wf.Name)
	require.Equal(t, TypeDirect, wf.Type)
	require.Equal(t, "Says hello", wf.Description)
	require.Equal(t, []string{"demo", "hello"}, wf.Tags)
	require.Equal(t, []Param{{Name: "name"}, {Name: "greeting", Default: "Hello", HasDefault: true}}, wf.Input)
	require.Equal(t, int64(3), get(t, wf.Vars, "count"))
	require.Equal(t, "<% $.message %>", get(t, wf.Output.(*value.Map), "message"))
	require.Equal(t, "failed", get(t, wf.OutputOnError.(*value.Map), "reason"))
	require.Equal(t, 4, wf.Pos.Line)
	require.Equal(t, "version: '2.0'\ngreet:\n  description: Says hello\n  tags: [demo, hello]\n  input:\n  - name\n  - greeting: Hello\n", wf.Definition[:108],
		"a workflow of a multi-workflow list is re-dumped alone, after the version")
	require.Equal(t, []string{"hello", "bye", "cleanup"}, taskNames(wf))

	hello := wf.TaskByName["hello"]
	require.Equal(t, "std.echo", hello.Action)
	require.Empty(t, hello.Workflow)
	in := hello.InlineInput
	require.Equal(t, "<% $.greeting %>, <% $.name %>", get(t, in, "output"))
	require.Equal(t, int64(1), get(t, in, "n"))
	require.Equal(t, true, get(t, in, "flag"))
	require.Equal(t, "<% $.y %>", get(t, in, "x"))
	require.Equal(t, []any{int64(1), int64(2)}, get(t, in, "list"))
	require.Equal(t, int64(1), get(t, hello.Input.(*value.Map), "extra"))
	require.Equal(t, "<% task().result %>", get(t, hello.Publish, "message"))
	require.Equal(t, "<% task().result %>", get(t, hello.PublishOnError, "error"))
	require.Equal(t, []Transition{{Target: "bye", Pos: hello.OnSuccess.Next[0].Pos}}, hello.OnSuccess.Next)
	require.Len(t, hello.OnError.Next, 2)
	require.Equal(t, "cleanup", hello.OnError.Next[0].Target)
	require.Equal(t, "<% $.retryable %>", hello.OnError.Next[0].Guard)
	require.Equal(t, CommandFail, hello.OnError.Next[1].Target)
	require.Equal(t, "hello failed", get(t, hello.OnError.Next[1].Params, "msg"))
	require.Equal(t, CommandNoop, hello.OnComplete.Next[0].Target)
	require.Equal(t, KeepResult{Set: true, Value: false}, hello.Keep)
	require.Equal(t, "worker-1", hello.Target)
	pol := hello.Policies
	require.Equal(t, &Retry{Count: int64(3), Delay: int64(1), BreakOn: "<% $.stop %>"}, pol.Retry)
	require.Equal(t, int64(1), pol.WaitBefore)
	require.Equal(t, "<% $.after %>", pol.WaitAfter)
	require.Equal(t, int64(30), pol.Timeout)
	require.Equal(t, false, pol.PauseBefore)
	require.Equal(t, int64(2), pol.Concurrency)
	require.Equal(t, "<% $.bad %>", pol.FailOn)
	require.Equal(t, true, pol.SafeRerun)

	bye := wf.TaskByName["bye"]
	require.Empty(t, bye.Action)
	require.Equal(t, "sub", bye.Workflow)
	require.Equal(t, "<% $.message %>", get(t, bye.InlineInput, "param"))
	require.Equal(t, "<% {x => 1} %>", bye.Input)
	require.Equal(t, CommandFail, bye.OnSuccess.Next[0].Target)
	require.Equal(t, "<% $.why %>", get(t, bye.OnSuccess.Next[0].Params, "msg"))

	cleanup := wf.TaskByName["cleanup"]
	require.Equal(t, "std.noop", cleanup.Action, "a task with neither action nor workflow runs std.noop")
	require.Equal(t, []WithItem{
		{Var: "x", Collection: "<% $.xs %>"},
		{Var: "y", Collection: []any{int64(1), int64(2)}},
	}, cleanup.WithItems)
	require.Equal(t, &Retry{Count: int64(2), Delay: "<% $.d %>", ContinueOn: "<% $.again %>"}, cleanup.Policies.Retry)

	sub := doc.Workflows[1]
	require.Equal(t, "sub", sub.Name)
	require.False(t, sub.TaskByName["only"].Join.IsJoin(), "join: 0 means no join")

	// Expressions are handed to the checker, in the places Mistral checks.
	require.Contains(t, checked, "<% $.message %>")   // output
	require.Contains(t, checked, "<% $.y %>")         // inline param
	require.Contains(t, checked, "<% $.retryable %>") // guard
	require.Contains(t, checked, "<% $.stop %>")      // retry break-on
	require.Contains(t, checked, "<% $.xs %>")        // with-items
	require.Contains(t, checked, "<% {x => 1} %>")    // input expression
	require.NotContains(t, checked, "Hello", "plain strings are not expressions")
}

func taskNames(w *Workflow) []string {
	var names []string
	for _, t := range w.Tasks {
		names = append(names, t.Name)
	}
	return names
}

func TestParseJoinsAndTaskDefaults(t *testing.T) {
	doc := parseFile(t, "valid/joins.yaml", Options{})
	wf := doc.Workflows[0]
	require.Equal(t, Join{All: true}, wf.TaskByName["c"].Join)
	require.Equal(t, Join{Count: 2}, wf.TaskByName["d"].Join)
	require.Equal(t, Join{Count: 1}, wf.TaskByName["one_join"].Join)
	require.Equal(t, 2, wf.InboundCount("c"))
	require.Equal(t, 2, wf.InboundCount("d"))
	require.Equal(t, 0, wf.InboundCount("a"))
	require.Equal(t, 6, wf.InboundCount("handle"), "task-defaults on-error counts for every task without its own")

	// The task-defaults clause applies to tasks without their own clause...
	_, onErr, _ := wf.EffectiveOnClauses(wf.TaskByName["a"])
	require.Equal(t, "handle", onErr.Next[0].Target)
	// ...a task's own clause replaces it...
	_, onErr, _ = wf.EffectiveOnClauses(wf.TaskByName["handle"])
	require.Equal(t, CommandNoop, onErr.Next[0].Target)
	require.Len(t, onErr.Next, 1)
	require.Equal(t, &Retry{Count: int64(1), Delay: int64(0)}, wf.TaskDefaults.Policies.Retry)
}

func TestTaskGraph(t *testing.T) {
	doc := parseFile(t, "valid/joins.yaml", Options{})
	indexed := doc.Workflows[0]
	unindexed := *indexed
	unindexed.index = nil // computed on the fly: must agree with the index
	for _, wf := range []*Workflow{indexed, &unindexed} {
		require.Equal(t, []string{"a", "b"}, wf.InboundTasks("c"))
		require.Equal(t, []string{"a", "b", "c", "d", "e", "one_join"}, wf.InboundTasks("handle"), "task-defaults on-error leads from every task without its own")
		require.Equal(t, []string{"c", "d", "handle"}, wf.OutboundTasks("a"), "on-success before on-error")
		require.Empty(t, wf.OutboundTasks("handle"), "noop is an engine command, not a task")
		for name, want := range map[string]bool{"a": true, "b": true, "c": true, "d": true, "e": true, "one_join": true, "handle": false} {
			require.Equal(t, want, wf.LeadsToJoin(name), name)
		}
	}
}

func TestEffectiveOnClausesDropsSelfTransition(t *testing.T) {
	doc, err := Parse("x.yaml", []byte("version: '2.0'\nwf:\n  task-defaults:\n    on-error: [h, a]\n  tasks:\n    a:\n      action: std.noop\n    h:\n      action: std.noop\n"), Options{})
	require.Error(t, err, "every task has an inbound transition from the defaults, so there is no start task")
	require.Nil(t, doc)

	doc, err = Parse("x.yaml", []byte("version: '2.0'\nwf:\n  task-defaults:\n    on-error: [h]\n  tasks:\n    a:\n      action: std.noop\n    h:\n      action: std.noop\n"), Options{})
	require.NoError(t, err)
	wf := doc.Workflows[0]
	_, onErr, _ := wf.EffectiveOnClauses(wf.TaskByName["h"])
	require.Empty(t, onErr.Next, "the default transition to h is dropped for h itself")
	require.Equal(t, 0, wf.InboundCount("a"))
	require.Equal(t, 1, wf.InboundCount("h"))
}

func TestParseAdvancedOnClause(t *testing.T) {
	doc := parseFile(t, "valid/advanced_clause.yaml", Options{})
	wf := doc.Workflows[0]
	a := wf.TaskByName["a"].OnSuccess
	require.Equal(t, "<% task().result %>", get(t, a.Publish, "x"))
	require.Equal(t, int64(1), get(t, a.PublishGlobal, "y"))
	require.Equal(t, int64(2), get(t, a.PublishAtomic, "z"))
	require.Len(t, a.Next, 2)
	require.Equal(t, "b", a.Next[0].Target)
	require.Equal(t, "<% $.x > 0 %>", a.Next[0].Guard)
	require.Equal(t, CommandSucceed, a.Next[1].Target)

	b := wf.TaskByName["b"].OnComplete
	require.Equal(t, true, get(t, b.Publish, "done"))
	require.Empty(t, b.Next)

	c := wf.TaskByName["c"].OnError
	require.Equal(t, "b", c.Next[0].Target)
	require.Nil(t, c.Publish)
}

func TestParseReverseWorkflow(t *testing.T) {
	doc := parseFile(t, "valid/reverse.yaml", Options{})
	wf := doc.Workflows[0]
	require.Equal(t, TypeReverse, wf.Type)
	require.Equal(t, []string{"base"}, wf.TaskByName["mid"].Requires)
	require.Equal(t, []string{"mid", "base"}, wf.TaskByName["top"].Requires)
	require.Empty(t, wf.RequiredTasks(wf.TaskByName["base"]), "a task never requires itself through task-defaults")
	require.Equal(t, []string{"base"}, wf.RequiredTasks(wf.TaskByName["mid"]))
}

func TestParseWorkbook(t *testing.T) {
	doc := parseFile(t, "valid/workbook.yaml", Options{})
	require.Equal(t, "my_wb", doc.Name)
	require.Equal(t, "A workbook", doc.Description)
	require.Equal(t, []string{"a"}, doc.Tags)
	require.Len(t, doc.Workflows, 2)
	require.Equal(t, "wf1", doc.Workflows[0].Name)
	require.Equal(t, "greet", doc.Workflows[0].TaskByName["t1"].Action)
	require.Equal(t, "wf-2", doc.Workflows[1].Name)
	require.Equal(t, TypeReverse, doc.Workflows[1].Type)
	require.Len(t, doc.Actions, 1)
	act := doc.Actions[0]
	require.Equal(t, "greet", act.Name)
	require.Equal(t, "std.echo", act.Base)
	require.Equal(t, "Hi <% $.name %>", get(t, act.BaseInline, "output"))
	require.Equal(t, []Param{{Name: "name"}, {Name: "loud", Default: false, HasDefault: true}}, act.Input)
	require.Equal(t, "<% $.upper() %>", act.Output)
	require.Equal(t, "greet:\n  base: std.echo output=\"Hi <% $.name %>\"\n  input:\n    - name\n    - loud: false\n  output: <% $.upper() %>\n", act.Definition,
		"a workbook item's definition is its text cut out of the workbook")
	require.Equal(t, "wf-2:\n  type: reverse\n  tasks:\n    t1:\n      workflow: wf1\n", doc.Workflows[1].Definition)
}

func TestParseActionList(t *testing.T) {
	doc := parseFile(t, "valid/actions.yaml", Options{})
	require.Empty(t, doc.Workflows)
	require.Len(t, doc.Actions, 2)
	a := doc.Actions[0]
	require.Equal(t, "my_echo", a.Name)
	require.Contains(t, a.Definition, "second:", "an action list's actions keep the whole text as definition")
	require.Equal(t, "echoes", a.Description)
	require.Equal(t, []string{"util"}, a.Tags)
	require.Equal(t, "std.echo", a.Base)
	require.Nil(t, a.BaseInline)
	require.Equal(t, "<% $.text %>", get(t, a.BaseInput.(*value.Map), "output"))
	require.Equal(t, "<% $ %>", get(t, a.Output.(*value.Map), "echoed"))
	b := doc.Actions[1]
	require.Equal(t, "std.http", b.Base)
	require.Equal(t, "http://x", get(t, b.BaseInline, "url"))
	require.False(t, b.BaseInline.Has("method"), "Mistral drops unquoted non-JSON inline values")
}

// TestParseYAML11Scalars checks scalars convert as PyYAML reads them.
func TestParseYAML11Scalars(t *testing.T) {
	doc := parseFile(t, "valid/scalars.yaml", Options{})
	vars := doc.Workflows[0].Vars
	big, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	want := map[string]any{
		"b_yes": true, "b_No": false, "b_on": true, "b_off": false, "b_true": true,
		"s_y": "y", "s_n": "n",
		"i_dec": int64(1000), "i_neg": int64(-42), "i_oct": int64(15), "i_hex": int64(31),
		"i_bin": int64(5), "i_sexa": int64(90), "i_big": big,
		"f_plain": 1.5, "f_exp": 1000.0, "s_exp": "1e3", "s_0o": "0o17",
		"n_tilde": nil, "n_null": nil, "n_empty": nil,
		"s_quoted_yes": "yes", "s_quoted_num": "12",
		"s_anchor": "&st SUCCESS", "s_alias": "*st",
		"dup": "last",
	}
	for k, w := range want {
		require.True(t, value.Equal(w, get(t, vars, k)), "%s: got %#v, want %#v", k, get(t, vars, k), w)
		if _, isStr := w.(string); isStr {
			require.IsType(t, "", get(t, vars, k), k)
		}
	}
	f, _ := vars.Get("f_inf")
	require.Less(t, f.(float64), -1e308)
	require.Equal(t, "dup", vars.Keys()[len(vars.Keys())-1], "a repeated key keeps its first place")

	var warnings []string
	for _, w := range doc.Warnings {
		warnings = append(warnings, w.Error())
	}
	require.Equal(t, []string{
		`testdata/valid/scalars.yaml:28:15: YAML anchor or alias read as text: &st is part of the string "&st SUCCESS" (Mistral disables anchors)`,
		`testdata/valid/scalars.yaml:29:14: YAML anchor or alias read as text: *st is the string "*st", not a copy of the anchored value (Mistral disables aliases)`,
		`testdata/valid/scalars.yaml:31:5: duplicate key "dup" (first on line 30): the last one wins and the earlier value is ignored`,
	}, warnings)
}

func TestWarnings(t *testing.T) {
	src := "version: 2.0\nname: wb\nworkflows:\n  wf:\n    tasks:\n      a:\n        publish:\n          x: <% task(b).result %>\n"
	doc, err := Parse("w.yaml", []byte(src), Options{})
	require.NoError(t, err)
	require.Len(t, doc.Warnings, 2)
	require.Equal(t, "w.yaml:1:10: non-canonical version 2.0: write '2.0' (quoted); Mistral does not validate a workbook with any other version, so errors show up only when it runs", doc.Warnings[0].Error())
	require.Equal(t, `w.yaml:8:14: reference to an unknown task: task(b) in workflow "wf" names no task of this workflow; it will be null at run time`, doc.Warnings[1].Error())
}

func TestUnknownWorkflowAttributeIsAWarning(t *testing.T) {
	doc, err := Parse("w.yaml", []byte("version: '2.0'\nwf:\n  typ: reverse\n  tasks:\n    a:\n      action: std.noop\n"), Options{})
	require.NoError(t, err, "Mistral accepts unknown workflow attributes")
	require.Equal(t, TypeDirect, doc.Workflows[0].Type)
	require.Len(t, doc.Warnings, 1)
	require.Equal(t, "w.yaml:3:3: workflow \"wf\": unknown attribute \"typ\" (did you mean \"type\"?) is ignored; known: description, input, output, output-on-error, tags, task-defaults, tasks, type, vars", doc.Warnings[0].Error())
}

func TestPlainScalarsWithYAMLIndicators(t *testing.T) {
	src := "version: '2.0'\nwf:\n  vars:\n    user: @admin # Mistral's loader allows it\n    list:\n      - @x\n    star: *nope\n  tasks:\n    a:\n      action: std.noop\n"
	doc, err := Parse("at.yaml", []byte(src), Options{})
	require.NoError(t, err)
	require.Equal(t, "@admin", get(t, doc.Workflows[0].Vars, "user"))
	require.Equal(t, []any{"@x"}, get(t, doc.Workflows[0].Vars, "list"))
	require.Equal(t, "*nope", get(t, doc.Workflows[0].Vars, "star"), "an alias of no anchor is text too")
}

func TestExplicitTags(t *testing.T) {
	src := "version: '2.0'\nwf:\n  vars:\n    s: !!str 12\n    f: !!float 1\n    i: !!int \"7\"\n  tasks:\n    a:\n      action: std.noop\n"
	doc, err := Parse("tags.yaml", []byte(src), Options{})
	require.NoError(t, err)
	vars := doc.Workflows[0].Vars
	require.Equal(t, "12", get(t, vars, "s"))
	require.Equal(t, 1.0, get(t, vars, "f"))
	require.Equal(t, int64(7), get(t, vars, "i"))

	_, err = Parse("tags.yaml", []byte("version: '2.0'\nwf:\n  vars:\n    x: !custom 1\n  tasks:\n    a:\n      action: std.noop\n"), Options{})
	require.EqualError(t, err, "tags.yaml:4:8: YAML tag !custom is not supported")
}

func TestExpressionNamesAndKindDetection(t *testing.T) {
	src := "version: '2.0'\nwf:\n  tasks:\n    a:\n      action: <% $.action %>\n    b:\n      workflow: <% $.wf %> x=1\n"
	doc, err := Parse("e.yaml", []byte(src), Options{})
	require.NoError(t, err)
	wf := doc.Workflows[0]
	require.Equal(t, "<% $.action %>", wf.TaskByName["a"].Action)
	require.Nil(t, wf.TaskByName["a"].InlineInput)
	require.Equal(t, "<% $.wf %>", wf.TaskByName["b"].Workflow)
	require.Equal(t, int64(1), get(t, wf.TaskByName["b"].InlineInput, "x"))

	doc, err = Parse("a.yaml", []byte("version: '2.0'\nmy_action:\n  base: std.noop\n"), Options{})
	require.NoError(t, err)
	require.Len(t, doc.Actions, 1, "a list whose every entry has base is an action list")
	require.Empty(t, doc.Workflows)

	_, err = Parse("a.yaml", []byte("version: '2.0'\nmy_action:\n  base: std.noop\n"), Options{Kind: KindWorkflows})
	require.ErrorContains(t, err, `workflow "my_action" has no tasks`, "an explicit kind wins over the shape")
}

// Mistral 15 checks a workflow list's version only against its schema (a
// non-empty string or a positive number) and runs the items as 2.0.
func TestListTakesAnyVersion(t *testing.T) {
	doc := parseFile(t, "valid/list_version_1.yaml", Options{})
	require.Len(t, doc.Workflows, 1)
	require.Equal(t, "2.0", doc.Version)
	require.True(t, hasWarning(doc, warnVersion), "a version other than '2.0' is worth a warning")
}
