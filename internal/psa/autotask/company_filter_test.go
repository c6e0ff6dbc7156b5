package autotask

import (
	"slices"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// Market segments come from the Companies picklist, and the company list
// narrows by them and to parent or child accounts, against the simulator.
func TestCompaniesByMarketSegmentAndAccounts(t *testing.T) {
	t.Parallel()
	c := mustNew(t, newSimEnv(t, 0).cfg)
	pl, err := c.Picklists(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	health, ok := pl.Lookup(psa.FieldMarketSegment, "Healthcare", "")
	if !ok {
		t.Fatalf("no Healthcare market segment in %+v", pl[psa.FieldMarketSegment])
	}
	cases := []struct {
		name string
		f    psa.CompanyFilter
		want []string
	}{
		{"market segment", psa.CompanyFilter{MarketSegments: []string{health.ID}}, []string{"Acme Corp"}},
		{"child accounts", psa.CompanyFilter{Accounts: psa.AccountsChild}, []string{"Initech"}},
		{"parent accounts of a type", psa.CompanyFilter{Types: []string{"1"}, Accounts: psa.AccountsParent}, []string{"Acme Corp", "Default Account", "Globex Corporation"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := c.Companies(t.Context(), tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, co := range cs {
				got = append(got, co.Name)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("companies = %q, want %q", got, tc.want)
			}
		})
	}
}
