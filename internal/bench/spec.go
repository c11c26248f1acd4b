package bench

import (
	"fmt"
	"strconv"
	"strings"
)

// Shapes of the reference workflows, as gen.py names them in manifest.json.
const (
	ShapeSeq          = "seq"
	ShapePar          = "par"
	ShapeMixed        = "mixed"
	ShapeJoin         = "join"
	ShapeMixedJoin    = "mixed_join"
	ShapeWithItems    = "with_items"
	ShapeWithItemsC10 = "with_items_c10"
	ShapeComplex      = "complex"
)

// maxSize bounds N and X so a typo cannot ask for a gigabyte of YAML.
const maxSize = 1_000_000

// Spec names one reference workflow: a shape with its size N and, for the
// shapes made of parallel chains, the number of chains X (0 otherwise).
type Spec struct {
	Shape string
	N, X  int
}

// shapeOrder lists the shapes longest prefix first, so "mixed_join_" is
// tried before "mixed_" and "with_items_c10_" before "with_items_".
var shapeOrder = []struct {
	shape string
	hasX  bool
}{
	{ShapeMixedJoin, true},
	{ShapeMixed, true},
	{ShapeComplex, true},
	{ShapeWithItemsC10, false},
	{ShapeWithItems, false},
	{ShapeSeq, false},
	{ShapePar, false},
	{ShapeJoin, false},
}

// Name is the workflow's name, which is also gen.py's file name.
func (s Spec) Name() string {
	if s.X > 0 {
		return fmt.Sprintf("%s_%dx%d", s.Shape, s.X, s.N)
	}
	return fmt.Sprintf("%s_%d", s.Shape, s.N)
}

// ParseSpec reads a workflow name such as seq_100, mixed_5x10 or
// with_items_c10_50.
func ParseSpec(name string) (Spec, error) {
	for _, sh := range shapeOrder {
		size, ok := strings.CutPrefix(name, sh.shape+"_")
		if !ok {
			continue
		}
		// "with_items_c10_10" also starts with "with_items_"; the
		// ordered list tries the c10 shape first, so a leftover "c10_"
		// here is simply not a number and fails below.
		var s Spec
		var err error
		s.Shape = sh.shape
		if sh.hasX {
			xs, ns, found := strings.Cut(size, "x")
			if !found {
				return Spec{}, fmt.Errorf("workflow %q: %s wants a size XxN, like %s_5x10", name, sh.shape, sh.shape)
			}
			if s.X, err = parseSize(xs); err != nil {
				return Spec{}, fmt.Errorf("workflow %q: X: %w", name, err)
			}
			size = ns
		}
		if s.N, err = parseSize(size); err != nil {
			return Spec{}, fmt.Errorf("workflow %q: N: %w", name, err)
		}
		return s, nil
	}
	return Spec{}, fmt.Errorf("workflow %q: unknown shape (want seq_N, par_N, mixed_XxN, join_N, mixed_join_XxN, with_items_N, with_items_c10_N or complex_XxN)", name)
}

// ParseSpecs reads a comma-separated list of workflow names.
func ParseSpecs(list string) ([]Spec, error) {
	return ExpandSpecs(list, nil, 0)
}

// ExpandSpecs reads a comma-separated list of workflow names in which a
// bare shape ("seq", "mixed_join") stands for that shape at every one of
// sizes, in order, with x chains for the shapes made of chains: the
// sweep that shows whether time per task stays flat as N grows.
func ExpandSpecs(list string, sizes []int, x int) ([]Spec, error) {
	var specs []Spec
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if hasXShape, bare := bareShape(name); bare {
			if len(sizes) == 0 {
				return nil, fmt.Errorf("workflow %q: a bare shape needs sizes (--sizes 10,100,1000)", name)
			}
			if hasXShape && (x < 1 || x > maxSize) {
				return nil, fmt.Errorf("workflow %q: X must be from 1 to %d, not %d", name, maxSize, x)
			}
			for _, n := range sizes {
				if n < 1 || n > maxSize {
					return nil, fmt.Errorf("size %d: want 1 to %d", n, maxSize)
				}
				s := Spec{Shape: name, N: n}
				if hasXShape {
					s.X = x
				}
				specs = append(specs, s)
			}
			continue
		}
		s, err := ParseSpec(name)
		if err != nil {
			return nil, err
		}
		specs = append(specs, s)
	}
	if len(specs) == 0 {
		return nil, fmt.Errorf("no workflows named")
	}
	return specs, nil
}

// bareShape reports whether name is a shape without a size, and whether
// that shape takes X.
func bareShape(name string) (hasX, ok bool) {
	for _, sh := range shapeOrder {
		if sh.shape == name {
			return sh.hasX, true
		}
	}
	return false, false
}

// ParseSizes reads a comma-separated list of sizes ("10,100,1000").
func ParseSizes(list string) ([]int, error) {
	var out []int
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		n, err := parseSize(v)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func parseSize(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxSize || strconv.Itoa(n) != s {
		return 0, fmt.Errorf("%q is not a size from 1 to %d", s, maxSize)
	}
	return n, nil
}
