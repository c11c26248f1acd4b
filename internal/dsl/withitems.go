package dsl

import (
	"regexp"
	"strings"

	"github.com/bora-workflow/bora/internal/value"
	"go.yaml.in/yaml/v3"
)

// withItemRe is Mistral's WITH_ITEMS_PTRN: `var in [json list]` or
// `var in <expression>`. Like Python's re.match it anchors only at the
// start, so text after the collection is ignored.
var withItemRe = regexp.MustCompile(`^\s*([-` + word[1:len(word)-1] + `]+)\s*in\s*(\[.+\]|\{\{.*?\}\}|<%.*?%>)`)

// parseWithItems reads `with-items`: one `x in ...` string or a list of them.
func (p *parser) parseWithItems(n *yaml.Node, what string, v any) []WithItem {
	var items []any
	switch t := v.(type) {
	case string:
		if t == "" {
			p.errorf(n, "%s must not be empty", what)
			return nil
		}
		items = []any{t}
	case []any:
		if _, ok := p.checkUniqueStringList(n, what, v); !ok {
			return nil
		}
		items = t
	default:
		p.errorf(n, "%s must be `var in <%% collection %%>` or a list of those, not %s", what, describe(v))
		return nil
	}
	var out []WithItem
	for i, item := range items {
		at := itemNode(n, i)
		s := item.(string)
		m := withItemRe.FindStringSubmatch(s)
		if m == nil {
			p.errorf(at, "%s: %s is not in the form `var in [1, 2]` or `var in <%% $.list %%>`", what, describe(s))
			continue
		}
		p.checkExpr(at, what, m[2])
		var coll any = m[2]
		if strings.HasPrefix(m[2], "[") {
			list, err := value.DecodeString(m[2])
			if err != nil {
				p.errorf(at, "%s: %s is not a valid JSON list: %v", what, m[2], err)
				continue
			}
			coll = list
		}
		out = append(out, WithItem{Var: m[1], Collection: coll})
	}
	return out
}
