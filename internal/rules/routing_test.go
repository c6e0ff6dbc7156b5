package rules

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
)

func TestDecideRouting(t *testing.T) {
	t.Parallel()
	unmapped := alert.Organization{ID: "org-77", Name: "Contoso"}
	claimedBy := func(name string) func(alert.Organization, string) string {
		return func(o alert.Organization, source string) string {
			if o.ID == "org-77" && source == "saas-alerts" {
				return name
			}
			return ""
		}
	}
	tests := []struct {
		name    string
		routing integration.Routing
		org     alert.Organization
		source  string
		claimed func(alert.Organization, string) string
		want    *Skip
	}{
		{"every source by default", integration.Routing{}, unmapped, "guardz", nil, nil},
		{"a source routing.sources names", integration.Routing{Sources: []string{"Guardz"}}, unmapped, "guardz", nil, nil},
		{"a source it does not", integration.Routing{Sources: []string{"guardz", "trendai"}}, unmapped, "saas-alerts", nil,
			&Skip{SkipSourceNotRouted, "source saas-alerts not routed here: routing.sources takes guardz, trendai"}},
		{"unmapped goes to the catch-all by default", integration.Routing{}, unmapped, "saas-alerts", nil, nil},
		{"unmapped, mapped only", integration.Routing{Organizations: integration.OrganizationsMapped}, unmapped, "saas-alerts", nil,
			&Skip{SkipOrgNotRouted, "organization org-77 (Contoso) not routed here: neither mapped nor auto-matched, and routing.organizations is mapped"}},
		{"auto-matched counts as mapped", integration.Routing{Organizations: integration.OrganizationsMapped},
			alert.Organization{ID: "org-55", Name: "Globex Corporation"}, "saas-alerts", nil, nil},
		{"mapped elsewhere", integration.Routing{}, unmapped, "saas-alerts", claimedBy("psa-b"),
			&Skip{SkipOrgNotRouted, "organization org-77 (Contoso) not routed here: integration psa-b maps it"}},
		{"mapped elsewhere for another source", integration.Routing{}, unmapped, "guardz", claimedBy("psa-b"), nil},
		{"mapped here wins over elsewhere", integration.Routing{}, alert.Organization{ID: "org-42"}, "saas-alerts",
			func(alert.Organization, string) string { return "psa-b" }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, a := resolvedSettings(), sampleAlert()
			s.Routing, a.Organization = tt.routing, tt.org
			in := testInput
			in.Source, in.ClaimedBy = tt.source, tt.claimed
			d := mustCompile(t, s).Decide(a, in, "src/1")
			if diff := cmp.Diff(tt.want, d.Skip); diff != "" {
				t.Fatalf("Skip (-want +got):\n%s", diff)
			}
			if tt.want != nil && d.CompanyID != "" {
				t.Errorf("skipped decision has company %s", d.CompanyID)
			}
		})
	}
}
