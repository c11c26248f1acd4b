package yaql

// scope holds variables ($name) and functions defined with def(); lambdas,
// let() and -> create child scopes, so a name resolves to the nearest one.
type scope struct {
	parent *scope
	vars   map[string]any
	funcs  map[string][]*Func
}

func (s *scope) child() *scope { return &scope{parent: s} }

// normalizeVar maps $ to $1: yaql treats them as the same variable.
func normalizeVar(name string) string {
	if name == "" {
		return "1"
	}
	return name
}

func (s *scope) set(name string, v any) {
	if s.vars == nil {
		s.vars = make(map[string]any, 2)
	}
	s.vars[normalizeVar(name)] = v
}

func (s *scope) get(name string) (any, bool) {
	name = normalizeVar(name)
	for c := s; c != nil; c = c.parent {
		if v, ok := c.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

func (s *scope) defineFunc(f *Func) {
	if s.funcs == nil {
		s.funcs = map[string][]*Func{}
	}
	s.funcs[f.Name] = append(s.funcs[f.Name], f)
}

// lookupFuncs returns the overloads of name visible from s (nearest scope
// first), then those of the engine's table.
func (s *scope) lookupFuncs(name string, table map[string][]*Func) []*Func {
	var out []*Func
	for c := s; c != nil; c = c.parent {
		out = append(out, c.funcs[name]...)
	}
	return append(out, table[name]...)
}
