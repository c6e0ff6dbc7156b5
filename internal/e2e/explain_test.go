package e2e

// explain and the engine decide through one code path; these tests hold
// explain's prediction for an alert equal to what the engine then does
// with it, on every PSA.

import (
	"context"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/app"
	"github.com/ticketbridge/ticketbridge/internal/demo"
)

// customerType is each PSA's company type for customers; the seed's
// "Umbrella Prospect" has another type (Prospect) on both.
var customerType = map[string]string{"autotask": "Customer", "connectwise": "Client"}

// startFiltered starts a PSA's demo with auto-match limited to customer
// companies.
func startFiltered(t *testing.T, p, groupBy string) *env {
	t.Helper()
	e := start(t, "", func(o *demo.Options) { o.PSA, o.SkipApply = p, true })
	s := psaSettings(e.DefaultSettings(), groupBy)
	s = strings.Replace(s, "  auto_match: true\n", "  auto_match: true\n  filter:\n    types: ["+customerType[p]+"]\n", 1)
	if !strings.Contains(s, "filter:") {
		t.Fatal("settings have no auto_match line to add the filter after")
	}
	if _, err := e.Apply(context.Background(), s); err != nil {
		t.Fatalf("apply: %v", err)
	}
	return e
}

// explain runs explain on the alert as the env's source would send it.
func (e *env) explain(a testAlert) app.Explanation {
	e.t.Helper()
	als, err := alert.Decode([]byte(a.json()))
	if err != nil || len(als) != 1 {
		e.t.Fatalf("decode %s: %v", a.ID, err)
	}
	exs, err := e.App.Explain(context.Background(), e.SourceID, als[0])
	if err != nil || len(exs) != 1 {
		e.t.Fatalf("explain %s: %d explanations, %v", a.ID, len(exs), err)
	}
	return exs[0]
}

// TestExplainHonoursCompanyFilter: an organization named like a company
// that companies.filter.types leaves out is not auto-matched by the
// engine, so explain must not predict that match either.
func TestExplainHonoursCompanyFilter(t *testing.T) {
	t.Parallel()
	for _, p := range demo.PSAs {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			e := startFiltered(t, p, "none")
			a := testAlert{ID: "f1", Org: "org-66", OrgName: "Umbrella Prospect", Type: "X", Email: "x@umbrella.example"}
			ex := e.explain(a)
			e.send(a)
			link, ok := e.ticketOf(a.ID)
			if !ok {
				t.Fatal("the engine made no ticket")
			}
			want := "(id " + link.CompanyID + ")"
			var said string
			for _, l := range ex.Lines {
				if strings.HasPrefix(l, "company: ") {
					said = l
				}
			}
			if !strings.HasSuffix(said, want) {
				t.Errorf("explain said %q; the engine filed the ticket under company id %s\nexplain:\n  %s",
					said, link.CompanyID, strings.Join(ex.Lines, "\n  "))
			}
		})
	}
}
