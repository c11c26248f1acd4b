package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/value"
)

// UnknownActionError is a Reader's answer to CheckAction for a name no
// action has; its text is Mistral's.
type UnknownActionError struct {
	Name, Namespace string
}

func (e *UnknownActionError) Error() string {
	return fmt.Sprintf("Failed to find action [action_name=%s, namespace=%s]", e.Name, e.Namespace)
}

// maxAdhocDepth bounds a chain of ad-hoc actions built on each other, so
// a cycle (a built on b built on a) fails instead of looping.
const maxAdhocDepth = 32

// adhocChain resolves an action name to the ad-hoc actions it stands for,
// outermost first, and the full name the outermost was found under; an
// empty chain means a plain (system) action. Inside a workbook the task's
// action name finds the workbook's own actions first, as for workflows;
// a `base:` name does not: Mistral looks bases up by the name as written
// (a workbook's actions are registered as wb.name), so `base: x` inside a
// workbook means the global action x, never the workbook's own x.
func (m *Machine) adhocChain(ctx context.Context, s *Step, name string) ([]*dsl.Action, string, error) {
	first, full, err := m.findAdhoc(ctx, s, name)
	if err != nil || first == nil {
		return nil, "", err
	}
	chain := []*dsl.Action{first}
	for depth := 1; ; depth++ {
		if depth == maxAdhocDepth {
			return nil, "", fmt.Errorf("ad-hoc action %q: its base actions nest deeper than %d (a cycle?)", full, maxAdhocDepth)
		}
		a, err := s.reader.AdHocAction(ctx, chain[len(chain)-1].Base, s.Execution.WorkflowNamespace)
		if err != nil {
			return nil, "", err
		}
		if a == nil {
			return chain, full, nil
		}
		chain = append(chain, a)
	}
}

// findAdhoc looks a task's action name up: the workbook's own action
// first, then the name as written. It returns the name it found.
func (m *Machine) findAdhoc(ctx context.Context, s *Step, name string) (*dsl.Action, string, error) {
	ex := s.Execution
	if i := strings.LastIndex(ex.WorkflowName, "."); i > 0 && !strings.Contains(name, ".") {
		local := ex.WorkflowName[:i] + "." + name
		a, err := s.reader.AdHocAction(ctx, local, ex.WorkflowNamespace)
		if err != nil || a != nil {
			return a, local, err
		}
	}
	a, err := s.reader.AdHocAction(ctx, name, ex.WorkflowNamespace)
	return a, name, err
}

// storedPrefix starts the text a workbook's action is stored under: the
// lines cut out of the workbook behind a version line, the key renamed to
// the full name, so the text parses alone (see internal/api).
const storedPrefix = "version: '2.0'\n\n"

// mistralActionText is the definition Mistral's messages show for an
// ad-hoc action found as full when the task named it called: for a
// workbook's action the lines cut out of the workbook under its short
// name; any other text as stored.
func mistralActionText(definition, full, called string) string {
	rest, ok := strings.CutPrefix(definition, storedPrefix+full+":")
	if !ok {
		return definition
	}
	short := called
	if called == full {
		short = full[strings.LastIndex(full, ".")+1:]
	}
	return short + ":" + rest
}

// expandAdhoc computes the base action's input through the chain: each
// ad-hoc action fills its declared defaults, then evaluates its
// base-input over that input (and the task's data), as Mistral does.
func (m *Machine) expandAdhoc(ctx context.Context, chain []*dsl.Action, input *value.Map, view *value.Map, h host) (string, *value.Map, error) {
	for _, a := range chain {
		in := input.Clone()
		for _, p := range a.Input {
			if p.HasDefault && !in.Has(p.Name) {
				in.Set(p.Name, value.DeepCopy(p.Default))
			}
		}
		data := view.Clone()
		data.Update(in)
		next := value.NewMap(0)
		if a.BaseInput != nil {
			v, err := m.eval.Evaluate(ctx, a.BaseInput, data, h)
			if err != nil {
				return "", nil, fmt.Errorf("Failed to evaluate base-input of ad-hoc action %q: %v", a.Name, err)
			}
			d, ok := v.(*value.Map)
			if !ok {
				return "", nil, fmt.Errorf("base-input of ad-hoc action %q must be a dict, got %s", a.Name, value.TypeName(v))
			}
			next = d
		}
		if a.BaseInline.Len() > 0 {
			v, err := m.eval.Evaluate(ctx, a.BaseInline, data, h)
			if err != nil {
				return "", nil, fmt.Errorf("Failed to evaluate the base parameters of ad-hoc action %q: %v", a.Name, err)
			}
			next = value.MergeDicts(next, v.(*value.Map))
		}
		input = next
	}
	return chain[len(chain)-1].Base, input, nil
}

// adhocOutput applies the output transforms of the chain to the base
// action's result, innermost first.
func (m *Machine) adhocOutput(ctx context.Context, chain []*dsl.Action, result any) (any, error) {
	for i := len(chain) - 1; i >= 0; i-- {
		a := chain[i]
		if a.Output == nil {
			continue
		}
		v, err := m.eval.Evaluate(ctx, a.Output, result, nil)
		if err != nil {
			return nil, fmt.Errorf("Failed to evaluate the output of ad-hoc action %q: %v", a.Name, err)
		}
		result = v
	}
	return result, nil
}

// checkAdhocInput refuses an input the ad-hoc action does not declare, as
// Mistral does when it instantiates the action.
func checkAdhocInput(a *dsl.Action, input *value.Map) error {
	declared := make(map[string]bool, len(a.Input))
	var missing, unexpected []any
	for _, p := range a.Input {
		declared[p.Name] = true
		if _, given := input.Get(p.Name); !given && !p.HasDefault {
			missing = append(missing, p.Name)
		}
	}
	for _, k := range input.Keys() {
		if !declared[k] {
			unexpected = append(unexpected, k)
		}
	}
	if len(missing) == 0 && len(unexpected) == 0 {
		return nil
	}
	msg := fmt.Sprintf("Invalid input [name=%s, class=mistral.actions.adhoc.AdHocAction", a.Name)
	if len(missing) > 0 {
		msg += ", missing=" + value.PyStr(missing)
	}
	if len(unexpected) > 0 {
		msg += ", unexpected=" + value.PyStr(unexpected)
	}
	return errors.New(msg + "]")
}
