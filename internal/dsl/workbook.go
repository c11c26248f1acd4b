package dsl

import (
	"regexp"

	"go.yaml.in/yaml/v3"
)

// workbookAttrs are the keys of a workbook (Mistral's WorkbookSpec).
var workbookAttrs = []string{"version", "name", "description", "tags", "workflows", "actions"}

// workbookItemNameRe is the name rule for workflows and actions inside a
// workbook; `version` is also allowed as a key there (it must be 2.0).
var workbookItemNameRe = regexp.MustCompile(`^[-` + word[1:len(word)-1] + `]+$`)

// parseWorkbook parses a workbook: name, description, tags, workflows, actions.
func (p *parser) parseWorkbook(root *yaml.Node, doc *Document) {
	p.checkKeys(root, "workbook", workbookAttrs, nil)
	if lookup(root, "name") == nil {
		p.errorf(root, "the workbook has no name; add `name: <workbook name>`")
	}
	for _, e := range entries(root) {
		v := p.value(e.Val)
		what := "workbook: " + e.Name()
		switch e.Name() {
		case "name":
			if p.checkNonEmptyString(e.Val, what, v) {
				doc.Name = v.(string)
			}
		case "description":
			if p.checkNonEmptyString(e.Val, what, v) {
				doc.Description = v.(string)
			}
		case "tags":
			doc.Tags, _ = p.checkUniqueStringList(e.Val, what, v)
		case "workflows":
			p.workbookSection(e.Val, what, "workflow", func(name string, key, val *yaml.Node) {
				if w := p.parseWorkflow(name, key, val); w != nil {
					w.Definition = p.cutDefinition(key)
					doc.Workflows = append(doc.Workflows, w)
				}
			})
		case "actions":
			p.workbookSection(e.Val, what, "action", func(name string, key, val *yaml.Node) {
				if a := p.parseAction(name, key, val); a != nil {
					a.Definition = p.cutDefinition(key)
					doc.Actions = append(doc.Actions, a)
				}
			})
		}
	}
}

// workbookSection walks the workflows or actions of a workbook.
func (p *parser) workbookSection(n *yaml.Node, what, item string, each func(name string, key, val *yaml.Node)) {
	if !isMapping(n) || len(n.Content) == 0 {
		p.errorf(n, "%s must be a non-empty mapping of %s names to definitions, not %s", what, item, describe(p.value(n)))
		return
	}
	for _, e := range entries(n) {
		if e.Name() == "version" {
			if !isVersion2(p.value(e.Val)) {
				p.errorf(e.Val, "%s: version must be '2.0', not %s", what, describe(p.value(e.Val)))
			}
			continue
		}
		if !workbookItemNameRe.MatchString(e.Name()) {
			p.errorf(e.Key, "%s: %q is not a valid %s name (letters, digits, _ and - only)", what, e.Name(), item)
			continue
		}
		v := p.value(e.Val)
		if v == nil {
			p.errorf(e.Val, "%s: %s %q has no definition", what, item, e.Name())
			continue
		}
		if !isMapping(e.Val) {
			p.errorf(e.Val, "%s: %s %q must be a mapping of its attributes, not %s", what, item, e.Name(), describe(v))
			continue
		}
		each(e.Name(), e.Key, e.Val)
	}
}
