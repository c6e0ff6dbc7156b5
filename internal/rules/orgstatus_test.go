package rules

import (
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// TestMatchOrganization: each mapping status, and that it agrees with
// the company Decide chooses for an alert of that organization.
func TestMatchOrganization(t *testing.T) {
	t.Parallel()
	companies := append(inputCompanies(), psa.Company{ID: "105", Name: "Hooli", Active: true})
	tests := []struct {
		name        string
		org         alert.Organization
		autoMatch   bool
		want        OrgStatus
		wantCompany string
		wantPropose string
	}{
		{"mapped by id", alert.Organization{ID: "org-42", Name: "Whatever"}, true, OrgMapped, "101", ""},
		{"mapped by name", alert.Organization{Name: "initech"}, true, OrgMapped, "103", ""},
		{"disabled", alert.Organization{ID: "org-9", Name: "Hooli"}, true, OrgDisabled, "", ""},
		{"auto-matched by exact name", alert.Organization{ID: "org-5", Name: " hooli "}, true, OrgAutoMatched, "105", "105"},
		{"a proposal with auto-match off", alert.Organization{ID: "org-5", Name: "Hooli"}, false, OrgCatchAll, "0", "105"},
		{"its company is ignored", alert.Organization{ID: "org-6", Name: "Umbrella Prospect"}, true, OrgIgnored, "0", ""},
		{"no company of its name", alert.Organization{ID: "org-8", Name: "Nobody Ltd"}, true, OrgCatchAll, "0", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := resolvedSettings()
			s.Companies.AutoMatch = tt.autoMatch
			r := mustCompile(t, s)
			got := r.MatchOrganization(tt.org, companies)
			if got.Status != tt.want || got.CompanyID != tt.wantCompany {
				t.Errorf("status %s company %q, want %s %q", got.Status, got.CompanyID, tt.want, tt.wantCompany)
			}
			if gotP := proposalID(got.Proposal); gotP != tt.wantPropose {
				t.Errorf("proposal %q, want %q", gotP, tt.wantPropose)
			}
			a := alert.Alert{ID: "a", Organization: tt.org, Type: "Malware", Severity: alert.SeverityHigh,
				Status: alert.StatusOpen, Title: "t", OccurredAt: occurred}
			d := r.Decide(a, Input{Companies: companies, Since: since}, "src/a")
			if tt.want == OrgDisabled {
				if d.Skip == nil || d.Skip.Code != SkipOrgDisabled {
					t.Errorf("Decide skip %+v, want organization_disabled", d.Skip)
				}
				return
			}
			if d.CompanyID != got.CompanyID {
				t.Errorf("Decide chose company %q, the status says %q", d.CompanyID, got.CompanyID)
			}
		})
	}
}

func proposalID(c *psa.Company) string {
	if c == nil {
		return ""
	}
	return c.ID
}
