package dsl

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Mistral loads documents with PyYAML, which resolves plain scalars by the
// YAML 1.1 rules: `yes`/`on` are booleans, `010` is octal, `1:30` is 90 and
// `1e3` is a string. yaml.v3 follows YAML 1.2, so we resolve plain scalars
// ourselves with PyYAML's implicit resolvers to get the same values.
var (
	yamlBoolRe  = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	yamlNullRe  = regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)
	yamlIntRe   = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	yamlFloatRe = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
)

// plainScalar converts the text of an untagged plain scalar the way
// PyYAML's SafeLoader does.
func plainScalar(s string) any {
	switch {
	case yamlNullRe.MatchString(s):
		return nil
	case yamlBoolRe.MatchString(s):
		switch s[0] {
		case 'y', 'Y', 't', 'T':
			return true
		case 'o', 'O':
			return s == "on" || s == "On" || s == "ON"
		}
		return false
	case yamlIntRe.MatchString(s):
		return yaml11Int(s)
	case yamlFloatRe.MatchString(s):
		return yaml11Float(s)
	}
	return s
}

// yaml11Int mirrors PyYAML's construct_yaml_int.
func yaml11Int(s string) any {
	s = strings.ReplaceAll(s, "_", "")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := new(big.Int)
	switch {
	case s == "0":
	case strings.HasPrefix(s, "0b"):
		n.SetString(s[2:], 2)
	case strings.HasPrefix(s, "0x"):
		n.SetString(s[2:], 16)
	case strings.HasPrefix(s, "0"):
		n.SetString(s[1:], 8)
	case strings.Contains(s, ":"):
		for _, part := range strings.Split(s, ":") {
			d, _ := strconv.ParseInt(part, 10, 64)
			n.Mul(n, big.NewInt(60))
			n.Add(n, big.NewInt(d))
		}
	default:
		n.SetString(s, 10)
	}
	if neg {
		n.Neg(n)
	}
	if n.IsInt64() {
		return n.Int64()
	}
	return n
}

// yaml11Float mirrors PyYAML's construct_yaml_float.
func yaml11Float(s string) any {
	s = strings.ToLower(strings.ReplaceAll(s, "_", ""))
	sign := 1.0
	if s != "" && (s[0] == '-' || s[0] == '+') {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	switch {
	case s == ".inf":
		return sign * math.Inf(1)
	case s == ".nan":
		return math.NaN()
	case strings.Contains(s, ":"):
		parts := strings.Split(s, ":")
		f := 0.0
		for _, part := range parts {
			d, _ := strconv.ParseFloat(part, 64)
			f = f*60 + d
		}
		return sign * f
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return sign * 0
	}
	return sign * f
}

// taggedScalar handles the explicit standard tags PyYAML's SafeLoader
// knows (`!!str 1`, `!!int "1"`); others are an error there too.
func taggedScalar(n *yaml.Node) (any, error) {
	switch n.Tag {
	case "!!str", "tag:yaml.org,2002:str":
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool", "!!int", "!!float":
		v := plainScalar(n.Value)
		ok := false
		switch v.(type) {
		case bool:
			ok = n.Tag == "!!bool"
		case int64, *big.Int:
			ok = n.Tag == "!!int"
		case float64:
			ok = n.Tag == "!!float"
		}
		if i, isInt := v.(int64); isInt && n.Tag == "!!float" {
			v, ok = float64(i), true
		}
		if !ok {
			return nil, fmt.Errorf("%q is not a valid %s value", n.Value, n.Tag)
		}
		return v, nil
	}
	return nil, fmt.Errorf("YAML tag %s is not supported", n.Tag)
}
