package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/value"
)

// maxAdhocDepth bounds a chain of ad-hoc actions built on each other, so
// a cycle (a built on b built on a) fails instead of looping.
const maxAdhocDepth = 32

// adhocChain resolves an action name to the ad-hoc actions it stands for,
// outermost first; an empty chain means a plain (system) action. Inside a
// workbook the workbook's own actions come first, as for workflows.
func (m *Machine) adhocChain(ctx context.Context, s *Step, name string) ([]*dsl.Action, error) {
	var chain []*dsl.Action
	for depth := 0; ; depth++ {
		if depth == maxAdhocDepth {
			return nil, fmt.Errorf("ad-hoc action %q: its base actions nest deeper than %d (a cycle?)", chain[0].Name, maxAdhocDepth)
		}
		a, err := m.findAdhoc(ctx, s, name)
		if err != nil {
			return nil, err
		}
		if a == nil {
			return chain, nil
		}
		chain = append(chain, a)
		name = a.Base
	}
}

func (m *Machine) findAdhoc(ctx context.Context, s *Step, name string) (*dsl.Action, error) {
	ex := s.Execution
	if i := strings.LastIndex(ex.WorkflowName, "."); i > 0 && !strings.Contains(name, ".") {
		a, err := s.reader.AdHocAction(ctx, ex.WorkflowName[:i]+"."+name, ex.WorkflowNamespace)
		if err != nil || a != nil {
			return a, err
		}
	}
	return s.reader.AdHocAction(ctx, name, ex.WorkflowNamespace)
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
