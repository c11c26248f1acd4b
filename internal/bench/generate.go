package bench

import (
	"fmt"
	"strconv"
	"strings"
)

// header starts every file gen.py writes.
const header = "---\nversion: '2.0'\n"

// Definition is one generated reference workflow file with the counts
// gen.py writes to manifest.json.
type Definition struct {
	Spec
	// Text is the YAML file, byte for byte what gen.py writes.
	Text string
	// Workflows names every workflow the file defines, the main one
	// first (complex files also define their subworkflows).
	Workflows []string
	// TaskExecutions and ActionExecutions are what one execution makes,
	// summed over subworkflows; TopLevelTasks counts the main workflow's
	// task executions only.
	TaskExecutions   int
	ActionExecutions int
	TopLevelTasks    int
}

// body is one workflow's text and counts before the file header.
type body struct {
	text           string
	tasks, actions int
}

// Generate produces the reference workflow a Spec names, as gen.py does.
func Generate(s Spec) (Definition, error) {
	if s.N < 1 || s.N > maxSize || s.X < 0 || s.X > maxSize {
		return Definition{}, fmt.Errorf("generate %s: size out of range", s.Name())
	}
	name := s.Name()
	d := Definition{Spec: s, Workflows: []string{name}}
	var b body
	switch s.Shape {
	case ShapeSeq:
		b = wfSeq(name, s.N)
	case ShapePar:
		b = wfPar(name, s.N)
	case ShapeJoin:
		b = wfJoin(name, s.N)
	case ShapeWithItems:
		b = wfWithItems(name, s.N, 0)
	case ShapeWithItemsC10:
		b = wfWithItems(name, s.N, 10)
	case ShapeMixed, ShapeMixedJoin, ShapeComplex:
		if s.X < 1 {
			return Definition{}, fmt.Errorf("generate %s: %s needs X >= 1", name, s.Shape)
		}
		switch s.Shape {
		case ShapeMixed:
			b = wfMixed(name, s.X, s.N)
		case ShapeMixedJoin:
			b = wfMixedJoin(name, s.X, s.N)
		default:
			var subs []string
			b, subs = wfComplex(name, s.X, s.N)
			d.Workflows = append(d.Workflows, subs...)
		}
	default:
		return Definition{}, fmt.Errorf("generate %s: unknown shape %q", name, s.Shape)
	}
	if s.X != 0 && !hasX(s.Shape) {
		return Definition{}, fmt.Errorf("generate %s: %s takes no X", name, s.Shape)
	}
	d.Text = header + "\n" + b.text
	d.TaskExecutions, d.ActionExecutions = b.tasks, b.actions
	switch s.Shape {
	case ShapeWithItems, ShapeWithItemsC10:
		d.TopLevelTasks = 1
	case ShapeComplex:
		d.TopLevelTasks = len(complexParts) + 1
	default:
		d.TopLevelTasks = b.tasks
	}
	return d, nil
}

func hasX(shape string) bool {
	return shape == ShapeMixed || shape == ShapeMixedJoin || shape == ShapeComplex
}

// noop is gen.py's _noop: a std.noop task, optionally joining all and
// optionally followed on success by one task.
func noop(sb *strings.Builder, name, next string, join bool, indent string) {
	sb.WriteString(indent + name + ":\n" + indent + "  action: std.noop\n")
	if join {
		sb.WriteString(indent + "  join: all\n")
	}
	if next != "" {
		sb.WriteString(indent + "  on-success:\n" + indent + "    - " + next + "\n")
	}
}

const taskIndent = "    "

func wfSeq(name string, n int) body {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s:\n  description: sequence of %d tasks\n  tasks:\n", name, n)
	for i := 1; i <= n; i++ {
		next := ""
		if i < n {
			next = "t" + strconv.Itoa(i+1)
		}
		noop(&sb, "t"+strconv.Itoa(i), next, false, taskIndent)
	}
	return body{sb.String(), n, n}
}

func wfPar(name string, n int) body {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s:\n  description: %d parallel tasks\n  tasks:\n", name, n)
	for i := 1; i <= n; i++ {
		noop(&sb, "t"+strconv.Itoa(i), "", false, taskIndent)
	}
	return body{sb.String(), n, n}
}

// chains writes x chains of n tasks; each chain's last task goes on to
// lastNext ("" for none).
func chains(sb *strings.Builder, x, n int, lastNext string) {
	for c := 1; c <= x; c++ {
		for i := 1; i <= n; i++ {
			next := lastNext
			if i < n {
				next = fmt.Sprintf("s%d_t%d", c, i+1)
			}
			noop(sb, fmt.Sprintf("s%d_t%d", c, i), next, false, taskIndent)
		}
	}
}

func wfMixed(name string, x, n int) body {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s:\n  description: %d parallel sequences of %d tasks\n  tasks:\n", name, x, n)
	chains(&sb, x, n, "")
	return body{sb.String(), x * n, x * n}
}

func wfJoin(name string, n int) body {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s:\n  description: %d parallel tasks + join all\n  tasks:\n", name, n)
	for i := 1; i <= n; i++ {
		noop(&sb, "t"+strconv.Itoa(i), "join_all", false, taskIndent)
	}
	noop(&sb, "join_all", "", true, taskIndent)
	return body{sb.String(), n + 1, n + 1}
}

func wfMixedJoin(name string, x, n int) body {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s:\n  description: %d parallel sequences of %d tasks + join all\n  tasks:\n", name, x, n)
	chains(&sb, x, n, "join_all")
	noop(&sb, "join_all", "", true, taskIndent)
	return body{sb.String(), x*n + 1, x*n + 1}
}

// wfWithItems is one task over n items; concurrency 0 means none set.
// One task execution, n action executions.
func wfWithItems(name string, n, concurrency int) body {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s:\n  description: with-items over %d elements", name, n)
	if concurrency > 0 {
		fmt.Fprintf(&sb, ", concurrency %d", concurrency)
	}
	sb.WriteString("\n  input:\n    - items: [")
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(strconv.Itoa(i))
	}
	sb.WriteString("]\n  tasks:\n    process:\n      with-items: i in <% $.items %>\n")
	if concurrency > 0 {
		fmt.Fprintf(&sb, "      concurrency: %d\n", concurrency)
	}
	sb.WriteString("      action: std.echo output=<% $.i %>\n")
	return body{sb.String(), 1, n}
}

// complexParts are the subworkflows of a complex workflow, in gen.py's order.
var complexParts = []string{
	ShapeSeq, ShapePar, ShapeMixed, ShapeJoin, ShapeMixedJoin, ShapeWithItems, ShapeWithItemsC10,
}

// wfComplex is a parent running every other shape as a subworkflow in
// parallel, then a join; the subworkflows follow in the same file, named
// <name>__<shape>. It also returns the subworkflows' names.
func wfComplex(name string, x, n int) (body, []string) {
	prefix := name + "__"
	subs := make([]body, 0, len(complexParts))
	names := make([]string, 0, len(complexParts))
	for _, part := range complexParts {
		sub := prefix + part
		names = append(names, sub)
		switch part {
		case ShapeSeq:
			subs = append(subs, wfSeq(sub, n))
		case ShapePar:
			subs = append(subs, wfPar(sub, n))
		case ShapeMixed:
			subs = append(subs, wfMixed(sub, x, n))
		case ShapeJoin:
			subs = append(subs, wfJoin(sub, n))
		case ShapeMixedJoin:
			subs = append(subs, wfMixedJoin(sub, x, n))
		case ShapeWithItems:
			subs = append(subs, wfWithItems(sub, n, 0))
		case ShapeWithItemsC10:
			subs = append(subs, wfWithItems(sub, n, 10))
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s:\n  description: all reference shapes (N=%d, X=%d) as parallel subworkflows + join all\n  tasks:\n", name, n, x)
	for _, part := range complexParts {
		fmt.Fprintf(&sb, "    run_%s:\n      workflow: %s%s\n      on-success:\n        - done\n", part, prefix, part)
	}
	sb.WriteString("    done:\n      join: all\n      action: std.noop\n")
	// The parent's tasks (one per subworkflow and the join) and its one
	// action (the join's noop) come on top of the subworkflows'.
	tasks, actions := len(subs)+1, 1
	for _, s := range subs {
		// gen.py writes parent + "\n" + "\n".join(subs): one blank
		// line before every subworkflow.
		sb.WriteString("\n")
		sb.WriteString(s.text)
		tasks += s.tasks
		actions += s.actions
	}
	return body{sb.String(), tasks, actions}, names
}
