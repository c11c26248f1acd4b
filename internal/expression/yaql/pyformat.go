package yaql

import (
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

var formatSpecRE = regexp.MustCompile(`^(?:(.)?([<>=^]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$`)

// formatValue renders one str.format replacement field: conversion !s/!r
// and a format spec [[fill]align][sign][0][width][,][.precision][type].
func formatValue(v any, conv, spec string) (string, error) {
	if conv == "r" {
		v = pyRepr(v)
	} else if conv == "s" {
		v = pyStrInternal(v)
	}
	if spec == "" {
		return pyStrInternal(v), nil
	}
	m := formatSpecRE.FindStringSubmatch(spec)
	if m == nil {
		return "", errf(KindValue, "Invalid format specifier '%s'", spec)
	}
	fill, align, sign, zero, width, comma, prec, typ := m[1], m[2], m[3], m[5], m[6], m[7], m[8], m[9]
	var body string
	numeric := isNumber(v) || isBoolV(v)
	switch {
	case numeric && (typ == "f" || typ == "F" || typ == "e" || typ == "E" || typ == "g" || typ == "G" || typ == "%" || (typ == "" && prec != "")):
		p := 6
		if prec != "" {
			p, _ = strconv.Atoi(prec)
		}
		f := toFloat(v)
		switch typ {
		case "%":
			body = strconv.FormatFloat(f*100, 'f', p, 64) + "%"
		case "", "g", "G":
			body = strconv.FormatFloat(f, 'g', max(p, 1), 64)
		default:
			body = strconv.FormatFloat(f, typ[0]|0x20, p, 64)
		}
	case numeric && (typ == "d" || typ == "" || typ == "x" || typ == "X" || typ == "o" || typ == "b" || typ == "n"):
		if !isInt(v) && typ != "" {
			return "", errf(KindValue, "Unknown format code '%s' for object of type 'float'", typ)
		}
		if !isInt(v) {
			body = pyStrInternal(v)
			break
		}
		base := map[string]int{"x": 16, "X": 16, "o": 8, "b": 2}[typ]
		if base == 0 {
			base = 10
		}
		n := toBig(v)
		body = new(big.Int).Abs(n).Text(base)
		if typ == "X" {
			body = strings.ToUpper(body)
		}
		if m[4] != "" && base != 10 {
			body = map[int]string{16: "0x", 8: "0o", 2: "0b"}[base] + body
			if typ == "X" {
				body = "0X" + body[2:]
			}
		}
		if n.Sign() < 0 {
			body = "-" + body
		}
	case typ == "" || typ == "s":
		body = pyStrInternal(v)
		if prec != "" {
			p, _ := strconv.Atoi(prec)
			if r := []rune(body); len(r) > p {
				body = string(r[:p])
			}
		}
	default:
		return "", errf(KindValue, "Unknown format code '%s' for object of type '%s'", typ, typeName(v))
	}
	if numeric {
		if comma != "" {
			body = groupThousands(body, comma)
		}
		if sign == "+" && !strings.HasPrefix(body, "-") {
			body = "+" + body
		} else if sign == " " && !strings.HasPrefix(body, "-") {
			body = " " + body
		}
	}
	w, _ := strconv.Atoi(width)
	if zero != "" && align == "" {
		fill, align = "0", "="
	}
	if fill == "" {
		fill = " "
	}
	if align == "" {
		align = "<"
		if numeric {
			align = ">"
		}
	}
	pad := w - utf8.RuneCountInString(body)
	if pad <= 0 {
		return body, nil
	}
	switch align {
	case ">":
		return strings.Repeat(fill, pad) + body, nil
	case "^":
		return strings.Repeat(fill, pad/2) + body + strings.Repeat(fill, pad-pad/2), nil
	case "=":
		if strings.HasPrefix(body, "-") || strings.HasPrefix(body, "+") {
			return body[:1] + strings.Repeat(fill, pad) + body[1:], nil
		}
		return strings.Repeat(fill, pad) + body, nil
	}
	return body + strings.Repeat(fill, pad), nil
}

func groupThousands(s, sep string) string {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// pyStrInternal is Python str() of an internal yaql value (tuples print
// as (1, 2), True/None spelled the Python way).
func pyStrInternal(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return pyRepr(v)
}
