package jinja

import "strings"

// lstripBlocks applies Jinja's lstrip_blocks to a template source: spaces
// and tabs from the start of a line up to a {% or {# tag are removed
// (unless the tag opens with a +). gonja's own LeftStripBlocks also strips
// whitespace after text on the same line ("{{ x }} {% endfor %}" loses
// its space), so bora does it here, before lexing, and leaves gonja's off.
func lstripBlocks(src string) string {
	if !strings.Contains(src, "{%") && !strings.Contains(src, "{#") {
		return src
	}
	var out strings.Builder
	out.Grow(len(src))
	lineWS := 0 // where the current line's leading whitespace starts in out; -1 once text appears
	for i := 0; i < len(src); {
		c := src[i]
		if c == '{' && i+1 < len(src) && (src[i+1] == '%' || src[i+1] == '#' || src[i+1] == '{') {
			closing := map[byte]string{'%': "%}", '#': "#}", '{': "}}"}[src[i+1]]
			if src[i+1] != '{' && lineWS >= 0 && !(i+2 < len(src) && src[i+2] == '+') {
				s := out.String()[:lineWS]
				out.Reset()
				out.WriteString(s)
			}
			end := strings.Index(src[i+2:], closing)
			if end < 0 {
				out.WriteString(src[i:])
				break
			}
			out.WriteString(src[i : i+2+end+2])
			i += 2 + end + 2
			lineWS = -1
			continue
		}
		out.WriteByte(c)
		switch {
		case c == '\n':
			lineWS = out.Len()
		case c == ' ' || c == '\t':
		default:
			lineWS = -1
		}
		i++
	}
	return out.String()
}
