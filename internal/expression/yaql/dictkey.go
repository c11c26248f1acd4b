package yaql

import (
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
	case *Set, *Seq, *Lambda, *Regex, *contextValue:
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
func outputKey(k string) string {
	if !strings.HasPrefix(k, foreignKeyMarker) {
		return k
	}
	switch v := keyValue(k).(type) {
	case string:
		return v
	case float64:
		return value.FormatFloat(v)
	default:
		return string(value.MustEncode(v))
	}
}
