package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/demo"
)

// The company filters the seeds name beyond type and classification:
// market segment and parent / child accounts narrow what auto-match
// chooses from where the PSA has them; elsewhere apply refuses them,
// saying what to do.
func TestCompanyFiltersOnEveryPSA(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := start(t, "", func(o *demo.Options) { o.PSA, o.SkipApply = p, true })
			s := strings.Replace(psaSettings(e.DefaultSettings(), "user"), "  auto_match: true\n",
				"  auto_match: true\n  filter:\n    market_segments: [Financial Services]\n    accounts: parent\n", 1)
			_, err := e.Apply(ctx, s)
			if lacks(p, "companies.filter.market_segments") || lacks(p, "companies.filter.accounts") {
				for _, path := range []string{"companies.filter.market_segments", "companies.filter.accounts"} {
					if lacks(p, path) && (err == nil || !strings.Contains(err.Error(), path)) {
						t.Errorf("apply on %s: err = %v, want %s refused", p, err, path)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("apply: %v", err)
			}
			e.send(
				testAlert{ID: "cf1", Org: "org-55", OrgName: "Globex Corporation", Type: "X", Email: "hank@globex.example"},
				testAlert{ID: "cf2", Org: "org-56", OrgName: "Initech", Type: "X", Email: "bill@initech.example"},
			)
			if v := e.viewOf("cf1"); v.Company != "Globex Corporation" {
				t.Errorf("cf1 (Globex, Financial Services, a parent account) landed on %q, want it auto-matched", v.Company)
			}
			if v := e.viewOf("cf2"); v.Company != "Default Account" {
				t.Errorf("cf2 (Initech, a child account in no segment) landed on %q, want the catch-all", v.Company)
			}
		})
	}
}
