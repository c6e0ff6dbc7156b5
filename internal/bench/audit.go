package bench

import (
	"sort"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
)

// markerPrefix starts the line rules write into every ticket description
// and note: "ticketbridge alert <source>/<alert id>".
const markerPrefix = "ticketbridge alert "

// Markers returns the alert keys ("source/id") of the marker lines of a
// ticket description or note body.
func Markers(body string) []string {
	var out []string
	for line := range strings.Lines(body) {
		if key, ok := strings.CutPrefix(strings.TrimSpace(line), markerPrefix); ok && key != "" {
			out = append(out, key)
		}
	}
	return out
}

// Audit is what the PSA holds compared with what was accepted.
type Audit struct {
	Tickets int
	Notes   int
	// Found counts the accepted alerts whose marker is in a ticket or note.
	Found int
	// Lost lists accepted alerts whose marker is nowhere (before skipped
	// ones are taken out by the caller).
	Lost []string
	// Duplicated lists alerts whose marker appears more than once.
	Duplicated []string
	// DuplicateGroups lists groups with more than one open ticket.
	DuplicateGroups []string
	// Unknown counts markers of alerts that were never accepted.
	Unknown int
}

// AuditPSA checks every accepted alert (key → its group) against the
// tickets and notes read from the PSA: each marker exactly once, and at
// most one open ticket per group. A ticket belongs to the group of the
// alerts in its description.
func AuditPSA(accepted map[string]string, st driver.State) Audit {
	notes := st.Notes()
	a := Audit{Tickets: len(st.Tickets), Notes: len(notes)}
	seen := make(map[string]int, len(accepted))
	openPerGroup := map[string]int{}
	count := func(body string) []string {
		keys := Markers(body)
		for _, k := range keys {
			if _, ok := accepted[k]; !ok {
				a.Unknown++
				continue
			}
			seen[k]++
		}
		return keys
	}
	for _, t := range st.Tickets {
		keys := count(t.Description)
		if len(keys) > 0 && !t.Closed {
			if g, ok := accepted[keys[0]]; ok {
				openPerGroup[g]++
			}
		}
	}
	for _, n := range notes {
		count(n.Description)
	}
	for k := range accepted {
		switch n := seen[k]; {
		case n == 0:
			a.Lost = append(a.Lost, k)
		case n > 1:
			a.Duplicated = append(a.Duplicated, k)
			a.Found++
		default:
			a.Found++
		}
	}
	for g, n := range openPerGroup {
		if n > 1 {
			a.DuplicateGroups = append(a.DuplicateGroups, g)
		}
	}
	sort.Strings(a.Lost)
	sort.Strings(a.Duplicated)
	sort.Strings(a.DuplicateGroups)
	return a
}
