package dsl

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks Parse never panics and always returns either a document
// or an *ErrorList with positioned errors.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"testdata/valid", "testdata/invalid"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, file := range files {
			if src, err := os.ReadFile(file); err == nil {
				f.Add(src)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, err := Parse("fuzz.yaml", src, Options{CheckExpression: testCheckExpression})
		if err == nil {
			if doc == nil {
				t.Fatal("no error and no document")
			}
			return
		}
		list, ok := err.(*ErrorList)
		if !ok || len(*list) == 0 {
			t.Fatalf("error is %T %v, want a non-empty *ErrorList", err, err)
		}
		for _, e := range *list {
			if e.Pos.Line < 1 || e.Pos.Column < 1 {
				t.Fatalf("error without a position: %v", e)
			}
		}
	})
}
