package dsl

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// checkVersion checks `version` as Mistral 15 does. A workbook's must be
// 2.0 as a float ('2.0', 2.0, 2, "2"). A workflow or action list's is only
// checked by its JSON schema — any non-empty string or positive number —
// and Mistral then treats every item as version 2.0, so bora does too
// ('1.0' is accepted, with a warning).
func (p *parser) checkVersion(root *yaml.Node, kind string) {
	n := lookup(root, "version")
	if n == nil {
		p.errorf(root, "the document has no version; add `version: '2.0'` at the top")
		return
	}
	v := p.value(n)
	if kind != KindWorkbook && isListVersion(v) {
		return
	}
	if !isVersion2(v) {
		p.errorf(n, "unsupported DSL version %s; only version '2.0' is supported", describe(v))
	}
}

// isListVersion is Mistral's types.VERSION schema: a non-empty string, a
// positive integer or a positive number.
func isListVersion(v any) bool {
	switch t := v.(type) {
	case string:
		return t != ""
	case int64:
		return t > 0
	case float64:
		return t > 0
	}
	return false
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
