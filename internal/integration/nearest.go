package integration

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// nearest returns up to n of valid closest to name by edit distance,
// case-insensitive, closest first. A candidate qualifies when it is within
// a quarter of the longer name's length (at least 2 edits), or when one name
// contains the other ("Suspicious Sign" for "Suspicious Sign-in"): beyond
// that a suggestion is noise, and the caller lists the valid names instead.
func nearest(name string, valid []string, n int) []string {
	want := strings.ToLower(strings.TrimSpace(name))
	type cand struct {
		name string
		dist int
	}
	var cs []cand
	seen := make(map[string]bool, len(valid))
	for _, v := range valid {
		lv := strings.ToLower(v)
		if seen[lv] || v == "" {
			continue
		}
		seen[lv] = true
		d := levenshtein(want, lv)
		limit := max(2, max(len([]rune(want)), len([]rune(lv)))/4)
		if want != "" && (strings.Contains(lv, want) || strings.Contains(want, lv)) {
			d = min(d, 1) // a part of the name is as good a hint as a typo
		}
		if d <= limit {
			cs = append(cs, cand{v, d})
		}
	}
	slices.SortStableFunc(cs, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.name, b.name))
	})
	out := make([]string, 0, min(n, len(cs)))
	for _, c := range cs[:min(n, len(cs))] {
		out = append(out, c.name)
	}
	return out
}

// levenshtein is the edit distance between a and b, by runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// quoteList renders names as `"A"`, `"A" or "B"`, `"A", "B" or "C"`.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) <= 1 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// maxListed caps how many valid names a message lists when none is near.
const maxListed = 8

// suggest is the tail of an unknown-name message: the nearest names, or
// else the valid ones (capped), or a hint that the PSA has none.
func suggest(name string, valid []string, what string) string {
	if near := nearest(name, valid, 3); len(near) > 0 {
		return ": did you mean " + quoteList(near) + "?"
	}
	if len(valid) == 0 {
		return fmt.Sprintf(": the PSA lists no active %s", plural(what))
	}
	shown := valid[:min(len(valid), maxListed)]
	q := make([]string, len(shown))
	for i, n := range shown {
		q[i] = fmt.Sprintf("%q", n)
	}
	msg := fmt.Sprintf(": valid %s are %s", plural(what), strings.Join(q, ", "))
	if rest := len(valid) - len(shown); rest > 0 {
		msg += fmt.Sprintf(" (and %d more)", rest)
	}
	return msg
}

func plural(what string) string {
	if strings.HasSuffix(what, "y") && !strings.HasSuffix(what, "ey") {
		return strings.TrimSuffix(what, "y") + "ies"
	}
	if strings.HasSuffix(what, "s") {
		return what + "es"
	}
	return what + "s"
}
