package integration

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestValidateExampleAndMinimal(t *testing.T) {
	t.Parallel()
	for name, s := range map[string]Settings{"example": loadExample(t), "minimal": minimal()} {
		if err := validate(s); err != nil {
			t.Errorf("Validate(%s) = %v, want nil", name, err)
		}
	}
}

func TestValidateProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*Settings)
		want   []Problem
	}{
		{"catch-all company missing", func(s *Settings) { s.Companies.CatchAll.Company = Pick{} }, []Problem{
			{"companies.catch_all.company", "required: set the PSA company that receives alerts of unmapped organizations"},
		}},
		{"catch-all contact missing with attach_contacts", func(s *Settings) { s.Companies.AttachContacts = true }, []Problem{
			{"companies.catch_all.contact", `required when companies.attach_contacts is true: set a contact of "Default Account"`},
		}},
		{"catch-all contact not needed without attach_contacts", func(s *Settings) { s.Companies.AttachContacts = false }, nil},
		{"priority for low missing", func(s *Settings) { delete(s.Ticket.Priority, "low") }, []Problem{
			{"ticket.priority.low", "required: map every severity (critical, high, medium, low, info) to a PSA priority"},
		}},
		{"unknown severity in priority", func(s *Settings) { s.Ticket.Priority["urgent"] = Pick{Name: "Critical"} }, []Problem{
			{"ticket.priority.urgent", "unknown severity: use critical, high, medium, low, info"},
		}},
		{"ticket defaults missing", func(s *Settings) {
			s.Ticket.Category, s.Ticket.Type, s.Ticket.Status, s.Ticket.Queue, s.Ticket.Source = Pick{}, Pick{}, Pick{}, Pick{}, Pick{}
		}, []Problem{
			{"ticket.category", `required: set the ticket category, e.g. "Standard"`},
			{"ticket.type", `required: set the ticket type, e.g. "Alert"`},
			{"ticket.status", `required: set the status new tickets start in, e.g. "New"`},
			{"ticket.queue", `required: set the queue new tickets are placed in, e.g. "Security"`},
			{"ticket.source", `required: set the ticket source, e.g. "Monitoring Alert"`},
		}},
		{"subject missing", func(s *Settings) { s.Ticket.Subject = " " }, []Problem{
			{"ticket.subject", `required: set a template, e.g. "{{.Type}}: {{.UserOrDevice}}"`},
		}},
		{"subject does not parse", func(s *Settings) { s.Ticket.Subject = "{{.Type" }, []Problem{
			{"ticket.subject", `parse subject template: template: subject:1: unclosed action: fix the template (fields: .Type, .Severity, .Title, .UserOrDevice, .UserEmail, .OrgName, ...)`},
		}},
		{"subject names an unknown field", func(s *Settings) { s.Ticket.Subject = "{{.Usr}}" }, []Problem{
			{"ticket.subject", `render subject template: template: subject:1:2: executing "subject" at <.Usr>: can't evaluate field Usr in type integration.TemplateData: fix the template (fields: .Type, .Severity, .Title, .UserOrDevice, .UserEmail, .OrgName, ...)`},
		}},
		{"subject may name a missing attribute", func(s *Settings) { s.Ticket.Subject = "{{.Attributes.ip}}" }, nil},
		{"description does not parse", func(s *Settings) { s.Ticket.Description = "{{end}}" }, []Problem{
			{"ticket.description", `parse description template: template: description:1: unexpected {{end}}: fix the template (fields: .Type, .Severity, .Title, .UserOrDevice, .UserEmail, .OrgName, ...)`},
		}},
		{"note defaults missing", func(s *Settings) { s.Notes = Notes{} }, []Problem{
			{"notes.type", `required: set the PSA note type for notes on existing tickets, e.g. "Task Notes"`},
			{"notes.visibility", "required: set internal or external"},
			{"notes.title", `required: set a template, e.g. "{{.Type}} ({{.Severity}})"`},
		}},
		{"note visibility invalid", func(s *Settings) { s.Notes.Visibility = "public" }, []Problem{
			{"notes.visibility", `unknown visibility "public": set internal or external`},
		}},
		{"note title does not parse", func(s *Settings) { s.Notes.Title = "{{.Type}" }, []Problem{
			{"notes.title", `parse note title template: template: note title:1: bad character U+007D '}': fix the template (fields: .Type, .Severity, .Title, .UserOrDevice, ...)`},
		}},
		{"group_by invalid", func(s *Settings) { s.Ticket.GroupBy = "device" }, []Problem{
			{"ticket.group_by", `unknown grouping "device": set none, user, user_alert or subject`},
		}},
		{"since unparseable", func(s *Settings) { s.Sync.Since = "last week" }, []Problem{
			{"sync.since", `"last week" is not a time: use "now", a number of days like "7d" or "30d", a duration like "12h", or an RFC 3339 time like "2026-11-14T00:00:00Z"`},
		}},
		{"due_in not a duration", func(s *Settings) { s.Ticket.DueIn = "1d" }, []Problem{
			{"ticket.due_in", `"1d" is not a positive duration: set one like "24h", "48h" or "4h30m"`},
		}},
		{"override with two match keys", func(s *Settings) {
			s.Ticket.Overrides = []Override{{AlertType: "Too Many Downloads", RespondRule: "r-17", Queue: Pick{Name: "Security"}}}
		}, []Problem{
			{"ticket.overrides[alert_type=Too Many Downloads]", "set exactly one of alert_type, respond_rule or ioc_rule (found 2)"},
		}},
		{"override with no match key", func(s *Settings) { s.Ticket.Overrides = []Override{{Queue: Pick{Name: "Security"}}} }, []Problem{
			{"ticket.overrides[0]", "set exactly one of alert_type, respond_rule or ioc_rule (found 0)"},
		}},
		{"override that sets nothing", func(s *Settings) { s.Ticket.Overrides = []Override{{IOCRule: "ioc-1"}} }, []Problem{
			{"ticket.overrides[ioc_rule=ioc-1]", "sets nothing: set issue_type, sub_issue_type, queue or priority"},
		}},
		{"override sub-issue without any issue type", func(s *Settings) {
			s.Ticket.Overrides = []Override{{RespondRule: "r-17", SubIssueType: Pick{Name: "Suspicious Sign-in"}}}
		}, []Problem{
			{"ticket.overrides[respond_rule=r-17].sub_issue_type", "needs an issue type: set ticket.overrides[respond_rule=r-17].issue_type or ticket.issue_type"},
		}},
		{"duplicate overrides", func(s *Settings) {
			s.Ticket.Overrides = []Override{{AlertType: "Too Many Uploads", Queue: Pick{Name: "Security"}}, {AlertType: "too many uploads ", Queue: Pick{Name: "Service Desk"}}}
		}, []Problem{
			{"ticket.overrides[1]", "matches the same as ticket.overrides[0]: remove one"},
		}},
		{"default sub-issue without issue type", func(s *Settings) { s.Ticket.SubIssueType = Pick{Name: "Other"} }, []Problem{
			{"ticket.sub_issue_type", `needs an issue type: set ticket.issue_type to the issue type "Other" belongs to`},
		}},
		{"map entry without organization", func(s *Settings) { s.Companies.Map = []Mapping{{Company: Pick{Name: "Acme Corp"}}} }, []Problem{
			{"companies.map[0].organization", "required: set the organization id (or its name, when the source sends no id) this entry maps"},
		}},
		{"map entry without company", func(s *Settings) { s.Companies.Map = []Mapping{{Organization: "org-42"}} }, []Problem{
			{"companies.map[org-42].company", "required: set the PSA company for this organization, or set enabled: false to create no tickets for it"},
		}},
		{"disabled map entry needs no company", func(s *Settings) { s.Companies.Map = []Mapping{{Organization: "org-9", Enabled: ptr(false)}} }, nil},
		{"organization mapped twice", func(s *Settings) {
			s.Companies.Map = []Mapping{{Organization: "org-42", Company: Pick{Name: "Acme Corp"}}, {Organization: "ORG-42", Company: Pick{Name: "Initech"}}}
		}, []Problem{
			{"companies.map[ORG-42].organization", `"ORG-42" is mapped twice (entries 1 and 2): keep one entry per organization`},
		}},
		{"contact without company", func(s *Settings) {
			s.Companies.Map = []Mapping{{Organization: "org-9", Enabled: ptr(false), Contact: Pick{Name: "jane@acme.example"}}}
		}, []Problem{
			{"companies.map[org-9].contact", "a contact needs a company: set companies.map[org-9].company"},
		}},
		{"mapped company is ignored", func(s *Settings) {
			s.Companies.Ignore = []Pick{{Name: "Umbrella Prospect"}}
			s.Companies.Map = []Mapping{{Organization: "org-5", Company: Pick{Name: "umbrella prospect"}}}
		}, []Problem{
			{"companies.map[org-5].company", `"umbrella prospect" is in companies.ignore: remove it from companies.ignore or map another company`},
		}},
		{"exclude_types empty and repeated", func(s *Settings) { s.Sync.ExcludeTypes = []string{"Too Many Logins", "", "too many logins"} }, []Problem{
			{"sync.exclude_types[1]", "empty: set an alert type or remove the entry"},
			{"sync.exclude_types[2]", `"too many logins" repeats sync.exclude_types[0]: remove one`},
		}},
		{"autotask connection incomplete", func(s *Settings) { s.Connection = Connection{} }, []Problem{
			{"connection.username", "required for autotask: set the API user's username (key)"},
			{"connection.secret", "required for autotask: set env or file to where the API user's secret (password) is"},
			{"connection.integration_code", "required for autotask: set env or file to where the API tracking identifier (integration code) is"},
		}},
		{"secret with two sources and bad url", func(s *Settings) {
			s.Connection.Secret = SecretRef{Env: "A", File: "/b"}
			s.Connection.URL = "webservices5.autotask.net"
		}, []Problem{
			{"connection.url", `"webservices5.autotask.net" is not an http(s) URL: set the PSA's API root, or leave it empty to discover the zone`},
			{"connection.secret", "set only one of env, file, value or stored"},
		}},
		{"name missing", func(s *Settings) { s.Name = "" }, []Problem{
			{"name", `required: set a name for this integration, unique in the tenant (e.g. "psa-production")`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := minimal()
			tt.mutate(&s)
			err := validate(s)
			var got []Problem
			var ve *ValidationError
			if errors.As(err, &ve) {
				got = ve.Problems
			} else if err != nil {
				t.Fatalf("Validate() error %T %v, want *ValidationError", err, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	s := Settings{PSA: "autotask"}
	applyDefaults(&s)
	err := validate(s)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("validate(empty) = %v, want *ValidationError", err)
	}
	paths := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		paths[i] = p.Path
	}
	want := []string{
		"name", "connection.username", "connection.secret", "connection.integration_code",
		"companies.catch_all.company",
		"ticket.category", "ticket.type", "ticket.status", "ticket.queue", "ticket.source",
		"ticket.priority.critical", "ticket.priority.high", "ticket.priority.medium", "ticket.priority.low", "ticket.priority.info",
		"notes.type",
	}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("problem paths (-want +got):\n%s", diff)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "invalid settings (16 problems):\n  name: required") {
		t.Errorf("Error() = %q", msg)
	}
}

// TestValidatePSAName: a missing, planned or unknown psa names every
// served PSA to choose from, and the planned ones.
func TestValidatePSAName(t *testing.T) {
	served := testProfiles.Names()
	var planned []string
	for _, n := range PlannedPSAs {
		if !slices.Contains(served, n) {
			planned = append(planned, n)
		}
	}
	quoted := make([]string, len(served))
	for i, n := range served {
		quoted[i] = strconv.Quote(n)
	}
	choice := strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
	switch len(planned) {
	case 0:
	case 1:
		choice += " (" + planned[0] + " is planned)"
	default:
		choice += " (" + strings.Join(planned[:len(planned)-1], ", ") + " and " + planned[len(planned)-1] + " are planned)"
	}
	cases := []struct{ psa, want string }{
		{"", "required: set " + choice},
		{"jira", `unknown PSA "jira": set ` + choice},
	}
	if len(planned) > 0 {
		cases = append(cases, struct{ psa, want string }{planned[0], strconv.Quote(planned[0]) + " is not supported yet: set " + choice})
	}
	for _, tc := range cases {
		s := minimal()
		s.PSA = tc.psa
		got := problemsOf(t, validate(s))
		want := []Problem{{"psa", tc.want}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("psa %q (-want +got):\n%s", tc.psa, diff)
		}
	}
}

// TestBudgetWarning: a budget over the PSA's published limit, counted over
// the connection's window, is a warning; one within it, or a PSA that
// publishes none, is not.
func TestBudgetWarning(t *testing.T) {
	p := Profile{Title: "Acme PSA", Published: Rate{Requests: 800, Window: time.Minute, Scope: "per token"}}
	for _, tc := range []struct {
		rph    int
		window string
		warn   bool
	}{
		{48000, "", false}, // 48,000 an hour = 800 a minute
		{48001, "", true},  // one over
		{800, "1m", false}, // the limit, per minute
		{900, "1m", true},  // over it per minute
		{900, "2m", false}, // 450 a minute
		{0, "", false},     // the default
	} {
		got := p.BudgetWarning(Connection{RequestsPerHour: tc.rph, BudgetWindow: tc.window})
		if (got != "") != tc.warn || tc.warn && !strings.Contains(got, "Acme PSA's published limit of 800 per 1m0s (per token)") {
			t.Errorf("%d per %q: %q, want a warning: %v", tc.rph, tc.window, got, tc.warn)
		}
	}
	if got := (Profile{Title: "Quiet"}).BudgetWarning(Connection{RequestsPerHour: 1 << 30}); got != "" {
		t.Errorf("a PSA that publishes no limit warned: %q", got)
	}
}
