package rules

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

func TestCompanyFilter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		settings   func(*integration.Settings)
		want       psa.CompanyFilter
		wantNeeded bool
	}{
		{"auto-match off lists nothing", func(s *integration.Settings) {
			s.Companies.AutoMatch = false
			s.Companies.Filter.Types = []integration.Pick{pk("Customer", "1")}
		}, psa.CompanyFilter{}, false},
		{"auto-match without a filter lists every company", nil, psa.CompanyFilter{}, true},
		{"types and classifications by id", func(s *integration.Settings) {
			s.Companies.Filter = integration.CompanyFilter{
				Types:           []integration.Pick{pk("Customer", "1"), pk("Partner", "8")},
				Classifications: []integration.Pick{pk("Gold", "2")},
			}
		}, psa.CompanyFilter{Types: []string{"1", "8"}, Classifications: []string{"2"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := resolvedSettings()
			if tt.settings != nil {
				tt.settings(&s)
			}
			got, needed := mustCompile(t, s).CompanyFilter()
			if needed != tt.wantNeeded {
				t.Errorf("needed = %v, want %v", needed, tt.wantNeeded)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("filter (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCompanyListFilterIsDecidesFilter: the listing that proposes
// matches reads the companies Decide reads, market segments and accounts
// included, whether auto_match is on or not.
func TestCompanyListFilterIsDecidesFilter(t *testing.T) {
	t.Parallel()
	s := resolvedSettings()
	s.Companies.Filter = integration.CompanyFilter{
		Types:          []integration.Pick{pk("Customer", "1")},
		MarketSegments: []integration.Pick{pk("Healthcare", "4")},
		Accounts:       "parent",
	}
	decide, _ := mustCompile(t, s).CompanyFilter()
	for _, auto := range []bool{true, false} {
		s.Companies.AutoMatch = auto
		if diff := cmp.Diff(decide, mustCompile(t, s).CompanyListFilter()); diff != "" {
			t.Errorf("auto_match %v: listing filter (-decide +list):\n%s", auto, diff)
		}
	}
}

// TestCompanyFilterIsACopy: a caller that appends to the filter must not
// change what the next caller lists, since a Ruleset is shared.
func TestCompanyFilterIsACopy(t *testing.T) {
	t.Parallel()
	s := resolvedSettings()
	s.Companies.Filter.Types = []integration.Pick{pk("Customer", "1")}
	r := mustCompile(t, s)
	f, _ := r.CompanyFilter()
	f.Types[0] = "99"
	if again, _ := r.CompanyFilter(); again.Types[0] != "1" {
		t.Errorf("filter changed to %v by a caller's edit", again.Types)
	}
}
