package dsl

import (
	"regexp"

	"github.com/bora-workflow/bora/internal/value"
	"go.yaml.in/yaml/v3"
)

// Where an expression may appear, Mistral checks its syntax at upload
// (BaseSpec.validate_expr): a string, the items of a list, or the values of
// a mapping — one level deep, not nested. We check the same places to the
// same depth, so a document valid there is valid here.
var (
	hasYAQLRe  = regexp.MustCompile(`<%.*?%>`)
	hasJinjaRe = regexp.MustCompile(`\{\{.*?\}\}|\{%.*?%\}`)
)

// holdsExpression reports whether s contains a YAQL or Jinja expression.
func holdsExpression(s string) bool {
	return hasYAQLRe.MatchString(s) || hasJinjaRe.MatchString(s)
}

// checkExprs checks the expressions in v (a string, or the strings directly
// inside a list or mapping). n is where to report.
func (p *parser) checkExprs(n *yaml.Node, what string, v any) {
	switch t := v.(type) {
	case string:
		p.checkExpr(n, what, t)
	case []any:
		for i, item := range t {
			if s, ok := item.(string); ok {
				p.checkExpr(itemNode(n, i), what, s)
			}
		}
	case *value.Map:
		t.Range(func(k string, item any) bool {
			if s, ok := item.(string); ok {
				p.checkExpr(valueNodeOf(n, k), what+"."+k, s)
			}
			return true
		})
	}
}

// checkExpr checks one string: YAQL and Jinja may not be mixed in one
// string, and the expression syntax is checked by Options.CheckExpression.
func (p *parser) checkExpr(n *yaml.Node, what, s string) {
	yaql, jinja := hasYAQLRe.MatchString(s), hasJinjaRe.MatchString(s)
	if !yaql && !jinja {
		return
	}
	if yaql && jinja {
		p.errorf(n, "%s mixes YAQL (<%% %%>) and Jinja ({{ }}) in one string, which is not allowed: %s", what, describe(s))
		return
	}
	if p.opts.CheckExpression == nil {
		return
	}
	if err := p.opts.CheckExpression(s); err != nil {
		p.errorf(n, "%s has an invalid expression %s: %v", what, describe(s), err)
	}
}

// valueNodeOf returns the value node under key in mapping n, or n itself,
// so an error points at the value when we still have its node.
func valueNodeOf(n *yaml.Node, key string) *yaml.Node {
	if v := lookup(n, key); v != nil {
		return v
	}
	return n
}
