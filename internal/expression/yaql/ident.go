package yaql

import (
	"fmt"
	"reflect"
)

// uintptrOf identifies reference values (sequences, lambdas) that Python
// hashes by identity.
func uintptrOf(v any) uintptr {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func:
		return rv.Pointer()
	}
	h := uintptr(0)
	for _, c := range fmt.Sprint(v) {
		h = h*31 + uintptr(c)
	}
	return h
}
