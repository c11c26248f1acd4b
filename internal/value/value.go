// Package value is the data model every workflow value travels in: the
// input, the context, task results, published variables and outputs.
//
// Mistral is written in Python, so workflows rely on Python's data rules:
// dicts keep insertion order, integers are unbounded and never turn into
// floats, and JSON round trips keep both. Go's encoding/json gives none of
// these by default, so every value in bora is one of:
//
//	nil, bool, string, int64, *big.Int (only when it does not fit int64),
//	float64, []any, *Map
//
// Decode and Encode convert between that model and JSON.
package value

import (
	"math/big"
	"sort"
)

// Map is a dictionary that keeps insertion order, like a Python dict.
// The zero value is not usable; create one with NewMap.
type Map struct {
	keys []string
	vals map[string]any
}

// NewMap returns an empty map with room for n keys.
func NewMap(n int) *Map {
	return &Map{keys: make([]string, 0, n), vals: make(map[string]any, n)}
}

// MapOf builds a map from alternating key, value arguments; handy in tests.
func MapOf(kv ...any) *Map {
	m := NewMap(len(kv) / 2)
	for i := 0; i+1 < len(kv); i += 2 {
		m.Set(kv[i].(string), kv[i+1])
	}
	return m
}

// Len is the number of keys.
func (m *Map) Len() int {
	if m == nil {
		return 0
	}
	return len(m.keys)
}

// Get returns the value stored under key.
func (m *Map) Get(key string) (any, bool) {
	if m == nil {
		return nil, false
	}
	v, ok := m.vals[key]
	return v, ok
}

// Has reports whether key is present.
func (m *Map) Has(key string) bool {
	_, ok := m.Get(key)
	return ok
}

// Set stores v under key; a new key goes last, an existing one keeps its place.
func (m *Map) Set(key string, v any) {
	if _, ok := m.vals[key]; !ok {
		m.keys = append(m.keys, key)
	}
	m.vals[key] = v
}

// Delete removes key, keeping the order of the others.
func (m *Map) Delete(key string) {
	if _, ok := m.vals[key]; !ok {
		return
	}
	delete(m.vals, key)
	for i, k := range m.keys {
		if k == key {
			m.keys = append(m.keys[:i:i], m.keys[i+1:]...)
			break
		}
	}
}

// Keys returns the keys in insertion order. The caller must not modify it.
func (m *Map) Keys() []string {
	if m == nil {
		return nil
	}
	return m.keys
}

// Range calls fn for each entry in order until fn returns false.
func (m *Map) Range(fn func(key string, v any) bool) {
	if m == nil {
		return
	}
	for _, k := range m.keys {
		if !fn(k, m.vals[k]) {
			return
		}
	}
}

// Clone returns a shallow copy.
func (m *Map) Clone() *Map {
	if m == nil {
		return NewMap(0)
	}
	c := NewMap(len(m.keys))
	for _, k := range m.keys {
		c.Set(k, m.vals[k])
	}
	return c
}

// Update copies every entry of other into m (Python's dict.update).
func (m *Map) Update(other *Map) {
	other.Range(func(k string, v any) bool {
		m.Set(k, v)
		return true
	})
}

// SortedKeys returns the keys in byte order, for deterministic output where
// insertion order carries no meaning.
func (m *Map) SortedKeys() []string {
	ks := append([]string(nil), m.Keys()...)
	sort.Strings(ks)
	return ks
}

// DeepCopy copies maps and lists all the way down; scalars are immutable.
func DeepCopy(v any) any {
	switch t := v.(type) {
	case *Map:
		c := NewMap(t.Len())
		t.Range(func(k string, e any) bool {
			c.Set(k, DeepCopy(e))
			return true
		})
		return c
	case []any:
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = DeepCopy(e)
		}
		return c
	default:
		return v
	}
}

// Equal compares two values structurally. Map order is ignored (Python dict
// equality ignores it too); an int equals a float of the same value, as in
// Python.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64, *big.Int, float64:
		return numEqual(a, b)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Map:
		y, ok := b.(*Map)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for _, k := range x.Keys() {
			yv, ok := y.Get(k)
			if !ok || !Equal(x.vals[k], yv) {
				return false
			}
		}
		return true
	}
	return false
}

func numEqual(a, b any) bool {
	switch b.(type) {
	case int64, *big.Int, float64:
	default:
		return false
	}
	fa, aIsFloat := a.(float64)
	fb, bIsFloat := b.(float64)
	if aIsFloat || bIsFloat {
		if !aIsFloat {
			fa = toFloat(a)
		}
		if !bIsFloat {
			fb = toFloat(b)
		}
		return fa == fb
	}
	return toBig(a).Cmp(toBig(b)) == 0
}

func toFloat(v any) float64 {
	switch t := v.(type) {
	case int64:
		return float64(t)
	case *big.Int:
		f, _ := new(big.Float).SetInt(t).Float64()
		return f
	case float64:
		return t
	}
	return 0
}

func toBig(v any) *big.Int {
	switch t := v.(type) {
	case int64:
		return big.NewInt(t)
	case *big.Int:
		return t
	}
	return new(big.Int)
}

// NormalizeInt returns an int64 when b fits, else b itself, so small
// integers always have one representation.
func NormalizeInt(b *big.Int) any {
	if b.IsInt64() {
		return b.Int64()
	}
	return b
}
