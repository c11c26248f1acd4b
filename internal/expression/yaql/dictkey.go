package yaql

import (
	"math"
	"math/big"
	"strings"

	"github.com/bora-workflow/bora/internal/value"
)

// yaql dicts may have non-string keys ({1 => 'a'}); value.Map keys are
// strings, so such keys are stored JSON-encoded behind a NUL marker that no
// real string key starts with, and decoded when keys are read back.
const foreignKeyMarker = "\x00"

// dictKey converts a yaql key to a value.Map key.
func dictKey(k any) (string, error) {
	if s, ok := k.(string); ok && !strings.HasPrefix(s, foreignKeyMarker) {
		return s, nil
	}
	switch k.(type) {
	case *Set:
		// Sets are frozensets in yaql, so they can be keys; such keys are
		// only ever looked up, never read back, so the hash key will do.
		return foreignKeyMarker + "set" + hashKey(k), nil
	case *Seq, *Lambda, *Regex, *contextValue:
		return "", errf(KindType, "unhashable type: '%s'", typeName(k))
	}
	b, err := value.Encode(k)
	if err != nil {
		return "", errf(KindType, "unhashable type: '%s'", typeName(k))
	}
	return foreignKeyMarker + string(b), nil
}

// keyValue converts a value.Map key back to the yaql key.
func keyValue(k string) any {
	if !strings.HasPrefix(k, foreignKeyMarker) {
		return k
	}
	if s, ok := k[1:], true; ok && len(s) > 0 && s[0] == '"' {
		v, err := value.DecodeString(s)
		if err == nil {
			return v
		}
	}
	v, err := value.DecodeString(k[1:])
	if err != nil {
		return k
	}
	return v
}

// outputKey renders a key for the value model the way Python's json.dumps
// renders non-string dict keys (1 → "1", true → "true", null → "null").
// Tuple and set keys fail, as they do in Mistral's output conversion (which
// turns them into unhashable lists).
func outputKey(k string) (string, error) {
	if !strings.HasPrefix(k, foreignKeyMarker) {
		return k, nil
	}
	switch v := keyValue(k).(type) {
	case string:
		if strings.HasPrefix(v, foreignKeyMarker) { // a set key
			return "", errf(KindType, "unhashable type: 'set' (a dict in the result has a set as a key)")
		}
		return v, nil
	case float64:
		return value.FormatFloat(v), nil
	case []any, *value.Map:
		return "", errf(KindType, "unhashable type: '%s' (a dict in the result has a %s as a key)", typeName(v), typeName(v))
	default:
		return string(value.MustEncode(v)), nil
	}
}

// resolveKey is dictKey for a key about to be looked up or stored in m:
// Python finds 1.0 and true under the key 1 (equal values hash alike), so
// when m already holds a numerically equal key, that key is used.
func resolveKey(m *value.Map, k any) (string, error) {
	key, err := dictKey(k)
	if err != nil || m.Has(key) {
		return key, err
	}
	n, ok := numeric(k)
	if !ok {
		return key, nil
	}
	var alts []any
	if f := toFloat(n); f == math.Trunc(f) && !math.IsInf(f, 0) {
		alts = append(alts, f)
		if b, exact := new(big.Float).SetFloat64(f).Int(nil); exact == big.Exact {
			alts = append(alts, normBig(b))
		}
	}
	if numCmp(n, int64(0)) == 0 {
		alts = append(alts, false)
	}
	if numCmp(n, int64(1)) == 0 {
		alts = append(alts, true)
	}
	for _, alt := range alts {
		if altKey, err := dictKey(alt); err == nil && m.Has(altKey) {
			return altKey, nil
		}
	}
	return key, nil
}
