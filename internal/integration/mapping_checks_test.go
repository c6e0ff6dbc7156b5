package integration

import (
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

func TestExclusionWarnings(t *testing.T) {
	t.Parallel()
	seen := []string{"Too Many Downloads", "Multiple MFA Failures", "Test Alert"}
	cases := []struct {
		name     string
		excludes []string
		want     []string // substrings, one per warning
	}{
		{"an excluded type the sources sent", []string{"test alert"}, nil},
		{"a typo names the nearest seen type", []string{"Too Many Downlods"}, []string{`"Too Many Downlods"`, `did you mean "Too Many Downloads"?`}},
		{"a type never seen and near nothing", []string{"Zzz"}, []string{`no source has sent an alert of type "Zzz"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ExclusionWarnings(c.excludes, seen)
			if len(c.want) == 0 && len(got) != 0 || len(c.want) > 0 && len(got) != 1 {
				t.Fatalf("warnings = %q, want %d", got, min(len(c.want), 1))
			}
			for _, w := range c.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("warning %q does not say %q", got[0], w)
				}
			}
		})
	}
	if got := ExclusionWarnings([]string{"Anything"}, nil); got != nil {
		t.Errorf("with no alert seen yet: %q, want nothing", got)
	}
}

func TestContactWarnings(t *testing.T) {
	t.Parallel()
	off := false
	s := minimal()
	s.Companies.AttachContacts = true
	s.Companies.Map = []Mapping{
		{Organization: "org-1", Company: Pick{Name: "Acme Corp", ID: "175"}},
		{Organization: "org-2", Company: Pick{Name: "Umbrella Prospect", ID: "178"}},
		{Organization: "org-3", Company: Pick{Name: "Umbrella Prospect", ID: "178"}, Contact: Pick{Name: "x@y.z", ID: "9"}},
		{Organization: "org-4", Company: Pick{Name: "Umbrella Prospect", ID: "178"}, Enabled: &off},
	}
	c := Catalog{Contacts: map[string][]psa.Contact{"175": {{ID: "31"}}}}
	got := ContactWarnings(s, c)
	if len(got) != 1 || !strings.Contains(got[0], `companies.map[org-2].company: "Umbrella Prospect" has no active contact`) {
		t.Errorf("warnings = %q, want one for org-2 only", got)
	}
	s.Companies.AttachContacts = false
	if got := ContactWarnings(s, c); got != nil {
		t.Errorf("attach_contacts off: %q, want nothing", got)
	}
}
