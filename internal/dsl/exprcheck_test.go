package dsl

import (
	"errors"
	"strings"
)

// testCheckExpression is a small stand-in for the real YAQL/Jinja syntax
// checks (package expression), good enough to catch the broken
// expressions of the corpus: unbalanced brackets and quotes, and
// expressions that end in an operator or start with one that cannot start.
func testCheckExpression(s string) error {
	for _, m := range hasYAQLRe.FindAllString(s, -1) {
		if err := checkExprBody(strings.TrimSpace(strings.Trim(m, "<%>"))); err != nil {
			return err
		}
	}
	for _, m := range hasJinjaRe.FindAllString(s, -1) {
		body := strings.TrimSpace(m[2 : len(m)-2])
		if strings.HasPrefix(m, "{%") {
			continue
		}
		if err := checkExprBody(body); err != nil {
			return err
		}
	}
	return nil
}

func checkExprBody(e string) error {
	if e == "" {
		return errors.New("empty expression")
	}
	var stack []rune
	var quote rune
	for _, r := range e {
		if quote != 0 {
			if r == quote {
				quote = 0
			}
			continue
		}
		switch r {
		case '\'', '"', '`':
			quote = r
		case '(', '[', '{':
			stack = append(stack, r)
		case ')', ']', '}':
			if len(stack) == 0 {
				return errors.New("unbalanced " + string(r))
			}
			stack = stack[:len(stack)-1]
		}
	}
	if quote != 0 || len(stack) > 0 {
		return errors.New("unexpected end of statement")
	}
	words := strings.Fields(e)
	switch words[len(words)-1] {
	case "and", "or", "not", "in":
		return errors.New("unexpected end of statement")
	}
	last := e[len(e)-1]
	if strings.ContainsRune("+-*/<>=!,.|&", rune(last)) {
		return errors.New("unexpected end of statement")
	}
	if strings.ContainsRune("*/=,|&", rune(e[0])) {
		return errors.New("unexpected operator at the start")
	}
	return nil
}
