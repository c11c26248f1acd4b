package dsl

import "strings"

// suggest returns the allowed name closest to a misspelt one ("" if none is
// close), so "unknown attribute" errors can say what was probably meant:
// wait_before → wait-before, on-sucess → on-success.
func suggest(name string, allowed []string) string {
	best, bestDist := "", 3 // farther than 2 edits is a different word
	for _, a := range allowed {
		if strings.ReplaceAll(name, "_", "-") == a {
			return a
		}
		if d := editDistance(strings.ToLower(name), a); d < bestDist {
			best, bestDist = a, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// didYouMean formats a suggestion for appending to a message.
func didYouMean(name string, allowed []string) string {
	if s := suggest(name, allowed); s != "" {
		return " (did you mean " + quote(s) + "?)"
	}
	return ""
}
