package expression

import (
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/bora-workflow/bora/internal/expression/yaql"
	"github.com/bora-workflow/bora/internal/value"
	yaml "go.yaml.in/yaml/v3"
)

// pythonYAML renders v like PyYAML's safe_dump(v, default_flow_style=False):
// block style, keys sorted, list items at their parent's indentation,
// strings plain when unambiguous and single-quoted otherwise.
func pythonYAML(v any) (string, error) {
	var b strings.Builder
	switch t := v.(type) {
	case *value.Map:
		if t.Len() == 0 {
			return "{}\n", nil
		}
		if err := yamlMap(&b, t, 0); err != nil {
			return "", err
		}
	case []any:
		if len(t) == 0 {
			return "[]\n", nil
		}
		if err := yamlList(&b, t, 0); err != nil {
			return "", err
		}
	default:
		s, err := yamlScalar(v)
		if err != nil {
			return "", err
		}
		b.WriteString(s + "\n")
		if !strings.HasPrefix(s, "'") && !strings.HasPrefix(s, `"`) {
			b.WriteString("...\n") // PyYAML ends a plain scalar document explicitly
		}
	}
	return b.String(), nil
}

func yamlMap(b *strings.Builder, m *value.Map, indent int) error {
	for _, k := range m.SortedKeys() {
		v, _ := m.Get(k)
		ks, err := yamlScalar(k)
		if err != nil {
			return err
		}
		b.WriteString(strings.Repeat(" ", indent) + ks + ":")
		if err := yamlValue(b, v, indent, true); err != nil {
			return err
		}
	}
	return nil
}

func yamlList(b *strings.Builder, l []any, indent int) error {
	for _, v := range l {
		b.WriteString(strings.Repeat(" ", indent) + "-")
		if err := yamlValue(b, v, indent, false); err != nil {
			return err
		}
	}
	return nil
}

// yamlValue writes v after "key:" or "-".
func yamlValue(b *strings.Builder, v any, indent int, inMap bool) error {
	switch t := v.(type) {
	case *value.Map:
		if t.Len() == 0 {
			b.WriteString(" {}\n")
			return nil
		}
		if !inMap {
			// PyYAML puts the first key on the dash line.
			var inner strings.Builder
			if err := yamlMap(&inner, t, indent+2); err != nil {
				return err
			}
			b.WriteString(" " + strings.TrimLeft(inner.String(), " "))
			return nil
		}
		b.WriteString("\n")
		return yamlMap(b, t, indent+2)
	case []any:
		if len(t) == 0 {
			b.WriteString(" []\n")
			return nil
		}
		if !inMap {
			var inner strings.Builder
			if err := yamlList(&inner, t, indent+2); err != nil {
				return err
			}
			b.WriteString(" " + strings.TrimLeft(inner.String(), " "))
			return nil
		}
		b.WriteString("\n")
		return yamlList(b, t, indent)
	}
	s, err := yamlScalar(v)
	if err != nil {
		return err
	}
	b.WriteString(" " + s + "\n")
	return nil
}

// PyYAML's implicit resolvers (YAML 1.1): a plain scalar matching one of
// these would read back as something other than a string, so it is quoted.
var yamlImplicit = regexp.MustCompile(`^(?:` +
	`yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF` +
	`|[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?` +
	`|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)` +
	`|[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+` +
	`|<<|~|null|Null|NULL|=` +
	`|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)?` +
	`)$`)

// yamlPlainOK is PyYAML's analyze_scalar verdict for block context.
func yamlPlainOK(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' || strings.ContainsAny(s, "\n\r\t") {
		return false
	}
	if strings.ContainsRune("#,[]{}&*!|>'\"%@`", rune(s[0])) {
		return false
	}
	if strings.ContainsRune("-?:", rune(s[0])) && (len(s) == 1 || s[1] == ' ') {
		return false
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return false
	}
	return !yamlImplicit.MatchString(s)
}

// yamlNeedsDouble reports characters PyYAML (allow_unicode=False) only
// writes escaped, in double quotes.
func yamlNeedsDouble(s string) bool {
	for _, r := range s {
		if r > 0x7e || (r < 0x20 && r != '\n') {
			return true
		}
	}
	return strings.Contains(s, "\n")
}

func yamlDoubleQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || (r > 0x7e && r < 0x100):
			fmt.Fprintf(&b, `\x%02X`, r)
		case r > 0xff && r < 0x10000:
			fmt.Fprintf(&b, `\u%04X`, r)
		case r >= 0x10000:
			fmt.Fprintf(&b, `\U%08X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func yamlScalar(v any) (string, error) {
	switch t := v.(type) {
	case nil:
		return "null", nil
	case bool:
		return strconv.FormatBool(t), nil
	case int64:
		return strconv.FormatInt(t, 10), nil
	case *big.Int:
		return t.String(), nil
	case float64:
		s := value.FormatFloat(t)
		switch s {
		case "NaN":
			return ".nan", nil
		case "Infinity":
			return ".inf", nil
		case "-Infinity":
			return "-.inf", nil
		}
		return s, nil
	case string:
		switch {
		case yamlNeedsDouble(t):
			return yamlDoubleQuote(t), nil
		case yamlPlainOK(t):
			return t, nil
		}
		return "'" + strings.ReplaceAll(t, "'", "''") + "'", nil
	}
	return "", fmt.Errorf("yaml_dump(): cannot represent %s", value.TypeName(v))
}

// parseYAML is yaml_parse(): YAML to the value model, mapping order kept.
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

func optionalString(v any, fn, param string) (string, error) {
	switch t := v.(type) {
	case nil:
		return "", nil
	case string:
		return t, nil
	}
	return "", fmt.Errorf("%s: %s must be a string, not %s", fn, param, value.TypeName(v))
}
