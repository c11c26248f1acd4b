package compat

import (
	"regexp"
	"slices"
	"strings"
)

// diffLine splits a Diff line into its path and the rest.
var diffLine = regexp.MustCompile(`^(\S+): (.*)$`)

// stepState matches a step whose answered state differs.
var stepState = regexp.MustCompile(`^steps\.(\d+)\.state$`)

// statusDiff matches a step whose HTTP status differs.
var statusDiff = regexp.MustCompile(`^steps\.(\d+)\.status$`)

// Summarise turns a case's diff lines into a short reason for
// known_differences.txt: the most telling kinds of difference first (an
// endpoint bora lacks, a different final state, different data, then mere
// texts), so the list reads as a to-do list.
func Summarise(c *Case, diffs []string) string {
	var (
		kinds []string
		path  string
	)
	// add notes a kind of difference with the first path showing it.
	add := func(k string) {
		for _, have := range kinds {
			if strings.HasPrefix(have, k+" (") {
				return
			}
		}
		kinds = append(kinds, k+" ("+path+")")
	}
	for _, d := range diffs {
		m := diffLine.FindStringSubmatch(d)
		if m == nil {
			continue
		}
		var rest string
		path, rest = m[1], m[2]
		last := path[strings.LastIndex(path, ".")+1:]
		switch {
		case statusDiff.MatchString(path):
			step := c.Steps[atoi(statusDiff.FindStringSubmatch(path)[1])]
			want, got, _ := strings.Cut(strings.TrimPrefix(rest, "want "), ", got ")
			if strings.HasPrefix(rest, "missing") {
				want, got = after(rest, "want "), "nothing"
			}
			add(step.Op + " answers " + got + " (Mistral " + want + ")")
		case strings.HasSuffix(path, "output.result") || last == "state_info" || last == "faultstring" || last == "valid_error":
			add("message texts differ")
		case stepState.MatchString(path):
			step := c.Steps[atoi(stepState.FindStringSubmatch(path)[1])]
			add(step.Op + " answers another state")
		case strings.HasSuffix(path, ".unsettled") || strings.Contains(rest, "timed out"):
			add("hangs (never settles)")
		case last == "state" && strings.HasPrefix(path, "executions.") && strings.Count(path, ".") == 2:
			add("execution state " + rest)
		case last == "state" || strings.HasSuffix(path, ".tasks") || last == "actions":
			add("task states/count differ")
		case last == "published" || strings.Contains(path, ".published.") || strings.Contains(path, ".output") || last == "result" || strings.Contains(path, ".result."):
			add("published/output/result values differ")
		default:
			add(path + " differs")
		}
	}
	slices.SortStableFunc(kinds, func(a, b string) int { return rank(a) - rank(b) })
	if len(kinds) > 3 {
		kinds = kinds[:3]
	}
	return strings.Join(kinds, "; ")
}

func rank(kind string) int {
	switch {
	case strings.Contains(kind, "answers another state"):
		return 4
	case strings.Contains(kind, " answers "):
		return 0
	case strings.HasPrefix(kind, "hangs"):
		return 1
	case strings.HasPrefix(kind, "execution state"):
		return 2
	case strings.HasPrefix(kind, "task states"):
		return 3
	case strings.HasPrefix(kind, "published"):
		return 5
	case strings.HasPrefix(kind, "message"):
		return 7
	}
	return 6
}

func after(s, sep string) string {
	if _, tail, ok := strings.Cut(s, sep); ok {
		return tail
	}
	return s
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}
