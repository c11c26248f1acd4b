package compat

import "flag"

// Flags of the recorder and of the comparison test; see doc.go.
var (
	recordFlag  = flag.Bool("record", false, "re-record the golden files against a running Mistral (TestRecord)")
	mistralURL  = flag.String("mistral-url", "http://127.0.0.1:8989/v2", "Mistral API the recorder talks to")
	caseFilter  = flag.String("case", "", "regular expression: play only the cases whose name matches")
	recordOut   = flag.String("record-out", "", "with -record: write goldens under this directory (DIR/<case>/golden.json) instead of the cases, to check Mistral's determinism by diffing two recordings")
	updateKnown = flag.Bool("update-known", false, "rewrite testdata/known_differences.txt from this run of TestCompat")
)

const (
	casesDir  = "testdata/cases"
	knownFile = "testdata/known_differences.txt"
)
