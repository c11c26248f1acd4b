package jinja

import (
	"fmt"
	"math/big"
	"reflect"
	"sort"

	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/bora-workflow/bora/internal/value"
)

// toGonja converts a bora value into what gonja evaluates. Maps become
// gonja's ordered *exec.Dict (Go maps would lose Mistral's insertion order);
// int64 becomes int, gonja's integer type, so its arithmetic stays integral.
func toGonja(v any) any {
	switch t := v.(type) {
	case *value.Map:
		d := &exec.Dict{Pairs: make([]*exec.Pair, 0, t.Len())}
		t.Range(func(k string, item any) bool {
			d.Pairs = append(d.Pairs, &exec.Pair{Key: exec.AsValue(k), Value: exec.AsValue(toGonja(item))})
			return true
		})
		return d
	case []any:
		out := make([]any, len(t))
		for i, item := range t {
			out[i] = toGonja(item)
		}
		return out
	case int64:
		return int(t)
	case *big.Int:
		// gonja has no big integers; such values are beyond Jinja workflows
		// in practice, so they degrade to the nearest float.
		f, _ := new(big.Float).SetInt(t).Float64()
		return f
	}
	return v
}

// fromGonja converts a gonja result back into bora's value model.
func fromGonja(v any) (any, error) {
	return fromReflect(reflect.ValueOf(v), 0)
}

// maxDepth bounds conversion of self-referencing values.
const maxDepth = 200

func fromReflect(rv reflect.Value, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("value nested deeper than %d levels", maxDepth)
	}
	for rv.IsValid() && rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil, nil
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil, nil
	}
	if rv.CanInterface() {
		switch t := rv.Interface().(type) {
		case *exec.Value:
			if t == nil {
				return nil, nil
			}
			return fromReflect(t.Val, depth+1)
		case reflect.Value:
			return fromReflect(t, depth+1)
		case *exec.Dict:
			if t == nil {
				return nil, nil
			}
			return dictFromGonja(t, depth)
		case exec.Dict:
			return dictFromGonja(&t, depth)
		case *exec.Pair:
			// dict.items() yields pairs; Python gives 2-tuples, emitted as lists.
			k, err := fromReflect(reflect.ValueOf(t.Key), depth+1)
			if err != nil {
				return nil, err
			}
			val, err := fromReflect(reflect.ValueOf(t.Value), depth+1)
			if err != nil {
				return nil, err
			}
			return []any{k, val}, nil
		case *value.Map, *big.Int:
			return t, nil
		case error:
			return nil, t
		}
	}
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		return fromReflect(rv.Elem(), depth+1)
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > 1<<63-1 {
			return new(big.Int).SetUint64(u), nil
		}
		return int64(u), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			item, err := fromReflect(rv.Index(i), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = item
		}
		return out, nil
	case reflect.Map:
		// Maps gonja builds itself (dict methods) have no order; sort the
		// keys so results are at least deterministic.
		keys := rv.MapKeys()
		type kv struct {
			key string
			val reflect.Value
		}
		pairs := make([]kv, len(keys))
		for i, k := range keys {
			ks, err := fromReflect(k, depth+1)
			if err != nil {
				return nil, err
			}
			pairs[i] = kv{value.PyStr(ks), rv.MapIndex(k)}
		}
		sort.Slice(pairs, func(i, j int) bool { return pairs[i].key < pairs[j].key })
		m := value.NewMap(len(pairs))
		for _, p := range pairs {
			item, err := fromReflect(p.val, depth+1)
			if err != nil {
				return nil, err
			}
			m.Set(p.key, item)
		}
		return m, nil
	case reflect.Func:
		return nil, fmt.Errorf("a function is not a value (call it)")
	}
	return nil, fmt.Errorf("cannot convert a %s to a workflow value", rv.Type())
}

func dictFromGonja(d *exec.Dict, depth int) (any, error) {
	m := value.NewMap(len(d.Pairs))
	for _, p := range d.Pairs {
		k, err := fromReflect(reflect.ValueOf(p.Key), depth+1)
		if err != nil {
			return nil, err
		}
		ks, ok := k.(string)
		if !ok {
			// JSON (and so bora's value model) only has string keys; Python
			// would keep 1 as a key, json.dumps would write "1".
			ks = value.PyStr(k)
		}
		item, err := fromReflect(reflect.ValueOf(p.Value), depth+1)
		if err != nil {
			return nil, err
		}
		m.Set(ks, item)
	}
	return m, nil
}
