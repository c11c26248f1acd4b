package dsl

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// corpusDir holds real-world Mistral documents and the verdicts of the real
// Mistral 15 validator (see its README.md).
const corpusDir = "../../../shared/conformance/dsl"

const knownDisagreementsFile = "testdata/dsl_known_disagreements.txt"

type verdict struct {
	File  string   `json:"file"`
	Kind  string   `json:"kind"`
	Valid bool     `json:"valid"`
	Error string   `json:"error"`
	Where []string `json:"where"`
}

// wherePattern is what our error must mention to be about the same place as
// Mistral's: for YAML errors the line, else the innermost named workflow,
// task or action Mistral was validating ("" when Mistral names none).
func (v verdict) wherePattern() string {
	for i := len(v.Where) - 1; i >= 0; i-- {
		w := v.Where[i]
		if strings.HasPrefix(w, "line ") {
			line, _, _ := strings.Cut(strings.TrimPrefix(w, "line "), ",")
			return ":" + line + ":"
		}
		if _, name, ok := strings.Cut(w, ":"); ok && !strings.HasPrefix(w, "WorkbookSpec") {
			return fmt.Sprintf("%q", name)
		}
	}
	return ""
}

// TestConformance parses every corpus document and compares valid/invalid
// with Mistral's verdict. Known, deliberate disagreements are listed with a
// reason; the test fails on a new disagreement and on a listed one that
// has gone away, so the list stays true.
func TestConformance(t *testing.T) {
	f, err := os.Open(filepath.Join(corpusDir, "verdicts.jsonl"))
	if os.IsNotExist(err) {
		t.Skip("conformance corpus not present")
	}
	require.NoError(t, err)
	defer f.Close()
	known := readKnownDisagreements(t)

	var verdicts []verdict
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var v verdict
		require.NoError(t, json.Unmarshal(sc.Bytes(), &v))
		verdicts = append(verdicts, v)
	}
	require.NoError(t, sc.Err())

	suspicious := readSuspicious(t)
	agree := 0
	var unexpected, stale, misplaced, unwarned []string
	for _, v := range verdicts {
		name := filepath.Base(v.File)
		src, err := os.ReadFile(filepath.Join(corpusDir, v.File))
		require.NoError(t, err)
		doc, perr := Parse(name, src, Options{Kind: v.Kind, CheckExpression: conformanceChecker})
		if doc != nil {
			for _, phrase := range suspicious[name] {
				if !hasWarning(doc, phrase) {
					unwarned = append(unwarned, name+": no warning \""+phrase+"\"")
				}
			}
		}
		ok := (perr == nil) == v.Valid
		_, listed := known[name]
		if ok && perr != nil {
			if want := v.wherePattern(); want != "" && !strings.Contains(perr.Error(), want) {
				misplaced = append(misplaced, name+": Mistral failed at "+want+", we say "+perr.Error())
			}
		}
		switch {
		case ok:
			agree++
			if listed {
				stale = append(stale, name)
			}
		case !listed:
			got := "valid"
			if perr != nil {
				got = "invalid: " + perr.Error()
			}
			unexpected = append(unexpected, name+": Mistral says valid="+boolWord(v.Valid)+" ("+v.Error+"), we say "+got)
		}
	}
	t.Logf("agreement with Mistral 15: %d/%d = %.1f%%", agree, len(verdicts), 100*float64(agree)/float64(len(verdicts)))
	sort.Strings(unexpected)
	for _, u := range unexpected {
		t.Log(u)
	}
	require.Empty(t, unexpected, "disagreements not listed in %s", knownDisagreementsFile)
	for _, m := range misplaced {
		t.Log("misplaced: " + m)
	}
	require.Empty(t, misplaced, "invalid documents rejected, but not where Mistral rejects them")
	require.Empty(t, unwarned, "suspicious.jsonl findings we should warn about")
	require.Empty(t, stale, "listed in %s but now agreeing; remove them", knownDisagreementsFile)
}

func boolWord(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// readKnownDisagreements reads "file<TAB>reason" lines.
func readKnownDisagreements(t *testing.T) map[string]string {
	data, err := os.ReadFile(knownDisagreementsFile)
	if os.IsNotExist(err) {
		return map[string]string{}
	}
	require.NoError(t, err)
	out := map[string]string{}
	for i, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, ok := strings.Cut(line, "\t")
		require.True(t, ok && strings.TrimSpace(reason) != "", "%s:%d: want file<TAB>reason", knownDisagreementsFile, i+1)
		out[name] = reason
	}
	return out
}

// warningFor maps the checks of the corpus' audit.py (suspicious.jsonl) to
// the warning each must produce. Checks needing other documents
// (subwf-unknown) or harmless ones (task-name-pattern) are not warned about.
var warningFor = map[string]string{
	"duplicate-key":         warnDuplicateKey,
	"anchor-as-text":        warnAnchorText,
	"version-not-canonical": warnVersion,
	"task-ref-unknown":      warnTaskRef,
	"unknown-wf-key":        warnUnknownAttr,
}

// readSuspicious returns, per document, the warning phrases it must produce.
func readSuspicious(t *testing.T) map[string][]string {
	data, err := os.ReadFile(filepath.Join(corpusDir, "suspicious.jsonl"))
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	out := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var f struct{ File, Check string }
		require.NoError(t, json.Unmarshal([]byte(line), &f))
		if phrase, ok := warningFor[f.Check]; ok {
			out[filepath.Base(f.File)] = append(out[filepath.Base(f.File)], phrase)
		}
	}
	return out
}

func hasWarning(doc *Document, phrase string) bool {
	for _, w := range doc.Warnings {
		if strings.Contains(w.Msg, phrase) {
			return true
		}
	}
	return false
}

// conformanceChecker is the expression syntax check used on the corpus.
// It is a stand-in (exprcheck_test.go) until package expression offers the
// real YAQL/Jinja syntax check; swap that in then. Without any checker the
// 16 documents with broken expressions disagree (97.1%).
var conformanceChecker = testCheckExpression
