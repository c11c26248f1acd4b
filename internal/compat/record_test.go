package compat

import (
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestRecord re-records every golden file against a running Mistral:
//
//	go test ./internal/compat -run TestRecord -record -mistral-url http://127.0.0.1:8989/v2
//
// Cases run one after another, each deleting what it created, so the
// server's state is the same before every case.
func TestRecord(t *testing.T) {
	if !*recordFlag {
		t.Skip("recording needs -record and a running Mistral (see doc.go)")
	}
	cases, err := LoadCases(casesDir)
	require.NoError(t, err)
	filter, err := regexp.Compile(*caseFilter)
	require.NoError(t, err)
	for _, c := range cases {
		if !filter.MatchString(c.Name) {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			p := Player{
				Wait:         time.Duration(c.timeoutSeconds()) * time.Second,
				Poll:         100 * time.Millisecond,
				AfterTimeout: 3 * time.Second,
				Cleanup:      true,
				Logf:         t.Logf,
			}
			rec, err := p.Play(t.Context(), c, *mistralURL)
			require.NoError(t, err)
			for i, s := range rec.Steps {
				if s.Problem != "" {
					t.Logf("step %d (%s): %s", i, s.Op, s.Problem)
				}
			}
			require.NoError(t, WriteGolden(c, rec, *recordOut))
		})
	}
}
