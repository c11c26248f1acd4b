package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/workflow"
)

// JSON text in a field that json.loads refuses is answered as Mistral 15
// answers it: the resource, the whole body, and Python's reason with its
// position. The faultstrings are Mistral's own, recorded from a running
// Mistral 15 with the same bodies.
func TestJSONTextErrorsInMistralWords(t *testing.T) {
	api := newTestAPI(t)
	ex := storetest.Execution(t, api.store, nil)
	task := storetest.Task(t, api.store, ex, func(tk *workflow.Task) { tk.State = workflow.StateError })
	act := storetest.ActionExecution(t, api.store, task, nil)
	tests := []struct {
		method, path, body, want string
	}{
		{"POST", "/v2/executions", `{"workflow_name":"wf","input":"{bad"}`,
			`Invalid input for field/attribute wf_ex. Value: '{'workflow_name': 'wf', 'input': '{bad'}'. Expecting property name enclosed in double quotes: line 1 column 2 (char 1)`},
		{"POST", "/v2/executions", `{"workflow_name":"wf","params":"{bad"}`,
			`Invalid input for field/attribute wf_ex. Value: '{'workflow_name': 'wf', 'params': '{bad'}'. Expecting property name enclosed in double quotes: line 1 column 2 (char 1)`},
		{"POST", "/v2/executions", `{"workflow_name":"wf","input":"{\"a\":1}","params":"[1,"}`,
			`Invalid input for field/attribute wf_ex. Value: '{'workflow_name': 'wf', 'input': '{"a":1}', 'params': '[1,'}'. Expecting value: line 1 column 4 (char 3)`},
		{"PUT", "/v2/executions/" + ex.ID, `{"params":"{bad"}`,
			`Invalid input for field/attribute wf_ex. Value: '{'params': '{bad'}'. Expecting property name enclosed in double quotes: line 1 column 2 (char 1)`},
		{"POST", "/v2/environments", `{"name":"e1","variables":"{bad"}`,
			`Invalid input for field/attribute env. Value: '{'name': 'e1', 'variables': '{bad'}'. Expecting property name enclosed in double quotes: line 1 column 2 (char 1)`},
		{"PUT", "/v2/environments", `{"name":"e1","variables":"{bad"}`,
			`Invalid input for field/attribute env. Value: '{'name': 'e1', 'variables': '{bad'}'. Expecting property name enclosed in double quotes: line 1 column 2 (char 1)`},
		{"POST", "/v2/cron_triggers", `{"name":"c","workflow_name":"wf","pattern":"* * * * *","workflow_input":"{bad"}`,
			`Invalid input for field/attribute cron_trigger. Value: '{'name': 'c', 'workflow_name': 'wf', 'pattern': '* * * * *', 'workflow_input': '{bad'}'. Expecting property name enclosed in double quotes: line 1 column 2 (char 1)`},
		{"POST", "/v2/cron_triggers", `{"name":"c","workflow_name":"wf","pattern":"* * * * *","workflow_params":"{bad"}`,
			`Invalid input for field/attribute cron_trigger. Value: '{'name': 'c', 'workflow_name': 'wf', 'pattern': '* * * * *', 'workflow_params': '{bad'}'. Expecting property name enclosed in double quotes: line 1 column 2 (char 1)`},
		{"POST", "/v2/action_executions", `{"name":"std.echo","input":"{bad"}`,
			`Invalid input for field/attribute action_ex. Value: '{'name': 'std.echo', 'input': '{bad'}'. Expecting property name enclosed in double quotes: line 1 column 2 (char 1)`},
		{"POST", "/v2/action_executions", `{"name":"std.echo","input":"{\"output\":1}","params":"{bad"}`,
			`Invalid input for field/attribute action_ex. Value: '{'name': 'std.echo', 'input': '{"output":1}', 'params': '{bad'}'. Expecting property name enclosed in double quotes: line 1 column 2 (char 1)`},
		{"PUT", "/v2/tasks/" + task.ID, `{"state":"RUNNING","reset":true,"env":"{bad"}`,
			`Invalid input for field/attribute task. Value: '{'state': 'RUNNING', 'reset': True, 'env': '{bad'}'. Expecting property name enclosed in double quotes: line 1 column 2 (char 1)`},
		{"PUT", "/v2/action_executions/" + act.ID, `{"state":"SUCCESS","output":"not json"}`,
			`Invalid input for field/attribute action_ex. Value: '{'state': 'SUCCESS', 'output': 'not json'}'. Expecting value: line 1 column 1 (char 0)`},
		{"PUT", "/v2/action_executions/" + act.ID, `{"state":"SUCCESS","output":"{\"a\":1,}"}`,
			`Invalid input for field/attribute action_ex. Value: '{'state': 'SUCCESS', 'output': '{"a":1,}'}'. Expecting property name enclosed in double quotes: line 1 column 8 (char 7)`},
		{"PUT", "/v2/action_executions/" + act.ID, `{"state":"SUCCESS","output":"{'a':1}"}`,
			`Invalid input for field/attribute action_ex. Value: '{'state': 'SUCCESS', 'output': "{'a':1}"}'. Expecting property name enclosed in double quotes: line 1 column 2 (char 1)`},
		{"PUT", "/v2/action_executions/" + act.ID, `{"state":"SUCCESS","output":"\"a\\x\""}`,
			`Invalid input for field/attribute action_ex. Value: '{'state': 'SUCCESS', 'output': '"a\\x"'}'. Invalid \escape: line 1 column 3 (char 2)`},
		{"PUT", "/v2/action_executions/" + act.ID, `{"state":"SUCCESS","output":"\"\\u12\""}`,
			`Invalid input for field/attribute action_ex. Value: '{'state': 'SUCCESS', 'output': '"\\u12"'}'. Invalid \uXXXX escape: line 1 column 3 (char 2)`},
		{"PUT", "/v2/action_executions/" + act.ID, `{"state":"SUCCESS","output":"[1 2]"}`,
			`Invalid input for field/attribute action_ex. Value: '{'state': 'SUCCESS', 'output': '[1 2]'}'. Expecting ',' delimiter: line 1 column 4 (char 3)`},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path+" "+tc.body, func(t *testing.T) {
			msg := requireFault(t, api.do(tc.method, tc.path, "application/json", tc.body), http.StatusBadRequest)
			require.Equal(t, tc.want, msg)
		})
	}
}

// Text Python decodes but bora's value model cannot hold (NaN, Infinity,
// floats beyond float64) is still refused, with Go's reason: Mistral would
// have taken the value, so no Python sentence would be true.
func TestJSONTextPythonAcceptsKeepsGoReason(t *testing.T) {
	api := newTestAPI(t)
	msg := requireFault(t, api.do("POST", "/v2/executions", "application/json", `{"workflow_name":"wf","input":"{\"a\": NaN}"}`), http.StatusBadRequest)
	require.Contains(t, msg, `Invalid input for field/attribute wf_ex. Value: '{'workflow_name': 'wf', 'input': '{"a": NaN}'}'. decode JSON: `)
}
