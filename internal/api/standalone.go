package api

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bora-workflow/bora/internal/dsl"
)

// A workbook's workflows and actions are stored as definitions of their
// own. Mistral stores the item's lines cut out of the workbook, which do
// not parse alone (no version) and which it never parses again (it keeps
// a parsed spec column). bora keeps one text per definition and the
// engine parses it, so the stored text is the cut text behind a version
// line with the item's key renamed to its full name "<workbook>.<name>":
// it parses alone and holds exactly that one item, named as the engine
// looks it up. The API shows Mistral's text again by undoing both.
const standalonePrefix = "version: '2.0'\n\n"

// standaloneDefinition returns the text to store for the workbook item
// (a workflow or an action, per kind) named short in the workbook and
// full once stored, whose cut text is cut. When the cut text does not
// stand alone (flow style, a quoted key), the item is dumped again from
// the workbook's YAML. (YAML anchors, which would tie an item to text
// outside it, are refused by the parser before this.)
func standaloneDefinition(workbook []byte, kind, short, full, cut string) (string, error) {
	if rest, ok := strings.CutPrefix(cut, short+":"); ok {
		text := standalonePrefix + full + ":" + rest
		if holdsOnly(text, kind, full) {
			return text, nil
		}
	}
	text, err := redumpItem(workbook, kind, short, full)
	if err != nil {
		return "", err
	}
	if !holdsOnly(text, kind, full) {
		return "", fmt.Errorf("the %s %s of the workbook cannot be stored as a definition of its own", itemWord(kind), short)
	}
	return text, nil
}

// mistralDefinition is the `definition` the API shows for a stored
// definition named name: for a workbook's item, the text Mistral shows
// (the cut lines under the short name).
func mistralDefinition(workbookName, name, definition string) string {
	if workbookName == "" {
		return definition
	}
	text, ok := strings.CutPrefix(definition, standalonePrefix)
	if !ok {
		return definition
	}
	short := strings.TrimPrefix(name, workbookName+".")
	if rest, ok := strings.CutPrefix(text, name+":"); ok {
		return short + ":" + rest
	}
	return text
}

func itemWord(kind string) string {
	if kind == dsl.KindActions {
		return "action"
	}
	return "workflow"
}

// holdsOnly reports whether text parses as a document of kind holding
// exactly one item, named name.
func holdsOnly(text, kind, name string) bool {
	doc, err := dsl.Parse("", []byte(text), dsl.Options{Kind: kind})
	if err != nil {
		return false
	}
	if kind == dsl.KindActions {
		return len(doc.Actions) == 1 && doc.Actions[0].Name == name
	}
	return len(doc.Workflows) == 1 && doc.Workflows[0].Name == name
}

// redumpItem dumps the item short of the workbook's section (workflows or
// actions) again as YAML under the key full, behind the version line.
func redumpItem(workbook []byte, kind, short, full string) (string, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(workbook, &root); err != nil || len(root.Content) == 0 {
		return "", fmt.Errorf("re-read workbook: %v", err)
	}
	section := "workflows"
	if kind == dsl.KindActions {
		section = "actions"
	}
	items := mappingValue(root.Content[0], section)
	if items == nil {
		return "", fmt.Errorf("re-read workbook: no %s section", section)
	}
	for i := 0; i+1 < len(items.Content); i += 2 {
		if items.Content[i].Value != short {
			continue
		}
		key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: full}
		doc := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
			key, items.Content[i+1],
		}}
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(doc); err != nil {
			return "", fmt.Errorf("dump %s %s: %w", itemWord(kind), short, err)
		}
		if err := enc.Close(); err != nil {
			return "", fmt.Errorf("dump %s %s: %w", itemWord(kind), short, err)
		}
		return standalonePrefix + buf.String(), nil
	}
	return "", fmt.Errorf("re-read workbook: no %s %s", itemWord(kind), short)
}

// mappingValue is the value of key in mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
