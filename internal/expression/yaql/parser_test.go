package yaql

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLexTokens(t *testing.T) {
	tests := []struct {
		src   string
		kinds []tokenKind
		texts []string
	}{
		{"$", []tokenKind{tokDollar}, []string{""}},
		{"$foo $1 $__env", []tokenKind{tokDollar, tokDollar, tokDollar}, []string{"foo", "1", "__env"}},
		{"len(", []tokenKind{tokFunc}, []string{"len"}},
		{"len (", []tokenKind{tokKeyword, tokLParen}, []string{"len", "("}},
		{"not(", []tokenKind{tokFunc}, []string{"not"}},
		{"a and b", []tokenKind{tokKeyword, tokOp, tokKeyword}, []string{"a", "and", "b"}},
		{"x >= 1 => ?. != =~ !~ ->", []tokenKind{tokKeyword, tokOp, tokNumber, tokMapping, tokOp, tokOp, tokOp, tokOp, tokOp},
			[]string{"x", ">=", "1", "=>", "?.", "!=", "=~", "!~", "->"}},
		{`'it\'s' "a\tb" ` + "`v\\n`", []tokenKind{tokString, tokString, tokString}, []string{"it's", "a\tb", `v\n`}},
		{`'\x41\u00e9\101\q'`, []tokenKind{tokString}, []string{`Aé` + "A" + `\q`}},
		{"2.abs()", []tokenKind{tokNumber, tokOp, tokFunc, tokRParen}, []string{"2", ".", "abs", ")"}},
		{"true false null", []tokenKind{tokTrue, tokFalse, tokNull}, []string{"true", "false", "null"}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			toks, err := lex(tt.src)
			require.NoError(t, err)
			require.Len(t, toks, len(tt.kinds)+1, "tokens: %v", toks)
			for i, k := range tt.kinds {
				require.Equal(t, k, toks[i].kind, "token %d", i)
				require.Equal(t, tt.texts[i], toks[i].text, "token %d", i)
			}
			require.Equal(t, tokEOF, toks[len(toks)-1].kind)
		})
	}
}

func TestLexNumbers(t *testing.T) {
	toks, err := lex("12 3.25 100000000000000000000")
	require.NoError(t, err)
	require.Equal(t, int64(12), toks[0].num)
	require.Equal(t, 3.25, toks[1].num)
	require.Equal(t, "100000000000000000000", toks[2].text)
	_, isBig := toks[2].num.(interface{ String() string })
	require.True(t, isBig)
}

func TestLexErrors(t *testing.T) {
	for _, src := range []string{"1.5e3", "12abc", "'unterminated", "__x", "#", "a ; b"} {
		t.Run(src, func(t *testing.T) {
			_, err := lex(src)
			require.Error(t, err)
			require.Equal(t, KindLexical, KindOf(err))
		})
	}
}

func TestParsePrecedence(t *testing.T) {
	tests := []struct{ src, want string }{
		{"1 + 2 * 3", "(1 + (2 * 3))"},
		{"-2 * 3 mod 4", "(((-2) * 3) mod 4)"},
		{"not $.x = 5", "(not (($.x) = 5))"},
		{"not true and false", "((not true) and false)"},
		{"a or b and c", "(a or (b and c))"},
		{"1 < 2 = true", "((1 < 2) = true)"},
		{"'aa' =~ 'a' + 'b'", "(('aa' =~ 'a') + 'b')"},
		{"$.a.b[0].c", "((($.a).b)[0].c)"},
		{"-$[0]", "(-$[0])"},
		{"$?.x", "($?.x)"},
		{"let(x => 1) -> $x + 1", "(let(x => 1) -> ($x + 1))"},
		{"a -> b -> c", "(a -> (b -> c))"},
		{"$.list.where($ > 1).select($ * 2)", "((($.list).where(($ > 1))).select(($ * 2)))"},
		{"[1, 2][0]", "[1, 2][0]"},
		{"{a => 1, 'b' => [2]}", "{a => 1, 'b' => [2]}"},
		{"f(1,,3)", "f(1, , 3)"},
		{"f(,1)", "f(, 1)"},
		{"x in [1] and y", "((x in [1]) and y)"},
		{"--5", "(-(-5))"},
		{"(1 + 2) * 3", "((1 + 2) * 3)"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := Parse(tt.src)
			require.NoError(t, err)
			require.Equal(t, tt.want, e.String())
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, src := range []string{
		"", "$.", "$.list[", "1 +", "'a' = ", "len ($)", "$$", "f(1,)", "f(,)", "f(a => 1, 2)",
		"$foo(1)", "(1", "[1, 2", "1 2", "not", "a.b c",
	} {
		t.Run(src, func(t *testing.T) {
			_, err := Parse(src)
			require.Error(t, err)
			require.True(t, IsParseError(err), "error %v should be a parse error", err)
			require.Contains(t, err.Error(), "position")
		})
	}
}
