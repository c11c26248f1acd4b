package yaql

import (
	"strings"
)

// String renders the parsed tree fully parenthesised, e.g. "((1 + (2 * 3)))"
// style, so precedence decisions are visible in tests and debugging.
func (e *Expr) String() string {
	var b strings.Builder
	writeNode(&b, e.root)
	return b.String()
}

func writeNode(b *strings.Builder, n node) {
	switch t := n.(type) {
	case *constNode:
		if s, ok := t.val.(string); ok {
			b.WriteString(pyQuote(s))
			return
		}
		b.WriteString(yaqlStr(t.val))
	case *keywordNode:
		b.WriteString(t.name)
	case *varNode:
		b.WriteString("$" + t.name)
	case *callNode:
		b.WriteString(t.name)
		writeArgs(b, "(", t.args, ")")
	case *listNode:
		writeArgs(b, "[", t.args, "]")
	case *mapNode:
		writeArgs(b, "{", t.args, "}")
	case *indexNode:
		writeNode(b, t.target)
		writeArgs(b, "[", t.args, "]")
	case *binaryNode:
		b.WriteString("(")
		writeNode(b, t.left)
		if t.op == "." || t.op == "?." {
			b.WriteString(t.op)
		} else {
			b.WriteString(" " + t.op + " ")
		}
		writeNode(b, t.right)
		b.WriteString(")")
	case *unaryNode:
		b.WriteString("(" + t.op)
		if t.op == "not" {
			b.WriteString(" ")
		}
		writeNode(b, t.operand)
		b.WriteString(")")
	}
}

func writeArgs(b *strings.Builder, open string, args []arg, close string) {
	b.WriteString(open)
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		if a.skipped {
			continue
		}
		if a.key != nil {
			writeNode(b, a.key)
			b.WriteString(" => ")
		}
		writeNode(b, a.value)
	}
	b.WriteString(close)
}
