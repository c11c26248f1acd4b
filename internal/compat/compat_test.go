package compat

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// boraPlayer plays cases on bora: fast polls; a first wait as long as
// Mistral's (CI runs this under -race next to every other package), but
// once a case has timed out its later waits are short, so a case hanging
// on a missing feature costs seconds, not minutes.
var boraPlayer = Player{Wait: 20 * time.Second, Poll: 10 * time.Millisecond, AfterTimeout: 300 * time.Millisecond}

// parallelCases is how many cases play at once, each on its own bora:
// most of a case's time is waiting, not CPU.
const parallelCases = 12

// outcome is one case played on bora.
type outcome struct {
	diffs []string
	err   error
}

// TestCompat plays every case on an in-process bora and compares the
// record with the case's golden (see doc.go).
func TestCompat(t *testing.T) {
	cases, err := LoadCases(casesDir)
	require.NoError(t, err)
	known, err := ReadKnown(knownFile)
	require.NoError(t, err)
	filter, err := regexp.Compile(*caseFilter)
	require.NoError(t, err)
	cases = slices.DeleteFunc(cases, func(c *Case) bool { return !filter.MatchString(c.Name) })
	for name := range known {
		require.True(t, slices.ContainsFunc(cases, func(c *Case) bool { return c.Name == name }) || *caseFilter != "",
			"known_differences.txt lists %s, which is no case", name)
	}

	outcomes := playAll(t, cases)

	newKnown := KnownDifferences{}
	for _, c := range cases {
		o := outcomes[c.Name]
		t.Run(c.Name, func(t *testing.T) {
			require.NoError(t, o.err)
			reason, listed := known[c.Name]
			switch {
			case len(o.diffs) > 0 && !listed:
				t.Errorf("bora differs from Mistral (not in %s): %s\n  %s", knownFile, Summarise(c, o.diffs), strings.Join(o.diffs, "\n  "))
			case len(o.diffs) == 0 && listed:
				t.Errorf("bora now matches Mistral: take %s off %s (was: %s)", c.Name, knownFile, reason)
			case len(o.diffs) > 0 && testing.Verbose():
				t.Logf("known difference (%s):\n  %s", reason, strings.Join(o.diffs, "\n  "))
			}
		})
		if len(o.diffs) > 0 || o.err != nil {
			reason := known[c.Name]
			if reason == "" {
				reason = Summarise(c, o.diffs)
				if o.err != nil {
					reason = o.err.Error()
				}
			}
			newKnown[c.Name] = reason
		}
	}
	t.Log(summary(cases, outcomes, known))
	if *updateKnown && *caseFilter == "" {
		require.NoError(t, WriteKnown(knownFile, newKnown))
	}
}

// playAll plays the cases concurrently, each on a bora of its own.
func playAll(t *testing.T, cases []*Case) map[string]outcome {
	var (
		mu  sync.Mutex
		out = map[string]outcome{}
		wg  sync.WaitGroup
		sem = make(chan struct{}, parallelCases)
	)
	for _, c := range cases {
		dir := t.TempDir()
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			o := playOne(t, c, dir)
			mu.Lock()
			out[c.Name] = o
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

func playOne(t *testing.T, c *Case, dir string) outcome {
	golden, err := ReadGolden(c)
	if err != nil {
		return outcome{err: err}
	}
	want, err := Expected(c, golden)
	if err != nil {
		return outcome{err: err}
	}
	base, stop, err := startBora(t.Context(), dir)
	if err != nil {
		return outcome{err: err}
	}
	rec, playErr := boraPlayer.Play(t.Context(), c, base)
	if err := stop(); err != nil && playErr == nil {
		playErr = fmt.Errorf("stop bora: %w", err)
	}
	if playErr != nil {
		return outcome{err: playErr}
	}
	got, err := Generic(rec)
	if err != nil {
		return outcome{err: err}
	}
	return outcome{diffs: Diff(want, StripIgnored(c, got))}
}

// summary counts cases by feature: total, matching, known differences.
func summary(cases []*Case, outcomes map[string]outcome, known KnownDifferences) string {
	type count struct{ total, match, known int }
	by := map[string]*count{}
	var all count
	for _, c := range cases {
		n := by[c.Feature]
		if n == nil {
			n = &count{}
			by[c.Feature] = n
		}
		o := outcomes[c.Name]
		ok := o.err == nil && len(o.diffs) == 0
		for _, k := range []*count{n, &all} {
			k.total++
			if ok {
				k.match++
			}
			if _, listed := known[c.Name]; listed {
				k.known++
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "compat: %d cases, %d match Mistral, %d known differences\n", all.total, all.match, all.known)
	fmt.Fprintf(&b, "  %-18s %5s %5s %5s\n", "feature", "cases", "match", "known")
	for _, f := range slices.Sorted(maps.Keys(by)) {
		n := by[f]
		fmt.Fprintf(&b, "  %-18s %5d %5d %5d\n", f, n.total, n.match, n.known)
	}
	return b.String()
}
