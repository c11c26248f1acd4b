package yaql

// scope holds variables ($name) and functions defined with def(); lambdas,
// let() and -> create child scopes, so a name resolves to the nearest one.
type scope struct {
	parent *scope
	// vars is a short list (a scope binds a handful of names): scanning it
	// is cheaper than allocating a map for every lambda call.
	vars  []binding
	funcs map[string][]*Func
}

type binding struct {
	name string
	v    any
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
	name = normalizeVar(name)
	for i := range s.vars {
		if s.vars[i].name == name {
			s.vars[i].v = v
			return
		}
	}
	s.vars = append(s.vars, binding{name, v})
}

func (s *scope) get(name string) (any, bool) {
	name = normalizeVar(name)
	for c := s; c != nil; c = c.parent {
		for i := range c.vars {
			if c.vars[i].name == name {
				return c.vars[i].v, true
			}
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
