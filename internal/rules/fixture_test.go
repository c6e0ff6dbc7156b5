package rules

import (
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

func pk(name, id string) integration.Pick { return integration.Pick{Name: name, ID: id} }

func ptr[T any](v T) *T { return &v }

// resolvedSettings is an MSP's Autotask integration as apply stores it:
// names from the simulator's seed data, with ids resolved.
func resolvedSettings() integration.Settings {
	return integration.Settings{
		Name: "autotask", PSA: "autotask",
		Sync: integration.Sync{Since: "7d", ExcludeTypes: []string{"Too Many Logins"}},
		Companies: integration.Companies{
			CatchAll:       integration.CatchAll{Company: pk("Default Account", "0"), Contact: pk("default.contact@msp.example", "30")},
			AttachContacts: true,
			AutoMatch:      true,
			Ignore:         []integration.Pick{pk("Umbrella Prospect", "104")},
			Map: []integration.Mapping{
				{Organization: "org-42", Company: pk("Acme Corp", "101"), Contact: pk("helpdesk@acme.example", "32")},
				{Organization: "org-7", Company: pk("Globex Corporation", "102")},
				{Organization: "Initech", Company: pk("Initech", "103"), Contact: pk("bill@initech.example", "35")},
				{Organization: "org-9", Enabled: ptr(false)},
			},
		},
		Ticket: integration.Ticket{
			Category: pk("Standard", "3"), Type: pk("Alert", "5"), Status: pk("New", "1"),
			Queue: pk("Security", "29683325"), Source: pk("Monitoring Alert", "8"),
			IssueType: pk("Security Incident", "20"), SubIssueType: pk("Other", "202"),
			GroupBy: integration.GroupUserAlert,
			Priority: map[string]integration.Pick{
				"critical": pk("Critical", "4"), "high": pk("High", "1"), "medium": pk("Medium", "2"),
				"low": pk("Low", "3"), "info": pk("Low", "3"),
			},
			Overrides: []integration.Override{
				{AlertType: "Too Many Downloads", IssueType: pk("Data Loss", "22"), SubIssueType: pk("Excessive Download", "221")},
				{AlertType: "Multiple MFA Failures", IssueType: pk("Account Security", "21")},
				{RespondRule: "r-17", IssueType: pk("Account Security", "21"), SubIssueType: pk("Suspicious Sign-in", "211"), Queue: pk("Service Desk", "29683326")},
				{IOCRule: "Known ransomware hash", IssueType: pk("Malware", "23"), SubIssueType: pk("Ransomware", "231"), Priority: pk("Critical", "4")},
			},
		},
		Notes: integration.Notes{Type: pk("Task Notes", "3"), Visibility: "internal"},
	}
}

// inputCompanies are the simulator's active companies, as the engine
// passes them for auto-matching.
func inputCompanies() []psa.Company {
	return []psa.Company{
		{ID: "0", Name: "Default Account", Active: true},
		{ID: "101", Name: "Acme Corp", Active: true},
		{ID: "102", Name: "Globex Corporation", Active: true},
		{ID: "103", Name: "Initech", Active: true},
		{ID: "104", Name: "Umbrella Prospect", Active: true},
	}
}

var (
	since     = time.Date(2026, 11, 14, 0, 0, 0, 0, time.UTC)
	occurred  = time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)
	testInput = Input{Companies: inputCompanies(), Since: since}
)

// sampleAlert is the ingest contract's example alert.
func sampleAlert() alert.Alert {
	return alert.Alert{
		ID: "sa-000123", Kind: alert.KindIssue,
		Organization: alert.Organization{ID: "org-42", Name: "Acme Corp"},
		Type:         "Too Many Downloads",
		Severity:     alert.SeverityHigh, Status: alert.StatusOpen,
		Title:       "Too many downloads by jane@acme.example",
		Description: "412 files in 10 minutes",
		User:        &alert.User{Email: "jane@acme.example", Name: "Jane Doe"},
		Device:      &alert.Device{Name: "ACME-LT-07"},
		OccurredAt:  occurred,
		URL:         "https://source.example/alerts/sa-000123",
		Attributes:  map[string]string{"ip": "203.0.113.9", "files": "412"},
	}
}

func mustCompile(t testing.TB, s integration.Settings) *Ruleset {
	t.Helper()
	r, err := Compile(s)
	if err != nil {
		t.Fatalf("Compile() = %v", err)
	}
	return r
}
