package rules

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// TestCompileForKeepsToTheProfilesLimits: a PSA with a shorter title or
// description gets subjects and bodies that fit it, the marker kept; a
// looser or unset limit keeps the defaults.
func TestCompileForKeepsToTheProfilesLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 500)
	tests := []struct {
		name              string
		limits            integration.Limits
		wantTitle, wantTo int
	}{
		{"defaults", integration.Limits{}, maxTitle, maxDescription},
		{"tighter", integration.Limits{Title: 100, Description: 400}, 100, 400},
		{"looser is capped", integration.Limits{Title: 1000, Description: 100000}, maxTitle, maxDescription},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := resolvedSettings()
			s.Ticket.Subject = long
			rs, err := CompileFor(s, tt.limits)
			if err != nil {
				t.Fatal(err)
			}
			a := sampleAlert()
			a.Description = strings.Repeat("y", 20000)
			d := rs.Decide(a, Input{}, "src/a-1")
			if n := utf8.RuneCountInString(d.Ticket.Title); n != tt.wantTitle {
				t.Errorf("title has %d runes, want %d", n, tt.wantTitle)
			}
			if n := utf8.RuneCountInString(d.Ticket.Description); n > tt.wantTo || !HasAlertMarker(d.Ticket.Description, "src/a-1") {
				t.Errorf("description has %d runes (want at most %d) or lost its marker", n, tt.wantTo)
			}
		})
	}
}
