package dsl

import (
	"os"
	"path/filepath"
	"testing"
)

// The biggest corpus documents: a generated 450 KB workflow, and the
// 500-way join that takes Mistral about 37 s to validate.
func BenchmarkParseBigWorkflow(b *testing.B) {
	benchmarkCorpusDoc(b, "mistral-rally__scenarios.big_wf.terminate_wf.yaml")
}

func BenchmarkParseJoin500(b *testing.B) {
	benchmarkCorpusDoc(b, "mistral-rally__scenarios.join.join_500_wb.yaml")
}

func benchmarkCorpusDoc(b *testing.B, name string) {
	src, err := os.ReadFile(filepath.Join(corpusDir, "docs", name))
	if err != nil {
		b.Skip("conformance corpus not present")
	}
	for b.Loop() {
		if _, err := Parse(name, src, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
