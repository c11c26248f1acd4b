package api

import (
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// queryFlags reads the boolean and integer query parameters of an
// endpoint that is not a list. An empty value is the default (Mistral's
// client sends `errors_only=` when the flag is off); any parameter not
// named is refused, so a misspelt option is not silently ignored.
type queryFlags struct {
	bools map[string]bool
	ints  map[string]int
}

func parseQueryFlags(q url.Values, bools map[string]bool, ints map[string]int) (queryFlags, error) {
	f := queryFlags{bools: bools, ints: ints}
	// Sorted, so a query with several faults always reports the same one.
	for _, name := range slices.Sorted(maps.Keys(q)) {
		val := strings.TrimSpace(q.Get(name))
		if _, ok := bools[name]; ok {
			if val == "" {
				continue
			}
			b, err := strconv.ParseBool(val)
			if err != nil {
				return f, badRequest("Invalid input for field/attribute %s. Value: '%s'. Wrong type. Expected a boolean.", name, val)
			}
			bools[name] = b
			continue
		}
		if _, ok := ints[name]; ok {
			if val == "" || val == "None" {
				continue
			}
			n, err := strconv.Atoi(val)
			if err != nil {
				return f, badRequest("Invalid input for field/attribute %s. Value: '%s'. Wrong type. Expected an integer.", name, val)
			}
			ints[name] = n
			continue
		}
		known := append(slices.Collect(maps.Keys(bools)), slices.Collect(maps.Keys(ints))...)
		slices.Sort(known)
		return f, badRequest("Unknown argument: %q. This endpoint accepts %s.", name, strings.Join(known, ", "))
	}
	return f, nil
}
