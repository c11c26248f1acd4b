package action

import (
	"context"
	"fmt"
	"strconv"

	"github.com/bora-workflow/bora/internal/value"
)

// maxTestDictSize keeps std.test_dict, a load-testing helper, from
// exhausting the executor's memory on a typo.
const maxTestDictSize = 1 << 20

// testDictInlineSize is the size up to which building the dict is quick
// enough to run inside the engine's transaction.
const testDictInlineSize = 1000

// testDictDefinition is std.test_dict: a dict of size keys named
// key_prefix + index, each holding val.
func testDictDefinition() *Definition {
	return &Definition{
		Name:        "std.test_dict",
		Class:       stdClass + "TestDictAction",
		Description: "Generates a dict of size keys (key_prefix + index) holding val, for load tests.",
		Params:      []Param{Optional("size", int64(0)), Optional("key_prefix", ""), Optional("val", "")},
		Run: func(_ context.Context, input *value.Map, _ ExecutionContext) Outcome {
			size, err := testDictSize(get(input, "size"))
			if err != nil {
				return failed("%s", err.Error())
			}
			prefix, val := str(get(input, "key_prefix")), get(input, "val")
			out := value.NewMap(int(size))
			for i := range size {
				out.Set(prefix+strconv.FormatInt(i, 10), val)
			}
			return Outcome{Result: out}
		},
		Inline: func(input *value.Map) bool {
			size, err := testDictSize(get(input, "size"))
			return err != nil || size <= testDictInlineSize
		},
	}
}

// testDictSize reads size as Python's range() would: an integer (a
// negative one gives an empty dict).
func testDictSize(v any) (int64, error) {
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("std.test_dict: size must be an integer, got %s", value.TypeName(v))
	}
	if n > maxTestDictSize {
		return 0, fmt.Errorf("std.test_dict: size %d is over the limit of %d", n, maxTestDictSize)
	}
	return max(n, 0), nil
}
