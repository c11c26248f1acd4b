// Package pyjson reports why Python's json.loads refuses a JSON text, in
// Python's words. Mistral decodes JSON given as text in API fields with
// json.loads and answers 400 with str(json.JSONDecodeError), so a client
// of bora should read the same sentence, down to the position.
//
// The walk follows CPython's C scanner (Modules/_json.c), which
// json.loads uses whenever the _json module is built (always, in the
// Pythons Mistral runs on), not the pure-Python fallback in
// Lib/json/scanner.py: the two differ in wording ("Invalid \\escape" vs
// "Invalid \\escape: 'x'") and in where some errors point.
package pyjson

import (
	"fmt"
	"strings"
)

// SyntaxError is a json.JSONDecodeError. Pos counts code points, as
// Python indexes a str; Line and Col are computed from it as Python does.
type SyntaxError struct {
	Msg  string
	Pos  int
	Line int
	Col  int
}

// Error is str(json.JSONDecodeError).
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s: line %d column %d (char %d)", e.Msg, e.Line, e.Col, e.Pos)
}

// Check reports the JSONDecodeError json.loads(text) raises, or nil when
// Python would decode text. Check is meant for text a stricter decoder
// already refused, so nil means only that Python would have accepted it
// (NaN, Infinity, numbers beyond float64), not that the text is standard
// JSON. Errors other than JSONDecodeError (RecursionError on very deep
// nesting, ValueError on integers over sys.int_max_str_digits) are not
// modelled: Check accepts such text.
func Check(text string) error {
	// Python positions are code-point indexes; invalid UTF-8 (which a Go
	// string decoded from JSON never holds) counts one per bad byte.
	s := &scanner{s: []rune(text)}
	if len(s.s) > 0 && s.s[0] == '\ufeff' {
		return s.fail("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0)
	}
	end, err := s.value(s.skipSpace(0))
	if err != nil {
		return err
	}
	if end = s.skipSpace(end); end != len(s.s) {
		return s.fail("Extra data", end)
	}
	return nil
}

type scanner struct {
	s []rune
}

// fail builds the error at pos, numbering lines as JSONDecodeError does:
// lineno counts newlines before pos, colno is the distance from the last
// of them (or pos+1 on the first line).
func (sc *scanner) fail(msg string, pos int) error {
	line, lastNL := 1, -1
	for i := 0; i < pos && i < len(sc.s); i++ {
		if sc.s[i] == '\n' {
			line++
			lastNL = i
		}
	}
	return &SyntaxError{Msg: msg, Pos: pos, Line: line, Col: pos - lastNL}
}

func (sc *scanner) skipSpace(idx int) int {
	for idx < len(sc.s) && isSpace(sc.s[idx]) {
		idx++
	}
	return idx
}

// isSpace is json's WHITESPACE: only these four, not Unicode spaces.
func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

func (sc *scanner) hasPrefix(idx int, word string) bool {
	return strings.HasPrefix(string(sc.s[idx:]), word)
}

// value is scan_once: it returns the index after the value. Where the
// scanner raises StopIteration(idx), json.loads (and the container
// parsers, which let it pass through) report "Expecting value" at idx.
func (sc *scanner) value(idx int) (int, error) {
	if idx >= len(sc.s) {
		return 0, sc.fail("Expecting value", idx)
	}
	switch sc.s[idx] {
	case '"':
		return sc.str(idx + 1)
	case '{':
		return sc.object(idx + 1)
	case '[':
		return sc.array(idx + 1)
	}
	for _, word := range []string{"null", "true", "false", "NaN", "Infinity", "-Infinity"} {
		if sc.hasPrefix(idx, word) {
			return idx + len(word), nil
		}
	}
	return sc.number(idx)
}

// number is _match_number_unicode: a fraction or exponent with no digit
// after it is not part of the number, which then ends before it (so
// "1." fails as "Extra data" at the dot, not as a bad number).
func (sc *scanner) number(start int) (int, error) {
	s, idx := sc.s, start
	digit := func(i int) bool { return i < len(s) && s[i] >= '0' && s[i] <= '9' }
	if s[idx] == '-' {
		idx++
	}
	switch {
	case idx < len(s) && s[idx] >= '1' && s[idx] <= '9':
		for idx++; digit(idx); idx++ {
		}
	case idx < len(s) && s[idx] == '0':
		idx++
	default:
		return 0, sc.fail("Expecting value", start)
	}
	if idx+1 < len(s) && s[idx] == '.' && digit(idx+1) {
		for idx += 2; digit(idx); idx++ {
		}
	}
	if idx+1 < len(s) && (s[idx] == 'e' || s[idx] == 'E') {
		e := idx
		idx++
		if idx+1 < len(s) && (s[idx] == '-' || s[idx] == '+') {
			idx++
		}
		for ; digit(idx); idx++ {
		}
		if !digit(idx - 1) {
			idx = e
		}
	}
	return idx, nil
}

// object is _parse_object_unicode; idx is just after '{'.
func (sc *scanner) object(idx int) (int, error) {
	s := sc.s
	idx = sc.skipSpace(idx)
	if idx < len(s) && s[idx] == '}' {
		return idx + 1, nil
	}
	for {
		if idx >= len(s) || s[idx] != '"' {
			return 0, sc.fail("Expecting property name enclosed in double quotes", idx)
		}
		next, err := sc.str(idx + 1)
		if err != nil {
			return 0, err
		}
		idx = sc.skipSpace(next)
		if idx >= len(s) || s[idx] != ':' {
			return 0, sc.fail("Expecting ':' delimiter", idx)
		}
		if idx, err = sc.value(sc.skipSpace(idx + 1)); err != nil {
			return 0, err
		}
		idx = sc.skipSpace(idx)
		if idx < len(s) && s[idx] == '}' {
			return idx + 1, nil
		}
		if idx >= len(s) || s[idx] != ',' {
			return 0, sc.fail("Expecting ',' delimiter", idx)
		}
		// Python before 3.13 has no word for a trailing comma: the next
		// key is simply missing.
		idx = sc.skipSpace(idx + 1)
	}
}

// array is _parse_array_unicode; idx is just after '['.
func (sc *scanner) array(idx int) (int, error) {
	s := sc.s
	idx = sc.skipSpace(idx)
	if idx < len(s) && s[idx] == ']' {
		return idx + 1, nil
	}
	for {
		var err error
		if idx, err = sc.value(idx); err != nil {
			return 0, err
		}
		idx = sc.skipSpace(idx)
		if idx < len(s) && s[idx] == ']' {
			return idx + 1, nil
		}
		if idx >= len(s) || s[idx] != ',' {
			return 0, sc.fail("Expecting ',' delimiter", idx)
		}
		idx = sc.skipSpace(idx + 1)
	}
}

// str is scanstring_unicode (strict); end is just after the opening
// quote, and errors about the string as a whole point at that quote.
func (sc *scanner) str(end int) (int, error) {
	s, begin := sc.s, end-1
	for {
		next := end
		for ; next < len(s) && s[next] != '"' && s[next] != '\\'; next++ {
			if s[next] <= 0x1f {
				return 0, sc.fail("Invalid control character at", next)
			}
		}
		if next >= len(s) {
			return 0, sc.fail("Unterminated string starting at", begin)
		}
		if s[next] == '"' {
			return next + 1, nil
		}
		next++ // past the backslash
		if next >= len(s) {
			return 0, sc.fail("Unterminated string starting at", begin)
		}
		if s[next] != 'u' {
			if !strings.ContainsRune(`"\/bfnrt`, s[next]) {
				return 0, sc.fail(`Invalid \escape`, next-1)
			}
			end = next + 1
			continue
		}
		// A \u escape needs its four digits and one more character (at
		// least the closing quote) before the scanner looks at them.
		next++
		end = next + 4
		if end >= len(s) {
			return 0, sc.fail(`Invalid \uXXXX escape`, next-1)
		}
		c, ok := hex4(s[next:end])
		if !ok {
			return 0, sc.fail(`Invalid \uXXXX escape`, end-5)
		}
		// A high surrogate takes a following \uXXXX along when the text
		// is long enough to hold it and one more character; only then
		// are its digits checked.
		if c >= 0xd800 && c <= 0xdbff && end+6 < len(s) && s[end] == '\\' && s[end+1] == 'u' {
			if _, ok := hex4(s[end+2 : end+6]); !ok {
				return 0, sc.fail(`Invalid \uXXXX escape`, end+1)
			}
			// Whether or not it is a low surrogate, the scan goes on
			// from the same place as if the escapes were read apart.
		}
	}
}

func hex4(rs []rune) (rune, bool) {
	var c rune
	for _, r := range rs {
		var d rune
		switch {
		case r >= '0' && r <= '9':
			d = r - '0'
		case r >= 'a' && r <= 'f':
			d = r - 'a' + 10
		case r >= 'A' && r <= 'F':
			d = r - 'A' + 10
		default:
			return 0, false
		}
		c = c<<4 | d
	}
	return c, true
}
