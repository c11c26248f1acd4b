package yaql

// node is an AST node of a parsed YAQL expression.
type node interface{ position() int }

type (
	// constNode is a literal: number, quoted string, true, false, null.
	constNode struct {
		pos int
		val any
		// wrapped marks a parenthesised literal: yaql no longer treats it as
		// a constant when choosing an overload.
		wrapped bool
	}
	// keywordNode is a bare identifier, which YAQL treats as a string
	// constant (and as a parameter name on the left of =>).
	keywordNode struct {
		pos  int
		name string
	}
	// varNode is $ / $name; name "" means $ (the same variable as $1).
	varNode struct {
		pos  int
		name string
	}
	// callNode is name(args) — a function call, or a method call when it is
	// the right side of '.'.
	callNode struct {
		pos  int
		name string
		args []arg
	}
	listNode struct {
		pos  int
		args []arg
	}
	mapNode struct {
		pos  int
		args []arg
	}
	indexNode struct {
		pos    int
		target node
		args   []arg
	}
	binaryNode struct {
		pos         int
		op          string
		left, right node
	}
	unaryNode struct {
		pos     int
		op      string
		operand node
	}
)

// arg is one argument: positional (key == nil), named (key => value), or a
// skipped positional slot (f(1,,3)).
type arg struct {
	key     node
	value   node
	skipped bool
}

func (n *constNode) position() int   { return n.pos }
func (n *keywordNode) position() int { return n.pos }
func (n *varNode) position() int     { return n.pos }
func (n *callNode) position() int    { return n.pos }
func (n *listNode) position() int    { return n.pos }
func (n *mapNode) position() int     { return n.pos }
func (n *indexNode) position() int   { return n.pos }
func (n *binaryNode) position() int  { return n.pos }
func (n *unaryNode) position() int   { return n.pos }
