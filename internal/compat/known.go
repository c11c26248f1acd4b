package compat

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
)

// KnownDifferences maps a case name to why bora does not match Mistral on
// it yet. The file has one "name<TAB>reason" line per case; blank lines
// and lines starting with # are comments.
type KnownDifferences map[string]string

// ReadKnown loads the known differences (an absent file is an empty list).
func ReadKnown(file string) (KnownDifferences, error) {
	raw, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return KnownDifferences{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read known differences: %w", err)
	}
	known := KnownDifferences{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, ok := strings.Cut(line, "\t")
		if !ok || strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("%s:%d: want \"case<TAB>reason\"", file, n)
		}
		if _, dup := known[name]; dup {
			return nil, fmt.Errorf("%s:%d: case %s listed twice", file, n, name)
		}
		known[name] = strings.TrimSpace(reason)
	}
	return known, sc.Err()
}

// knownHeader opens the file WriteKnown writes.
const knownHeader = `# Cases where bora does not yet do what Mistral 15 did: case<TAB>reason.
# TestCompat fails when a case not listed here differs, and when a listed
# case matches (take it off: the list only shrinks). -update-known rewrites
# this file from a run, keeping the reasons of cases still listed.
`

// WriteKnown stores the list sorted by case name.
func WriteKnown(file string, known KnownDifferences) error {
	var b strings.Builder
	b.WriteString(knownHeader)
	for _, name := range slices.Sorted(maps.Keys(known)) {
		fmt.Fprintf(&b, "%s\t%s\n", name, known[name])
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write known differences: %w", err)
	}
	return nil
}
