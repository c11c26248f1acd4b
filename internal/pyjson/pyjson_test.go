package pyjson

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// TestPythonErrors checks Check against what CPython's json.loads said
// about each text in testdata/pyjson_errors.jsonl (made by
// testdata/pyjson_oracle.py). PYJSON_CASES names another such file, for
// trying many more cases than are worth keeping.
func TestPythonErrors(t *testing.T) {
	path := "testdata/pyjson_errors.jsonl"
	if p := os.Getenv("PYJSON_CASES"); p != "" {
		path = p
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var c struct {
			Text  string  `json:"text"`
			Error *string `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		n++
		got := Check(c.Text)
		switch {
		case c.Error == nil && got != nil:
			t.Errorf("Check(%q) = %q, Python accepts it", c.Text, got)
		case c.Error != nil && got == nil:
			t.Errorf("Check(%q) = nil, Python says %q", c.Text, *c.Error)
		case c.Error != nil && got.Error() != *c.Error:
			t.Errorf("Check(%q)\n got %q\nwant %q", c.Text, got, *c.Error)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("only %d cases read", n)
	}
}

func TestSyntaxErrorFields(t *testing.T) {
	err := Check("[\"é😀\",\n x]")
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Check = %v, want a *SyntaxError", err)
	}
	// Positions count code points: é and 😀 are one each, not 2 and 4 bytes.
	if se.Msg != "Expecting value" || se.Pos != 8 || se.Line != 2 || se.Col != 2 {
		t.Fatalf("got %+v", *se)
	}
}
