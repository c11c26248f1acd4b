package yaql

import (
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// operatorSymbols are the punctuation operators, longest first, because the
// PLY lexer yaql uses tries longer operator regexes before shorter ones.
var operatorSymbols = []string{"?.", "=~", "!~", ">=", "<=", "!=", "->", ".", "*", "/", "+", "-", ">", "<", "="}

// wordOperators are identifiers that lex as operators instead of strings.
var wordOperators = map[string]bool{"and": true, "or": true, "not": true, "in": true, "mod": true}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// lexer turns YAQL source into tokens, following yaql's lexer rules in their
// order of precedence: $var, number, name(, bare word, quoted strings, operators.
type lexer struct {
	src string
	pos int
}

func lex(src string) ([]token, error) {
	l := &lexer{src: src}
	var toks []token
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		if t.kind == tokEOF {
			return toks, nil
		}
	}
}

func (l *lexer) peekRune(at int) (rune, int) {
	if at >= len(l.src) {
		return 0, 0
	}
	return utf8.DecodeRuneInString(l.src[at:])
}

// prevIsWord reports whether the rune before offset at is a word rune; the
// lexer's \b anchors depend on it.
func (l *lexer) prevIsWord(at int) bool {
	if at == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(l.src[:at])
	return isWordRune(r)
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && strings.IndexByte(" \t\r\n", l.src[l.pos]) >= 0 {
		l.pos++
	}
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tokEOF, pos: start}, nil
	}
	c := l.src[start]
	switch {
	case c == '$':
		end := l.scanWord(start + 1)
		l.pos = end
		return token{kind: tokDollar, text: l.src[start+1 : end], pos: start}, nil
	case c >= '0' && c <= '9':
		return l.number(start)
	case c == '\'' || c == '"' || c == '`':
		return l.quoted(start, c)
	case c == '(':
		l.pos++
		return token{kind: tokLParen, text: "(", pos: start}, nil
	case c == ')':
		l.pos++
		return token{kind: tokRParen, text: ")", pos: start}, nil
	case c == ']':
		l.pos++
		return token{kind: tokRBracket, text: "]", pos: start}, nil
	case c == '}':
		l.pos++
		return token{kind: tokRBrace, text: "}", pos: start}, nil
	case c == ',':
		l.pos++
		return token{kind: tokComma, text: ",", pos: start}, nil
	case c == '[':
		l.pos++
		return token{kind: tokIndexer, text: "[", pos: start}, nil
	case c == '{':
		l.pos++
		return token{kind: tokMap, text: "{", pos: start}, nil
	}
	if strings.HasPrefix(l.src[start:], "=>") {
		l.pos += 2
		return token{kind: tokMapping, text: "=>", pos: start}, nil
	}
	r, _ := l.peekRune(start)
	if (r == '_' || unicode.IsLetter(r)) && !l.prevIsWord(start) {
		end := l.scanWord(start)
		word := l.src[start:end]
		if end < len(l.src) && l.src[end] == '(' {
			l.pos = end + 1
			return token{kind: tokFunc, text: word, pos: start}, nil
		}
		if strings.HasPrefix(word, "__") {
			return token{}, lexError(start, l.src)
		}
		l.pos = end
		switch {
		case wordOperators[word]:
			return token{kind: tokOp, text: word, pos: start}, nil
		case word == "true":
			return token{kind: tokTrue, text: word, pos: start}, nil
		case word == "false":
			return token{kind: tokFalse, text: word, pos: start}, nil
		case word == "null":
			return token{kind: tokNull, text: word, pos: start}, nil
		}
		return token{kind: tokKeyword, text: word, pos: start}, nil
	}
	for _, op := range operatorSymbols {
		if strings.HasPrefix(l.src[start:], op) {
			l.pos += len(op)
			return token{kind: tokOp, text: op, pos: start}, nil
		}
	}
	return token{}, lexError(start, l.src)
}

func (l *lexer) scanWord(at int) int {
	for at < len(l.src) {
		r, size := l.peekRune(at)
		if !isWordRune(r) {
			break
		}
		at += size
	}
	return at
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

// number lexes \b\d+(\.\d+)?\b. A number glued to letters (12abc, 1e5) is a
// lexical error, as in yaql; "2.abs()" is the number 2 and a method call.
func (l *lexer) number(start int) (token, error) {
	if l.prevIsWord(start) {
		return token{}, lexError(start, l.src)
	}
	end := start
	for end < len(l.src) && isASCIIDigit(l.src[end]) {
		end++
	}
	intEnd := end
	if end+1 < len(l.src) && l.src[end] == '.' && isASCIIDigit(l.src[end+1]) {
		end++
		for end < len(l.src) && isASCIIDigit(l.src[end]) {
			end++
		}
	}
	if r, _ := l.peekRune(end); end < len(l.src) && isWordRune(r) {
		if end == intEnd {
			return token{}, lexError(start, l.src)
		}
		end = intEnd // backtrack: "1.5e3" lexes "1" then fails on "5e3"
	}
	text := l.src[start:end]
	l.pos = end
	if strings.Contains(text, ".") {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return token{}, lexError(start, l.src)
		}
		return token{kind: tokNumber, text: text, num: f, pos: start}, nil
	}
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return token{kind: tokNumber, text: text, num: i, pos: start}, nil
	}
	b, _ := new(big.Int).SetString(text, 10)
	return token{kind: tokNumber, text: text, num: b, pos: start}, nil
}

func (l *lexer) quoted(start int, quote byte) (token, error) {
	i := start + 1
	for i < len(l.src) {
		switch l.src[i] {
		case '\\':
			if i+1 >= len(l.src) || l.src[i+1] == '\n' {
				return token{}, lexError(start, l.src)
			}
			i += 2
			continue
		case '\n':
			return token{}, lexError(start, l.src)
		case quote:
			raw := l.src[start+1 : i]
			l.pos = i + 1
			var text string
			ok := true
			if quote == '`' {
				text = strings.ReplaceAll(raw, "\\`", "`")
			} else if text, ok = decodeEscapes(raw); !ok {
				return token{}, newError(KindLexical, start, "lexical error: \\N{name} escapes are not supported")
			}
			return token{kind: tokString, text: text, pos: start}, nil
		}
		i++
	}
	return token{}, lexError(start, l.src)
}

// decodeEscapes applies Python's unicode-escape decoding to the escape
// sequences yaql recognises; unknown escapes stay as written.
func decodeEscapes(s string) (string, bool) {
	if !strings.Contains(s, "\\") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		n := s[i+1]
		if r, ok := singleEscapes[n]; ok {
			b.WriteByte(r)
			i++
			continue
		}
		hexLen := 0
		switch n {
		case 'x':
			hexLen = 2
		case 'u':
			hexLen = 4
		case 'U':
			hexLen = 8
		}
		if hexLen > 0 && i+2+hexLen <= len(s) {
			if v, err := strconv.ParseUint(s[i+2:i+2+hexLen], 16, 32); err == nil {
				b.WriteRune(rune(v))
				i += 1 + hexLen
				continue
			}
		}
		if n == 'N' && i+2 < len(s) && s[i+2] == '{' {
			// \N{NAME} would need the Unicode name table.
			return "", false
		}
		if n >= '0' && n <= '7' {
			j := i + 1
			for j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i+1:j], 8, 32)
			b.WriteRune(rune(v))
			i = j - 1
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

var singleEscapes = map[byte]byte{
	'\\': '\\', '\'': '\'', '"': '"', 'a': 7, 'b': 8, 'f': 12, 'n': '\n', 'r': '\r', 't': '\t', 'v': 11,
}
