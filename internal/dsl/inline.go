package dsl

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/bora-workflow/bora/internal/value"
)

// Inline parameters (`std.echo output="hi" n=1`, `fail msg=<% $.x %>`,
// `count=3 delay=1`) are parsed exactly as Mistral's
// BaseSpec._parse_cmd_and_input does, regular expressions included, because
// users depend on its quirks: a value is taken only if it is quoted, an
// expression, a [list], true/false/null or digits; anything else (`n=-1`,
// `x=abc`) is silently dropped.
const word = `[\p{L}\p{N}_]` // Python 3's \w is Unicode-aware

var (
	cmdRe = regexp.MustCompile(`^(` + word[:len(word)-1] + `.]+[^=(\s"]*|<%.*?%>|\{\{.*\}\}|\{%.*%\})`)

	paramRe = regexp.MustCompile(`([-` + word[1:len(word)-1] + `]+)=(` + strings.Join([]string{
		`"[^"]*"\s*`,
		`'[^']*'\s*`,
		`\{\{.*?\}\}`,
		`<%.*?%>`,
		`\[.*\]\s*`,
		`true`, `false`, `null`,
		`\d+`,
	}, "|") + `)`)
)

// parseCommand splits "name k=v ..." into the name and its parameters.
// Without a space the whole string is the name, even if it looks like
// `fail(msg="x")` — Mistral does the same.
func parseCommand(s string) (string, *value.Map, error) {
	if !strings.Contains(s, " ") {
		return s, nil, nil
	}
	cmd := cmdRe.FindString(s)
	if cmd == "" {
		return "", nil, fmt.Errorf("cannot find an action, workflow or task name at the start of %q", s)
	}
	var params *value.Map
	for _, m := range paramRe.FindAllStringSubmatch(s, -1) {
		if params == nil {
			params = value.NewMap(2)
		}
		params.Set(m[1], inlineParamValue(m[2]))
	}
	return cmd, params, nil
}

// inlineParamValue strips quotes, or reads the text as JSON if it is JSON,
// else keeps the text (expressions).
func inlineParamValue(raw string) any {
	v := strings.TrimSpace(raw)
	if v[0] == '"' || v[0] == '\'' {
		return v[1 : len(v)-1]
	}
	if decoded, err := value.DecodeString(v); err == nil {
		return decoded
	}
	return v
}
