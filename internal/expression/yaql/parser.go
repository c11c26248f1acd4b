package yaql

import "fmt"

// Binding powers, from yaql's operator table (higher binds tighter).
const (
	bpArrow   = 5
	bpOr      = 10
	bpAnd     = 20
	bpNot     = 30
	bpCompare = 40
	bpAdd     = 50
	bpMul     = 60
	bpRegex   = 70
	bpUnary   = 80
	bpIndex   = 90
	bpDot     = 100
)

var binaryPower = map[string]int{
	"->": bpArrow, "or": bpOr, "and": bpAnd,
	">": bpCompare, "<": bpCompare, ">=": bpCompare, "<=": bpCompare, "!=": bpCompare, "=": bpCompare, "in": bpCompare,
	"+": bpAdd, "-": bpAdd, "*": bpMul, "/": bpMul, "mod": bpMul, "=~": bpRegex, "!~": bpRegex,
	".": bpDot, "?.": bpDot,
}

// Expr is a parsed YAQL expression, safe to evaluate concurrently.
type Expr struct {
	src  string
	root node
}

// Source returns the expression text as parsed.
func (e *Expr) Source() string { return e.src }

// Parse parses one YAQL expression.
func Parse(src string) (*Expr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	root, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.unexpected(t)
	}
	return &Expr{src: src, root: root}, nil
}

type parser struct {
	src   string
	toks  []token
	i     int
	depth int
}

// maxNesting bounds how deeply expressions may nest, so a hostile
// expression cannot exhaust the stack of the parser or the evaluator.
const maxNesting = 256

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) unexpected(t token) error {
	return newError(KindGrammar, t.pos, "syntax error: unexpected %s", t.describe())
}

func (p *parser) expect(kind tokenKind, what string) (token, error) {
	t := p.advance()
	if t.kind != kind {
		return t, newError(KindGrammar, t.pos, "syntax error: expected %s, found %s", what, t.describe())
	}
	return t, nil
}

// expr parses operators binding tighter than minBP (precedence climbing).
func (p *parser) expr(minBP int) (node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxNesting {
		return nil, newError(KindGrammar, p.peek().pos, "syntax error: expression nested more than %d levels deep", maxNesting)
	}
	left, err := p.prefix()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		switch t.kind {
		case tokIndexer:
			if bpIndex <= minBP {
				return left, nil
			}
			p.advance()
			args, err := p.args(tokRBracket)
			if err != nil {
				return nil, err
			}
			left = &indexNode{pos: t.pos, target: left, args: args}
			continue
		case tokOp:
			bp, ok := binaryPower[t.text]
			if !ok {
				return nil, p.unexpected(t) // "not" cannot follow a value
			}
			rightMin := bp
			if t.text == "->" { // right associative
				if bp < minBP {
					return left, nil
				}
				rightMin = bp - 1
			} else if bp <= minBP {
				return left, nil
			}
			p.advance()
			right, err := p.expr(rightMin)
			if err != nil {
				return nil, err
			}
			left = &binaryNode{pos: t.pos, op: t.text, left: left, right: right}
			continue
		case tokLParen:
			return nil, newError(KindGrammar, t.pos, "syntax error: unexpected '(' (a function name must be followed by '(' without a space)")
		}
		return left, nil
	}
}

func (p *parser) prefix() (node, error) {
	t := p.advance()
	switch t.kind {
	case tokNumber:
		return &constNode{pos: t.pos, val: t.num}, nil
	case tokString:
		return &constNode{pos: t.pos, val: t.text}, nil
	case tokTrue:
		return &constNode{pos: t.pos, val: true}, nil
	case tokFalse:
		return &constNode{pos: t.pos, val: false}, nil
	case tokNull:
		return &constNode{pos: t.pos, val: nil}, nil
	case tokKeyword:
		return &keywordNode{pos: t.pos, name: t.text}, nil
	case tokDollar:
		return &varNode{pos: t.pos, name: t.text}, nil
	case tokLParen:
		inner, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tokRParen, "')'"); err != nil {
			return nil, err
		}
		if c, ok := inner.(*constNode); ok {
			return &constNode{pos: c.pos, val: c.val, wrapped: true}, nil
		}
		return inner, nil
	case tokIndexer:
		args, err := p.args(tokRBracket)
		if err != nil {
			return nil, err
		}
		return &listNode{pos: t.pos, args: args}, nil
	case tokMap:
		args, err := p.args(tokRBrace)
		if err != nil {
			return nil, err
		}
		return &mapNode{pos: t.pos, args: args}, nil
	case tokFunc:
		args, err := p.args(tokRParen)
		if err != nil {
			return nil, err
		}
		return &callNode{pos: t.pos, name: t.text, args: args}, nil
	case tokOp:
		switch t.text {
		case "-", "+":
			operand, err := p.expr(bpUnary)
			if err != nil {
				return nil, err
			}
			return &unaryNode{pos: t.pos, op: t.text, operand: operand}, nil
		case "not":
			operand, err := p.expr(bpNot)
			if err != nil {
				return nil, err
			}
			return &unaryNode{pos: t.pos, op: t.text, operand: operand}, nil
		}
	}
	return nil, p.unexpected(t)
}

// args parses a comma separated argument list up to the closing token:
// positional args first, then name => value pairs; an empty slot between
// commas is a skipped positional argument (but not the last slot).
func (p *parser) args(closing tokenKind) ([]arg, error) {
	var out []arg
	if p.peek().kind == closing {
		p.advance()
		return out, nil
	}
	named := false
	for {
		t := p.peek()
		if t.kind == tokComma {
			if named {
				return nil, p.unexpected(t)
			}
			p.advance()
			out = append(out, arg{skipped: true})
			continue
		}
		value, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if p.peek().kind == tokMapping {
			p.advance()
			v, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			out = append(out, arg{key: value, value: v})
			named = true
		} else {
			if named {
				return nil, newError(KindGrammar, value.position(), "syntax error: positional argument after a named (=>) argument")
			}
			out = append(out, arg{value: value})
		}
		t = p.advance()
		switch t.kind {
		case closing:
			return out, nil
		case tokComma:
			if p.peek().kind == closing {
				return nil, p.unexpected(p.peek())
			}
		default:
			return nil, newError(KindGrammar, t.pos, "syntax error: expected ',' or %s, found %s", closingName(closing), t.describe())
		}
	}
}

func closingName(k tokenKind) string {
	switch k {
	case tokRParen:
		return "')'"
	case tokRBracket:
		return "']'"
	}
	return fmt.Sprintf("%q", "}")
}
