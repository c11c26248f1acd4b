package expression

import (
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// findYAQLBlocks must find exactly what Mistral's regex finds.
func TestFindYAQLBlocksMatchesMistralRegex(t *testing.T) {
	re := regexp.MustCompile(`<%.*?%>`)
	alphabet := []string{"<", "%", ">", "\n", "a", " ", "<%", "%>"}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		n := r.IntN(12)
		s := ""
		for j := 0; j < n; j++ {
			s += alphabet[r.IntN(len(alphabet))]
		}
		require.Equal(t, re.FindAllString(s, -1), findYAQLBlocks(s), "input %q", s)
	}
}
