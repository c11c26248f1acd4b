package yaql

// tokenKind classifies a lexeme; it mirrors the token names of yaql's PLY lexer.
type tokenKind int

const (
	tokEOF     tokenKind = iota
	tokDollar            // $, $name, $1
	tokNumber            // 12, 1.5
	tokFunc              // name( — identifier immediately followed by '('
	tokKeyword           // bare identifier: a string constant
	tokString            // 'x', "x", `x`
	tokTrue
	tokFalse
	tokNull
	tokOp       // operator symbol or word (and, or, not, in, mod)
	tokIndexer  // [
	tokMap      // {
	tokMapping  // =>
	tokLParen   // (
	tokRParen   // )
	tokRBracket // ]
	tokRBrace   // }
	tokComma    // ,
)

// token is one lexeme with its byte offset in the source.
type token struct {
	kind tokenKind
	text string // operator symbol, identifier, variable name (without $), decoded string
	num  any    // int64, *big.Int or float64 for tokNumber
	pos  int
}

func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokString:
		return "string '" + t.text + "'"
	case tokDollar:
		return "'$" + t.text + "'"
	case tokFunc:
		return "'" + t.text + "('"
	}
	return "'" + t.text + "'"
}
