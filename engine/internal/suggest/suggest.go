// Package suggest finds the name that a misspelt one most likely meant, for the "did you mean"
// hints of error messages.
package suggest

import "strings"

// Closest returns the candidate that name most likely misspells: one that equals it but for
// case (strings.EqualFold), else the one the fewest edits away ignoring case (the Levenshtein
// distance of the lower-cased names, in characters), provided it is at most maxDistance edits
// away. Among equally close candidates the first wins. It returns "" when none is that close;
// maxDistance 0 finds only a candidate that differs in case alone.
func Closest(name string, candidates []string, maxDistance int) string {
	return ClosestFunc(name, candidates, func(string) int { return maxDistance })
}

// ClosestFunc is Closest with a bound of its own for each candidate, such as one that grows
// with the candidate's length.
func ClosestFunc(name string, candidates []string, maxDistance func(candidate string) int) string {
	lower := strings.ToLower(name)
	best, bestDist := "", -1
	var rows []int
	for _, c := range candidates {
		limit := maxDistance(c)
		if bestDist >= 0 {
			limit = min(limit, bestDist-1) // only a closer candidate can win
		}
		if limit < 0 {
			continue
		}
		d := 0
		if !strings.EqualFold(name, c) {
			if limit == 0 {
				continue
			}
			d, rows = distance(lower, strings.ToLower(c), limit, rows)
		}
		if d <= limit {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b in characters (so that a mistyped accent or
// a pasted zero-width space is one edit), or limit+1 when it is more than limit. rows is
// scratch space, returned for the next call.
func distance(a, b string, limit int, rows []int) (int, []int) {
	ra, rb := []rune(a), []rune(b)
	if len(ra)-len(rb) > limit || len(rb)-len(ra) > limit {
		return limit + 1, rows
	}
	if cap(rows) < 2*(len(rb)+1) {
		rows = make([]int, 2*(len(rb)+1))
	}
	prev, cur := rows[:len(rb)+1], rows[len(rb)+1:2*(len(rb)+1)]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1, rows // every path through this row is already too long
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit+1), rows
}
