package dsl

import (
	"go.yaml.in/yaml/v3"
)

// Document kinds, i.e. which REST endpoint a document is uploaded to.
const (
	KindWorkbook  = "workbook"  // /v2/workbooks: name, workflows, actions
	KindWorkflows = "workflows" // /v2/workflows: one or more workflows
	KindActions   = "actions"   // /v2/actions: one or more ad-hoc actions
)

// Options tune parsing.
type Options struct {
	// CheckExpression, when set, is called for every string that holds an
	// expression (<% %> / {{ }}) in the places Mistral checks at upload, so
	// syntax errors are reported with a position. The string is passed
	// whole ("Hello <% $.name %>"), as written.
	CheckExpression func(expr string) error
	// Kind says what the document must be (KindWorkbook, KindWorkflows,
	// KindActions), as the endpoint it is uploaded to does. Empty means
	// guess from its shape.
	Kind string
}

// parser holds the state of one Parse call.
type parser struct {
	file     string
	src      []byte
	srcLines []string
	opts     Options
	errs     ErrorList
	warns    ErrorList
	// tagReported remembers scalars whose tag error is already reported.
	tagReported map[*yaml.Node]bool
}

// Parse parses a Mistral v2 document: a workflow list (several workflows
// in one file), a workbook (`name`, `workflows`, `actions`) or an ad-hoc
// action list. On invalid input it returns an *ErrorList holding every
// error found, each with file:line:column and a sentence.
func Parse(file string, src []byte, opts Options) (*Document, error) {
	p := &parser{file: file, src: src, opts: opts}
	doc := p.parseDocument()
	if len(p.errs) > 0 {
		errs := p.errs
		errs.sortByPosition()
		return nil, &errs
	}
	doc.Warnings = p.warns
	doc.Warnings.sortByPosition()
	for _, wf := range doc.Workflows {
		wf.buildIndex()
	}
	return doc, nil
}

func (p *parser) parseDocument() *Document {
	root := p.loadYAML(p.src)
	if len(p.errs) > 0 {
		return nil
	}
	p.checkLoadable(root)
	doc := &Document{Version: "2.0"}
	if root == nil {
		p.errorf(nil, "the document is empty; it needs at least `version: '2.0'` and a workflow, workbook or action")
		return doc
	}
	if !isMapping(root) {
		p.errorf(root, "the document must be a mapping (version, then workflows, a workbook or actions), not %s", describe(p.value(root)))
		return doc
	}
	kind := p.opts.Kind
	if kind == "" {
		kind = detectKind(root)
	}
	p.checkVersion(root, kind)
	p.warnVersionForm(root, kind)
	p.warnYAMLOddities(root)
	switch kind {
	case KindWorkbook:
		p.parseWorkbook(root, doc)
	case KindActions:
		p.parseItemList(root, "action", func(name string, key, val *yaml.Node) {
			if a := p.parseAction(name, key, val); a != nil {
				a.Definition = string(p.src)
				doc.Actions = append(doc.Actions, a)
			}
		})
	case KindWorkflows:
		var keys, vals []*yaml.Node
		p.parseItemList(root, "workflow", func(name string, key, val *yaml.Node) {
			if w := p.parseWorkflow(name, key, val); w != nil {
				doc.Workflows = append(doc.Workflows, w)
				keys, vals = append(keys, key), append(vals, val)
			}
		})
		for i, w := range doc.Workflows {
			if len(doc.Workflows) == 1 {
				w.Definition = string(p.src)
			} else {
				w.Definition = p.redumpDefinition(root, keys[i], vals[i])
			}
		}
	default:
		p.errorf(root, "unknown document kind %q; use %q, %q or %q", kind, KindWorkbook, KindWorkflows, KindActions)
	}
	return doc
}

// detectKind guesses the kind from the shape: a top-level `name` with
// `workflows` or `actions` (or a scalar `name`) is a workbook; a list whose
// every entry has `base` is an action list; otherwise a workflow list.
func detectKind(root *yaml.Node) string {
	name := lookup(root, "name")
	if name != nil && (name.Kind == yaml.ScalarNode || lookup(root, "workflows") != nil || lookup(root, "actions") != nil) {
		return KindWorkbook
	}
	items, actions := 0, 0
	for _, e := range entries(root) {
		if e.Name() == "version" {
			continue
		}
		items++
		if isMapping(e.Val) && lookup(e.Val, "base") != nil {
			actions++
		}
	}
	if items > 0 && items == actions {
		return KindActions
	}
	return KindWorkflows
}

// parseItemList walks a workflow or action list: every key but `version`
// is an item name whose value must be a non-empty mapping.
func (p *parser) parseItemList(root *yaml.Node, what string, each func(name string, key, val *yaml.Node)) {
	count := 0
	for _, e := range entries(root) {
		if e.Name() == "version" {
			continue
		}
		count++
		if !isMapping(e.Val) || len(e.Val.Content) == 0 {
			p.errorf(e.Val, "%s %q must be a non-empty mapping of its attributes, not %s", what, e.Name(), describe(p.value(e.Val)))
			continue
		}
		each(e.Name(), e.Key, e.Val)
	}
	if count == 0 {
		p.errorf(root, "the document defines no %s; add at least one next to `version`", what)
	}
}
