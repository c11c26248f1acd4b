package jinja

import (
	"reflect"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// pyType is the Python type a gonja value stands for.
type pyType int

const (
	pyNone pyType = iota
	pyBool
	pyInt
	pyFloat
	pyStr
	pyList
	pyDict
	pyOther
)

func typeOf(v *exec.Value) pyType {
	switch {
	case v == nil || v.IsNil():
		return pyNone
	case v.IsBool():
		return pyBool
	case v.IsInteger():
		return pyInt
	case v.IsFloat():
		return pyFloat
	case v.IsString():
		return pyStr
	case v.IsList():
		return pyList
	case v.IsDict():
		return pyDict
	}
	return pyOther
}

// pyTypeName is the name Python's error messages use.
func pyTypeName(v *exec.Value) string {
	switch typeOf(v) {
	case pyNone:
		return "NoneType"
	case pyBool:
		return "bool"
	case pyInt:
		return "int"
	case pyFloat:
		return "float"
	case pyStr:
		return "str"
	case pyList:
		return "list"
	case pyDict:
		return "dict"
	}
	if v.Val.Kind() == reflect.Func {
		return "builtin_function_or_method"
	}
	return v.Val.Type().String()
}

// isNumber: Python's bool is an int subclass, so it takes part in
// arithmetic.
func isNumber(v *exec.Value) bool {
	t := typeOf(v)
	return t == pyBool || t == pyInt || t == pyFloat
}

func asInt(v *exec.Value) int {
	if v.IsBool() {
		if v.Bool() {
			return 1
		}
		return 0
	}
	return v.Integer()
}

func asFloat(v *exec.Value) float64 {
	switch typeOf(v) {
	case pyBool, pyInt:
		return float64(asInt(v))
	}
	return v.Float()
}

// truthy is Python's bool(): None, False, 0, 0.0 and empty containers are
// false.
func truthy(v *exec.Value) bool {
	switch typeOf(v) {
	case pyNone:
		return false
	case pyBool:
		return v.Bool()
	case pyInt:
		return v.Integer() != 0
	case pyFloat:
		return v.Float() != 0
	case pyStr, pyList, pyDict:
		return v.Len() > 0
	}
	return true
}

// items returns the elements of a list value.
func listItems(v *exec.Value) []*exec.Value {
	rv := v.Val
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		rv = rv.Elem()
	}
	out := make([]*exec.Value, rv.Len())
	for i := range out {
		out[i] = exec.ToValue(rv.Index(i))
	}
	return out
}

// dictOf returns the ordered dict behind a dict value (gonja's own Go maps
// are converted with sorted keys).
func dictOf(v *exec.Value) *exec.Dict {
	switch d := v.Interface().(type) {
	case *exec.Dict:
		return d
	case exec.Dict:
		return &d
	}
	out := &exec.Dict{}
	for _, k := range v.Keys() {
		item, _ := v.GetItem(k.Interface())
		out.Pairs = append(out.Pairs, &exec.Pair{Key: k, Value: item})
	}
	return out
}
