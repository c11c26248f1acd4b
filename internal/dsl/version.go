package dsl

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// checkVersion requires `version` to be 2.0: Mistral accepts anything whose
// float value is 2.0 ('2.0', 2.0, 2, "2") and rejects the rest.
func (p *parser) checkVersion(root *yaml.Node) {
	n := lookup(root, "version")
	if n == nil {
		p.errorf(root, "the document has no version; add `version: '2.0'` at the top")
		return
	}
	v := p.value(n)
	if !isVersion2(v) {
		p.errorf(n, "unsupported DSL version %s; only version '2.0' is supported", describe(v))
	}
}

// isVersion2 reports whether float(v) == 2.0 in Python terms.
func isVersion2(v any) bool {
	switch t := v.(type) {
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return err == nil && f == 2
	case int64:
		return t == 2
	case float64:
		return t == 2
	}
	return false
}
