package expression

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/bora-workflow/bora/internal/expression/yaql"
	"github.com/bora-workflow/bora/internal/value"
	yaml "go.yaml.in/yaml/v3"
)

// mistralYAQLFunctions are Mistral's own functions, registered as plain
// functions (task(x) works, 'x'.task() does not), as Mistral registers them.
func mistralYAQLFunctions() []*yaql.Func {
	tAny := yaql.TAny
	fn := func(name string, impl func(c *yaql.Call) (any, error), params ...yaql.Param) *yaql.Func {
		return &yaql.Func{Name: name, Kind: yaql.Function, Params: params, Impl: impl}
	}
	return []*yaql.Func{
		fn("env", func(c *yaql.Call) (any, error) {
			v, _ := c.Var("__env")
			return v, nil
		}),
		fn("execution", func(c *yaql.Call) (any, error) {
			h, err := hostOf(c, "execution")
			if err != nil {
				return nil, err
			}
			return h.Execution(c.Context())
		}),
		fn("task", func(c *yaql.Call) (any, error) {
			h, err := hostOf(c, "task")
			if err != nil {
				return nil, err
			}
			name := ""
			switch t := c.Args[0].(type) {
			case nil:
			case string:
				name = t
			default:
				return nil, fmt.Errorf("task() takes a task name, not %s", value.TypeName(t))
			}
			return h.Task(c.Context(), name)
		}, yaql.Opt("name", tAny, nil)),
		fn("json_dump", func(c *yaql.Call) (any, error) { return pythonJSON(c.Args[0], "    ") }, yaql.P("data", tAny)),
		fn("json_pp", func(c *yaql.Call) (any, error) {
			data := c.Args[0]
			if !truthyData(data) {
				data, _ = c.Var("")
			}
			s, err := pythonJSON(data, "    ")
			if err != nil {
				return nil, err
			}
			return strings.ReplaceAll(strings.ReplaceAll(s, `\n`, "\n"), " \n", "\n"), nil
		}, yaql.Opt("data", tAny, nil)),
		fn("json_parse", func(c *yaql.Call) (any, error) {
			s, ok := c.Args[0].(string)
			if !ok {
				return nil, fmt.Errorf("json_parse() takes a string, not %s", value.TypeName(c.Args[0]))
			}
			return value.DecodeString(s)
		}, yaql.P("data", tAny)),
		fn("yaml_dump", func(c *yaql.Call) (any, error) { return pythonYAML(c.Args[0]) }, yaql.P("data", tAny)),
		fn("yaml_parse", func(c *yaql.Call) (any, error) {
			s, ok := c.Args[0].(string)
			if !ok {
				return nil, fmt.Errorf("yaml_parse() takes a string, not %s", value.TypeName(c.Args[0]))
			}
			return parseYAML(s)
		}, yaql.P("data", tAny)),
		fn("uuid", func(*yaql.Call) (any, error) { return newUUID() }),
	}
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

func hostOf(c *yaql.Call, fn string) (Host, error) {
	h, _ := c.User().(Host)
	if h == nil {
		return nil, fmt.Errorf("%s(): %w", fn, errNoHost)
	}
	return h, nil
}

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

func parseYAML(s string) (any, error) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil {
		return nil, fmt.Errorf("yaml_parse(): %w", err)
	}
	if n.Kind == 0 {
		return nil, nil
	}
	return yamlNodeValue(&n)
}

// yamlNodeValue converts a YAML node tree into the value model, keeping
// mapping order.
func yamlNodeValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return yamlNodeValue(n.Content[0])
	case yaml.AliasNode:
		return yamlNodeValue(n.Alias)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := yamlNodeValue(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		m := value.NewMap(len(n.Content) / 2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, err := yamlNodeValue(n.Content[i])
			if err != nil {
				return nil, err
			}
			v, err := yamlNodeValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			key, ok := k.(string)
			if !ok {
				key = yaql.PyStr(k)
				if k == nil {
					key = "null"
				}
			}
			m.Set(key, v)
		}
		return m, nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("yaml_parse(): %w", err)
		}
		switch t := v.(type) {
		case int:
			return int64(t), nil
		case uint64:
			return value.ParseNumber(fmt.Sprint(t))
		case float64, bool, string, nil:
			return t, nil
		}
		return value.FromGo(v), nil
	}
	return nil, fmt.Errorf("yaml_parse(): unsupported YAML node")
}
