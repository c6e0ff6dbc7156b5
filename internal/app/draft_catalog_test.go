package app

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// TestSearchCompanies: the companies route keeps active companies whose
// name holds the search text in any case, alphabetically whatever the
// PSA's order or case, equal names by id.
func TestSearchCompanies(t *testing.T) {
	t.Parallel()
	all := []psa.Company{
		{ID: "3", Name: "globex Corporation", Active: true},
		{ID: "1", Name: "Acme Corp", Active: true},
		{ID: "9", Name: "Old Corp", Active: false},
		{ID: "7", Name: "Initech", Active: true},
		{ID: "5", Name: "Acme Corp", Active: true},
	}
	tests := []struct {
		name, search string
		want         []companyView
	}{
		{"every active one", "", []companyView{{"1", "Acme Corp"}, {"5", "Acme Corp"}, {"3", "globex Corporation"}, {"7", "Initech"}}},
		{"any case", "CORP", []companyView{{"1", "Acme Corp"}, {"5", "Acme Corp"}, {"3", "globex Corporation"}}},
		{"inside the name", "tec", []companyView{{"7", "Initech"}}},
		{"nothing", "hooli", []companyView{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, searchCompanies(all, tt.search)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestPSARefusal: every catalog read that the PSA refuses for want of a
// right names what was being read and the rights to grant.
func TestPSARefusal(t *testing.T) {
	t.Parallel()
	forbidden := &psa.Error{Class: psa.Permanent, Status: 403, Message: "no access to companies"}
	got := psaRefusal("list companies", forbidden, nil, "syncro").Error()
	if want := "list companies: PSA refused (HTTP 403): no access to companies: the API user lacks a permission"; !strings.HasPrefix(got, want) {
		t.Errorf("%q, want it to start %q", got, want)
	}
}
