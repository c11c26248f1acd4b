package expression

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/bora-workflow/bora/internal/value"
)

// function is one of Mistral's expression functions, written once for every
// language: the YAQL adapter (yaql_functions.go) and the Jinja one
// (jinja_language.go) wrap it in their own calling conventions.
type function struct {
	name   string
	params []param
	call   func(fc *funcCall) (any, error)
}

// param is a function parameter. Names follow yaql's camelCase convention
// for Mistral's Python names (tasks(workflow_execution_id=…) is
// tasks(workflowExecutionId => …) in YAQL).
type param struct {
	name     string
	optional bool
	def      any
	// boolean: only true, false or null are accepted, as yaql infers for
	// a Python parameter whose default is False.
	boolean bool
}

// funcCall is one call of a function: its arguments (one per param,
// defaults filled in) and what it may read of the evaluation.
type funcCall struct {
	ctx  context.Context
	host Host // nil when evaluating outside a workflow
	data any  // the data the expression is evaluated against ($ / _)
	args []any
}

func required(name string) param          { return param{name: name} }
func optional(name string, def any) param { return param{name: name, optional: true, def: def} }
func optionalBool(name string) param {
	return param{name: name, optional: true, def: false, boolean: true}
}

// mistralFunctions are Mistral's std_functions (mistral/expressions).
func mistralFunctions() []function {
	return []function{
		{"env", nil, func(fc *funcCall) (any, error) {
			m, _ := fc.data.(*value.Map)
			v, _ := m.Get("__env")
			return v, nil
		}},
		{"execution", nil, func(fc *funcCall) (any, error) {
			h, err := fc.needHost("execution")
			if err != nil {
				return nil, err
			}
			return h.Execution(fc.ctx)
		}},
		{"task", []param{optional("taskName", nil)}, func(fc *funcCall) (any, error) {
			h, err := fc.needHost("task")
			if err != nil {
				return nil, err
			}
			name, err := optionalString(fc.args[0], "task()", "task_name")
			if err != nil {
				return nil, err
			}
			return h.Task(fc.ctx, name)
		}},
		{"tasks", []param{optional("workflowExecutionId", nil), optionalBool("recursive"), optional("state", nil), optionalBool("flat")}, func(fc *funcCall) (any, error) {
			h, err := fc.needHost("tasks")
			if err != nil {
				return nil, err
			}
			th, ok := h.(TasksHost)
			if !ok {
				return nil, errors.New("tasks(): this workflow host cannot list task executions")
			}
			id, err := optionalString(fc.args[0], "tasks()", "workflow_execution_id")
			if err != nil {
				return nil, err
			}
			state, err := optionalString(fc.args[2], "tasks()", "state")
			if err != nil {
				return nil, err
			}
			return th.Tasks(fc.ctx, id, truthyData(fc.args[1]), state, truthyData(fc.args[3]))
		}},
		{"executions", []param{optional("id", nil), optional("rootExecutionId", nil), optional("state", nil), optional("fromTime", nil), optional("toTime", nil)}, func(fc *funcCall) (any, error) {
			h, err := fc.needHost("executions")
			if err != nil {
				return nil, err
			}
			eh, ok := h.(ExecutionsHost)
			if !ok {
				return nil, errors.New("executions(): this workflow host cannot list workflow executions")
			}
			var f ExecutionsFilter
			for i, dst := range []*string{&f.ID, &f.RootExecutionID, &f.State, &f.FromTime, &f.ToTime} {
				if *dst, err = optionalString(fc.args[i], "executions()", []string{"id", "root_execution_id", "state", "from_time", "to_time"}[i]); err != nil {
					return nil, err
				}
			}
			return eh.Executions(fc.ctx, f)
		}},
		{"global", []param{required("varName")}, func(fc *funcCall) (any, error) {
			h, err := fc.needHost("global")
			if err != nil {
				return nil, err
			}
			gh, ok := h.(GlobalHost)
			if !ok {
				return nil, errors.New("global(): this workflow host does not expose the workflow context")
			}
			name, ok := fc.args[0].(string)
			if !ok {
				return nil, fmt.Errorf("global() takes a variable name, not %s", value.TypeName(fc.args[0]))
			}
			return gh.Global(fc.ctx, name)
		}},
		{"json_dump", []param{required("data")}, func(fc *funcCall) (any, error) { return pythonJSON(fc.args[0], "    ") }},
		{"json_pp", []param{optional("data", nil)}, func(fc *funcCall) (any, error) {
			// Deprecated in Mistral; dumps its argument, or the whole data.
			data := fc.args[0]
			if !truthyData(data) {
				data = fc.data
			}
			s, err := pythonJSON(data, "    ")
			if err != nil {
				return nil, err
			}
			return strings.ReplaceAll(strings.ReplaceAll(s, `\n`, "\n"), " \n", "\n"), nil
		}},
		{"json_parse", []param{required("data")}, func(fc *funcCall) (any, error) {
			s, ok := fc.args[0].(string)
			if !ok {
				return nil, fmt.Errorf("json_parse() takes a string, not %s", value.TypeName(fc.args[0]))
			}
			v, err := value.DecodeString(s)
			if err != nil {
				return nil, fmt.Errorf("json_parse(): %w", err)
			}
			return v, nil
		}},
		{"yaml_dump", []param{required("data")}, func(fc *funcCall) (any, error) { return pythonYAML(fc.args[0]) }},
		{"yaml_parse", []param{required("data")}, func(fc *funcCall) (any, error) {
			s, ok := fc.args[0].(string)
			if !ok {
				return nil, fmt.Errorf("yaml_parse() takes a string, not %s", value.TypeName(fc.args[0]))
			}
			return parseYAML(s)
		}},
		{"uuid", nil, func(*funcCall) (any, error) { return newUUID() }},
	}
}

// needHost returns the host, or an error naming fn when there is none.
func (fc *funcCall) needHost(fn string) (Host, error) {
	if fc.host == nil {
		return nil, fmt.Errorf("%s(): %w", fn, errNoHost)
	}
	return fc.host, nil
}

func truthyData(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	case *value.Map:
		return t.Len() > 0
	case bool:
		return t
	case int64:
		return t != 0
	case float64:
		return t != 0
	}
	return true
}

// errNoHost is returned by task()/execution() when evaluating without a
// running workflow.
var errNoHost = errors.New("no workflow execution is available to this expression")

// newUUID returns a random (version 4) UUID.
func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("uuid(): %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
