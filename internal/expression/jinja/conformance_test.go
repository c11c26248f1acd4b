package jinja_test

import (
	"bufio"
	"context"
	"encoding/json"
	"math/big"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/expression"
	"github.com/bora-workflow/bora/internal/value"
)

// vectorsPath is shared/conformance/jinja/vectors.jsonl, four levels above
// this package directory (internal/expression/jinja → repo → workspace).
const vectorsPath = "../../../../shared/conformance/jinja/vectors.jsonl"

const knownFailuresPath = "testdata/jinja_known_failures.txt"

type vector struct {
	Template    string   `json:"template"`
	Mode        string   `json:"mode"`
	Error       bool     `json:"error"`
	ErrorType   string   `json:"error_type"`
	ResultFlags []string `json:"result_flags"`
	data        any
	expected    any
}

// readVectors decodes the JSONL file; data and expected go through
// value.Decode so key order and int/float typing survive.
func readVectors(t *testing.T) []vector {
	f, err := os.Open(vectorsPath)
	if os.IsNotExist(err) {
		t.Skipf("conformance vectors not found at %s", vectorsPath)
	}
	require.NoError(t, err)
	defer f.Close()
	var out []vector
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var v vector
		require.NoError(t, json.Unmarshal(sc.Bytes(), &v))
		raw, err := value.Decode(sc.Bytes())
		require.NoError(t, err)
		m := raw.(*value.Map)
		v.data, _ = m.Get("data")
		v.expected, _ = m.Get("expected")
		out = append(out, v)
	}
	require.NoError(t, sc.Err())
	return out
}

// readKnownFailures reads "template<TAB>reason" lines; blank lines and #
// comments are ignored. Templates with a tab or newline are written with
// \t and \n escapes.
func readKnownFailures(t *testing.T) map[string]string {
	out := map[string]string{}
	b, err := os.ReadFile(knownFailuresPath)
	if os.IsNotExist(err) {
		return out
	}
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tmpl, reason, _ := strings.Cut(line, "\t")
		out[unescape(tmpl)] = reason
	}
	return out
}

func escape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`).Replace(s)
}

func unescape(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\t`, "\t", `\n`, "\n").Replace(s)
}

// sameValue compares with the vector rules: int and float are different
// types and map order must match.
func sameValue(got, want any) bool {
	switch w := want.(type) {
	case nil:
		return got == nil
	case bool:
		g, ok := got.(bool)
		return ok && g == w
	case string:
		g, ok := got.(string)
		return ok && g == w
	case int64, *big.Int:
		switch got.(type) {
		case int64, *big.Int:
			return value.Equal(got, want)
		}
		return false
	case float64:
		g, ok := got.(float64)
		return ok && g == w
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !sameValue(g[i], w[i]) {
				return false
			}
		}
		return true
	case *value.Map:
		g, ok := got.(*value.Map)
		if !ok || g.Len() != w.Len() {
			return false
		}
		for i, k := range w.Keys() {
			if g.Keys()[i] != k {
				return false
			}
			gv, _ := g.Get(k)
			wv, _ := w.Get(k)
			if !sameValue(gv, wv) {
				return false
			}
		}
		return true
	}
	return false
}

// outcome checks one vector; it returns "" when it passes.
func outcome(got any, err error, v vector) string {
	if v.Error {
		if err == nil {
			return "expected " + v.ErrorType + ", got " + string(value.MustEncode(got))
		}
		return ""
	}
	if err != nil {
		return "unexpected error: " + err.Error()
	}
	if !sameValue(got, v.expected) {
		return "got " + string(value.MustEncode(got)) + ", want " + string(value.MustEncode(v.expected))
	}
	return ""
}

// TestConformanceVectors evaluates every vector through Evaluator.Evaluate,
// as a workflow value. A vector that fails must be listed in
// testdata/jinja_known_failures.txt with the reason; a listed vector that
// passes fails the test, so the list only shrinks.
func TestConformanceVectors(t *testing.T) {
	vectors := readVectors(t)
	known := readKnownFailures(t)
	ev := expression.New(expression.Options{})
	ctx := context.Background()

	failed := map[string]string{}
	passed := map[string]bool{}
	pass := 0
	for _, v := range vectors {
		got, err := ev.Evaluate(ctx, v.Template, v.data, nil)
		if msg := outcome(got, err, v); msg != "" {
			if _, seen := failed[v.Template]; !seen {
				failed[v.Template] = msg
			}
			continue
		}
		pass++
		passed[v.Template] = true
	}
	for tmpl, msg := range failed {
		if _, ok := known[tmpl]; !ok {
			t.Errorf("vector %q failed (not in %s): %s", tmpl, knownFailuresPath, msg)
		}
	}
	var stale []string
	for tmpl := range known {
		if _, f := failed[tmpl]; !f && passed[tmpl] {
			stale = append(stale, tmpl)
		}
	}
	sort.Strings(stale)
	for _, tmpl := range stale {
		t.Errorf("vector %q now passes: remove it from %s", tmpl, knownFailuresPath)
	}
	t.Logf("jinja vectors.jsonl: %d/%d passed (%.1f%%)", pass, len(vectors), 100*float64(pass)/float64(len(vectors)))
	if os.Getenv("JINJA_WRITE_FAILURES") != "" {
		writeFailures(t, failed, known)
	}
}

// writeFailures rewrites the known-failures list from the current run
// (JINJA_WRITE_FAILURES=1), keeping reasons already written by hand.
func writeFailures(t *testing.T, failed, known map[string]string) {
	var lines []string
	for tmpl, msg := range failed {
		reason := known[tmpl]
		if reason == "" {
			reason = strings.NewReplacer("\n", " ", "\t", " ").Replace(msg)
		}
		lines = append(lines, escape(tmpl)+"\t"+reason)
	}
	sort.Strings(lines)
	body := "# Conformance vectors (shared/conformance/jinja/vectors.jsonl) that bora's Jinja\n" +
		"# does not pass: one per line, the template (\\n, \\t escaped), a tab, the reason.\n" +
		"# The conformance test fails when a listed vector passes, so this only shrinks.\n"
	if len(lines) > 0 {
		body += strings.Join(lines, "\n") + "\n"
	}
	require.NoError(t, os.WriteFile(knownFailuresPath, []byte(body), 0o644))
}
