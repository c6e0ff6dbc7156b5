package integration

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

func TestResolveExample(t *testing.T) {
	t.Parallel()
	s := loadExample(t)
	if err := Resolve(&s, testCatalog()); err != nil {
		t.Fatalf("Resolve(example) = %v", err)
	}
	got := map[string]string{
		"category":             s.Ticket.Category.ID,
		"type":                 s.Ticket.Type.ID,
		"status":               s.Ticket.Status.ID,
		"queue":                s.Ticket.Queue.ID,
		"source":               s.Ticket.Source.ID,
		"issue":                s.Ticket.IssueType.ID,
		"sub-issue":            s.Ticket.SubIssueType.ID,
		"priority.critical":    s.Ticket.Priority["critical"].ID,
		"priority.info":        s.Ticket.Priority["info"].ID,
		"closed[0]":            s.Ticket.ClosedStatuses[0].ID,
		"override[0].sub":      s.Ticket.Overrides[0].SubIssueType.ID,
		"override[3].queue":    s.Ticket.Overrides[3].Queue.ID,
		"override[4].prio":     s.Ticket.Overrides[4].Priority.ID,
		"note type":            s.Notes.Type.ID,
		"catch-all company":    s.Companies.CatchAll.Company.ID,
		"catch-all contact":    s.Companies.CatchAll.Contact.ID,
		"filter.types[1]":      s.Companies.Filter.Types[1].ID,
		"filter.class[0]":      s.Companies.Filter.Classifications[0].ID,
		"ignore[0]":            s.Companies.Ignore[0].ID,
		"map[org-42].company":  s.Companies.Map[0].Company.ID,
		"map[org-42].contact":  s.Companies.Map[0].Contact.ID,
		"map[Initech].contact": s.Companies.Map[2].Contact.ID,
	}
	want := map[string]string{
		"category": "3", "type": "5", "status": "1", "queue": "29683325", "source": "8", "issue": "20", "sub-issue": "202",
		"priority.critical": "4", "priority.info": "3", "closed[0]": "7",
		"override[0].sub": "221", "override[3].queue": "29683326", "override[4].prio": "4", "note type": "3",
		"catch-all company": "0", "catch-all contact": "30", "filter.types[1]": "8", "filter.class[0]": "100",
		"ignore[0]": "104", "map[org-42].company": "101", "map[org-42].contact": "32", "map[Initech].contact": "35",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resolved ids (-want +got):\n%s", diff)
	}
}

func TestResolveProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		mutate  func(*Settings)
		catalog func(*Catalog)
		want    []Problem
	}{
		{name: "typo in queue", mutate: func(s *Settings) { s.Ticket.Queue = Pick{Name: "Secuirty"} }, want: []Problem{
			{"ticket.queue", `unknown queue "Secuirty": did you mean "Security"?`},
		}},
		{name: "case and spaces are forgiven", mutate: func(s *Settings) { s.Ticket.Queue = Pick{Name: " security "} }},
		{name: "several near names", mutate: func(s *Settings) { s.Ticket.Status = Pick{Name: "Progress"} }, want: []Problem{
			{"ticket.status", `unknown status "Progress": did you mean "In Progress"?`},
		}},
		{name: "nothing near lists valid names", mutate: func(s *Settings) { s.Ticket.Type = Pick{Name: "Zzzzzzzz"} }, want: []Problem{
			{"ticket.type", `unknown ticket type "Zzzzzzzz": valid ticket types are "Service Request", "Incident", "Problem", "Change Request", "Alert"`},
		}},
		{name: "inactive queue", mutate: func(s *Settings) { s.Ticket.Queue = Pick{Name: "Retired Queue"} }, want: []Problem{
			{"ticket.queue", `queue "Retired Queue" is inactive in the PSA: valid queues are "Client Portal", "Post Sale", "Monitoring Alert", "Security", "Service Desk"`},
		}},
		{name: "inactive category", mutate: func(s *Settings) { s.Ticket.Category = Pick{Name: "Legacy"} }, want: []Problem{
			{"ticket.category", `category "Legacy" is inactive in the PSA: valid categories are "Standard", "Security Alert"`},
		}},
		{name: "inactive status in closed_statuses", mutate: func(s *Settings) { s.Ticket.ClosedStatuses = []Pick{{Name: "Legacy Hold"}} }, want: []Problem{
			{"ticket.closed_statuses[0]", `status "Legacy Hold" is inactive in the PSA: valid statuses are "New", "Complete", "Waiting Customer", "In Progress", "Escalated"`},
		}},
		{name: "sub-issue under the wrong issue type", mutate: func(s *Settings) {
			s.Ticket.IssueType, s.Ticket.SubIssueType = Pick{Name: "Account Security"}, Pick{Name: "Ransomware"}
		}, want: []Problem{
			{"ticket.sub_issue_type", `sub-issue type "Ransomware" is under issue type "Malware", not "Account Security": valid sub-issue types are "Suspicious Sign-in", "MFA Failure"`},
		}},
		{name: "override sub-issue under the default issue type", mutate: func(s *Settings) {
			s.Ticket.IssueType = Pick{Name: "Data Loss"}
			s.Ticket.Overrides = []Override{{AlertType: "Too Many Uploads", SubIssueType: Pick{Name: "Excessive Upload"}}}
		}},
		{name: "override sub-issue with a typo", mutate: func(s *Settings) {
			s.Ticket.Overrides = []Override{{RespondRule: "r-17", IssueType: Pick{Name: "Account Security"}, SubIssueType: Pick{Name: "Suspicious Signin"}}}
		}, want: []Problem{
			{"ticket.overrides[respond_rule=r-17].sub_issue_type", `unknown sub-issue type "Suspicious Signin": did you mean "Suspicious Sign-in"?`},
		}},
		{name: "unknown issue type skips its sub-issue check", mutate: func(s *Settings) {
			s.Ticket.Overrides = []Override{{IOCRule: "ioc-1", IssueType: Pick{Name: "Malwar"}, SubIssueType: Pick{Name: "Ransomware"}}}
		}, want: []Problem{
			{"ticket.overrides[ioc_rule=ioc-1].issue_type", `unknown issue type "Malwar": did you mean "Malware"?`},
		}},
		{name: "unknown priority", mutate: func(s *Settings) { s.Ticket.Priority["info"] = Pick{Name: "Lowest"} }, want: []Problem{
			{"ticket.priority.info", `unknown priority "Lowest": did you mean "Low"?`},
		}},
		{name: "unknown note type", mutate: func(s *Settings) { s.Notes.Type = Pick{Name: "Task Note"} }, want: []Problem{
			{"notes.type", `unknown note type "Task Note": did you mean "Task Notes"?`},
		}},
		{name: "unknown company", mutate: func(s *Settings) {
			s.Companies.Map = []Mapping{{Organization: "org-42", Company: Pick{Name: "Acme Corporation"}}}
		}, want: []Problem{
			{"companies.map[org-42].company", `unknown company "Acme Corporation": did you mean "Acme Corp"?`},
		}},
		{name: "inactive company", mutate: func(s *Settings) {
			s.Companies.Map = []Mapping{{Organization: "org-3", Company: Pick{Name: "Old Corp"}}}
		}, want: []Problem{
			{"companies.map[org-3].company", `company "Old Corp" is inactive in the PSA: valid companies are "Default Account", "Acme Corp", "Globex Corporation", "Initech", "Umbrella Prospect"`},
		}},
		{name: "inactive company may stay ignored", mutate: func(s *Settings) { s.Companies.Ignore = []Pick{{Name: "Old Corp"}} }},
		{name: "contact by name", mutate: func(s *Settings) {
			s.Companies.Map = []Mapping{{Organization: "org-42", Company: Pick{Name: "Acme Corp"}, Contact: Pick{Name: "jane doe"}}}
		}},
		{name: "contact of another company", mutate: func(s *Settings) {
			s.Companies.Map = []Mapping{{Organization: "org-7", Company: Pick{Name: "Globex Corporation"}, Contact: Pick{Name: "jane@acme.example"}}}
		}, want: []Problem{
			{"companies.map[org-7].contact", `unknown contact "jane@acme.example" in company "Globex Corporation" (write an email or "First Last"): valid contacts are "hank@globex.example", "Hank Scorpio"`},
		}},
		{name: "inactive contact", mutate: func(s *Settings) {
			s.Companies.Map = []Mapping{{Organization: "org-42", Company: Pick{Name: "Acme Corp"}, Contact: Pick{Name: "former@acme.example"}}}
		}, want: []Problem{
			{"companies.map[org-42].contact", `contact "former@acme.example" of "Acme Corp" is inactive in the PSA: valid contacts are "jane@acme.example", "Jane Doe", "helpdesk@acme.example", "Acme Helpdesk"`},
		}},
		{name: "catch-all without an active contact", mutate: func(s *Settings) {
			s.Companies.AttachContacts = true
			s.Companies.CatchAll = CatchAll{Company: Pick{Name: "Umbrella Prospect"}}
		}, want: []Problem{
			{"companies.catch_all.company", `company "Umbrella Prospect" has no active contact, and companies.attach_contacts is true: add a contact to it in the PSA, choose another catch-all company, or set attach_contacts: false`},
		}},
		{name: "catch-all without contacts is fine without attach_contacts", mutate: func(s *Settings) {
			s.Companies.CatchAll = CatchAll{Company: Pick{Name: "Umbrella Prospect"}}
		}},
		{name: "unknown company type and classification", mutate: func(s *Settings) {
			s.Companies.Filter = CompanyFilter{Types: []Pick{{Name: "Customers"}}, Classifications: []Pick{{Name: "Platinum"}}}
		}, want: []Problem{
			{"companies.filter.types[0]", `unknown company type "Customers": did you mean "Customer"?`},
			{"companies.filter.classifications[0]", `unknown classification "Platinum": valid classifications are "Gold", "Silver", "Bronze"`},
		}},
		{name: "empty picklist", mutate: func(s *Settings) {}, catalog: func(c *Catalog) { delete(c.Picklists, psa.FieldNoteType) }, want: []Problem{
			{"notes.type", `unknown note type "Task Notes": the PSA lists no active note types`},
		}},
		{name: "id-only picks are kept", mutate: func(s *Settings) { s.Ticket.Queue = Pick{ID: "29683325"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, c := minimal(), testCatalog()
			tt.mutate(&s)
			if tt.catalog != nil {
				tt.catalog(&c)
			}
			err := Resolve(&s, c)
			var got []Problem
			var ve *ValidationError
			if errors.As(err, &ve) {
				got = ve.Problems
			} else if err != nil {
				t.Fatalf("Resolve() error %T %v", err, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveNormalizesNames(t *testing.T) {
	t.Parallel()
	s := minimal()
	s.Ticket.Queue = Pick{Name: "monitoring alert"}
	if err := Resolve(&s, testCatalog()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Pick{Name: "Monitoring Alert", ID: "8"}, s.Ticket.Queue); diff != "" {
		t.Errorf("queue (-want +got):\n%s", diff)
	}
}
