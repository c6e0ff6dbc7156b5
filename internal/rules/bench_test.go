package rules

import (
	"fmt"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// benchSettings is a realistic larger MSP: 50 mapped organizations, 20
// overrides, 200 companies in the PSA.
func benchSettings() (integration.Settings, []psa.Company) {
	s := resolvedSettings()
	s.Companies.Map = nil
	companies := inputCompanies()
	for i := range 200 {
		companies = append(companies, psa.Company{ID: fmt.Sprint(1000 + i), Name: fmt.Sprintf("Customer %03d Ltd", i), Active: true})
	}
	for i := range 50 {
		s.Companies.Map = append(s.Companies.Map, integration.Mapping{
			Organization: fmt.Sprintf("org-%d", 1000+i),
			Company:      pk(fmt.Sprintf("Customer %03d Ltd", i), fmt.Sprint(1000+i)),
			Contact:      pk(fmt.Sprintf("alerts@customer%d.example", i), fmt.Sprint(5000+i)),
		})
	}
	s.Ticket.Overrides = nil
	for i := range 20 {
		o := integration.Override{IssueType: pk("Account Security", "21"), SubIssueType: pk("Suspicious Sign-in", "211")}
		switch i % 3 {
		case 0:
			o.AlertType = fmt.Sprintf("Alert Type %d", i)
		case 1:
			o.RespondRule = fmt.Sprintf("r-%d", i)
		default:
			o.IOCRule = fmt.Sprintf("ioc-%d", i)
		}
		s.Ticket.Overrides = append(s.Ticket.Overrides, o)
	}
	return s, companies
}

func BenchmarkDecide(b *testing.B) {
	s, companies := benchSettings()
	r := mustCompile(b, s)
	in := Input{Companies: companies, Since: since}
	mapped := sampleAlert()
	mapped.Organization = alert.Organization{ID: "org-1042", Name: "Customer 042 Ltd"}
	mapped.Rule = &alert.Rule{Kind: alert.RuleRespond, ID: "r-13"}
	matched := sampleAlert()
	matched.Organization = alert.Organization{ID: "org-9999", Name: "Customer 199 Ltd"}
	for _, bc := range []struct {
		name string
		a    alert.Alert
	}{{"mapped", mapped}, {"auto-matched", matched}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d := r.Decide(bc.a, in, "src-1/sa-000123")
				if d.Skip != nil || d.CompanyID == "" {
					b.Fatalf("unexpected decision %+v", d)
				}
			}
		})
	}
}
