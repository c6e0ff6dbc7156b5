package integration

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// cwMinimal is the smallest valid connectwise settings.
func cwMinimal() Settings {
	s := Settings{
		Name: "connectwise",
		PSA:  "connectwise",
		Connection: Connection{
			URL:        "https://api-na.myconnectwise.net",
			Company:    "msp",
			PublicKey:  "pub",
			PrivateKey: SecretRef{Env: "CW_PRIVATE"},
			ClientID:   SecretRef{File: "/run/secrets/cw-client-id"},
		},
		Companies: Companies{CatchAll: CatchAll{Company: Pick{Name: "Default Account"}}},
		Ticket: Ticket{
			Status: Pick{Name: "New"}, Queue: Pick{Name: "Security"}, Source: Pick{Name: "Monitoring Alert"},
			Priority: map[string]Pick{
				"critical": {Name: "Priority 1 - Critical"}, "high": {Name: "Priority 2 - High"},
				"medium": {Name: "Priority 3 - Medium"}, "low": {Name: "Priority 4 - Low"}, "info": {Name: "Priority 4 - Low"},
			},
		},
	}
	applyDefaults(&s)
	return s
}

// cwCatalog mirrors the ConnectWise simulator's seed: statuses and types
// per board (Parent = board id), subtypes under types.
func cwCatalog() Catalog {
	v := func(id, label, parent string) psa.Value {
		return psa.Value{ID: id, Label: label, Active: true, Parent: parent}
	}
	off := func(id, label, parent string) psa.Value { return psa.Value{ID: id, Label: label, Parent: parent} }
	return Catalog{
		Picklists: psa.Picklists{
			psa.FieldQueue: {v("1", "Security", ""), v("2", "Service Desk", ""), v("3", "Monitoring Alert", "")},
			psa.FieldStatus: {
				v("11", "New", "1"), v("12", "In Progress", "1"), v("14", "Completed", "1"), off("16", "Legacy", "1"),
				v("21", "New", "2"), v("22", "In Progress", "2"), v("25", "Closed", "2"),
				v("32", "Open", "3"), v("35", "Closed", "3"),
			},
			psa.FieldPriority: {v("1", "Priority 1 - Critical", ""), v("2", "Priority 2 - High", ""),
				v("3", "Priority 3 - Medium", ""), v("4", "Priority 4 - Low", "")},
			psa.FieldSource:       {v("2", "Email", ""), v("6", "Monitoring Alert", "")},
			psa.FieldIssueType:    {v("101", "Account Security", "1"), v("102", "Malware", "1"), v("201", "Malware", "2")},
			psa.FieldSubIssueType: {v("1001", "Suspicious Sign-in", "101"), v("1002", "Ransomware", "102"), v("2002", "Ransomware", "201")},
			psa.FieldNoteType:     {v("service_note", "Service Note", "")},
			psa.FieldCompanyType:  {v("1", "Client", ""), v("5", "Prospect", "")},
		},
		Companies: []psa.Company{{ID: "250", Name: "Default Account", Type: "1", Active: true}},
	}
}

// cwProblems returns the problems of a *ValidationError, nil for nil.
func cwProblems(t *testing.T, err error) []Problem {
	t.Helper()
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Problems
	}
	if err != nil {
		t.Fatalf("error %T %v, want *ValidationError", err, err)
	}
	return nil
}

func TestValidateConnectWise(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*Settings)
		want   []Problem
	}{
		{name: "minimal is valid", mutate: func(*Settings) {}},
		{name: "connection incomplete", mutate: func(s *Settings) { s.Connection = Connection{} }, want: []Problem{
			{"connection.url", "required for connectwise: set the site, e.g. https://api-na.myconnectwise.net (or your on-premise host)"},
			{"connection.company", "required for connectwise: set the company id you log in with"},
			{"connection.public_key", "required for connectwise: set the API member's public key"},
			{"connection.private_key", "required for connectwise: set env or file to where the API member's private key is"},
			{"connection.client_id", "required for connectwise: set env or file to where the integration's clientId (from the ConnectWise developer portal) is"},
		}},
		{name: "autotask keys left over", mutate: func(s *Settings) {
			s.Connection.Username = "api@msp.example"
			s.Connection.Secret = SecretRef{Env: "AT_SECRET"}
		}, want: []Problem{
			{"connection.username", "not used by connectwise: remove it (connection.company, connection.public_key, connection.private_key and connection.client_id set the credentials)"},
			{"connection.secret", "not used by connectwise: remove it (connection.company, connection.public_key, connection.private_key and connection.client_id set the credentials)"},
		}},
		{name: "site with a path", mutate: func(s *Settings) { s.Connection.URL = "https://api-na.myconnectwise.net/v4_6_release/apis/3.0" }, want: []Problem{
			{"connection.url", `"https://api-na.myconnectwise.net/v4_6_release/apis/3.0" has a path: set the site only, e.g. https://api-na.myconnectwise.net (the API path is discovered)`},
		}},
		{name: "site not a URL", mutate: func(s *Settings) { s.Connection.URL = "na.myconnectwise.net" }, want: []Problem{
			{"connection.url", `"na.myconnectwise.net" is not an http(s) URL: set the ConnectWise site, e.g. https://api-na.myconnectwise.net`},
		}},
		{name: "private key with two sources", mutate: func(s *Settings) { s.Connection.PrivateKey = SecretRef{Env: "A", Value: "b"} }, want: []Problem{
			{"connection.private_key", "set only one of env, file, value or stored"},
		}},
		{name: "category and type have no twin", mutate: func(s *Settings) {
			s.Ticket.Category, s.Ticket.Type = Pick{Name: "Standard"}, Pick{Name: "Alert"}
		}, want: []Problem{
			{"ticket.category", "ConnectWise has no ticket category: remove it (a board's types and subtypes classify tickets: set ticket.issue_type and ticket.sub_issue_type)"},
			{"ticket.type", "ConnectWise has no ticket type apart from the board's types: remove it and set ticket.issue_type to a type of the board"},
		}},
		{name: "classifications have no twin", mutate: func(s *Settings) {
			s.Companies.Filter.Classifications = []Pick{{Name: "Gold"}}
		}, want: []Problem{
			{"companies.filter.classifications", "ConnectWise has no company classifications: remove them (filter by companies.filter.types)"},
		}},
		{name: "status and queue still required", mutate: func(s *Settings) { s.Ticket.Status, s.Ticket.Queue = Pick{}, Pick{} }, want: []Problem{
			{"ticket.status", `required: set the status new tickets start in, e.g. "New"`},
			{"ticket.queue", `required: set the queue new tickets are placed in, e.g. "Security"`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := cwMinimal()
			tt.mutate(&s)
			if diff := cmp.Diff(tt.want, cwProblems(t, validate(s))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateAutotaskRejectsConnectWiseKeys(t *testing.T) {
	t.Parallel()
	s := minimal()
	s.Connection.PublicKey = "pub"
	s.Connection.ClientID = SecretRef{Env: "X"}
	want := []Problem{
		{"connection.public_key", "not used by autotask: remove it (connection.username, connection.secret and connection.integration_code set the credentials)"},
		{"connection.client_id", "not used by autotask: remove it (connection.username, connection.secret and connection.integration_code set the credentials)"},
	}
	if diff := cmp.Diff(want, cwProblems(t, validate(s))); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestApplyDefaultsConnectWise(t *testing.T) {
	t.Parallel()
	s := cwMinimal()
	p, ok := testProfiles.Lookup("connectwise")
	if !ok {
		t.Fatal("no connectwise profile")
	}
	p.ApplyDefaults(&s)
	if s.Connection.RequestsPerHour != 3600 || s.Connection.MaxConcurrent != 4 {
		t.Errorf("defaults = %d/h, %d concurrent; want 3600, 4", s.Connection.RequestsPerHour, s.Connection.MaxConcurrent)
	}
}

func TestResolveConnectWiseOnBoard(t *testing.T) {
	t.Parallel()
	s := cwMinimal()
	s.Ticket.IssueType, s.Ticket.SubIssueType = Pick{Name: "malware"}, Pick{Name: "Ransomware"}
	s.Ticket.ClosedStatuses = []Pick{{Name: "In Progress"}}
	s.Notes.Type = Pick{Name: "service note"}
	s.Ticket.Overrides = []Override{{AlertType: "Virus", Queue: Pick{Name: "Service Desk"}, IssueType: Pick{Name: "Malware"}}}
	if err := Resolve(&s, cwCatalog()); err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	got := map[string]string{
		"queue": s.Ticket.Queue.ID, "status": s.Ticket.Status.ID, "issue": s.Ticket.IssueType.ID,
		"sub": s.Ticket.SubIssueType.ID, "closed[0]": s.Ticket.ClosedStatuses[0].ID, "note type": s.Notes.Type.ID,
		"override queue": s.Ticket.Overrides[0].Queue.ID, "override issue": s.Ticket.Overrides[0].IssueType.ID,
	}
	want := map[string]string{
		"queue": "1", "status": "11", "issue": "102", "sub": "1002", "closed[0]": "12", "note type": "service_note",
		"override queue": "2", "override issue": "201",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resolved ids (-want +got):\n%s", diff)
	}
}

func TestResolveConnectWiseProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*Settings)
		want   []Problem
	}{
		{name: "status of another board", mutate: func(s *Settings) { s.Ticket.Status = Pick{Name: "Closed"} }, want: []Problem{
			{"ticket.status", `status "Closed" is not a status of board "Security" (ticket.queue), it is on board "Monitoring Alert": valid statuses are "New", "In Progress", "Completed"`},
		}},
		{name: "status nowhere", mutate: func(s *Settings) { s.Ticket.Status = Pick{Name: "Nuevo"} }, want: []Problem{
			{"ticket.status", `status "Nuevo" is not a status of board "Security" (ticket.queue): valid statuses are "New", "In Progress", "Completed"`},
		}},
		{name: "status with a typo", mutate: func(s *Settings) { s.Ticket.Status = Pick{Name: "Complted"} }, want: []Problem{
			{"ticket.status", `status "Complted" is not a status of board "Security" (ticket.queue): did you mean "Completed"?`},
		}},
		{name: "inactive status on the board", mutate: func(s *Settings) { s.Ticket.Status = Pick{Name: "Legacy"} }, want: []Problem{
			{"ticket.status", `status "Legacy" is inactive on board "Security" (ticket.queue): valid statuses are "New", "In Progress", "Completed"`},
		}},
		{name: "unresolved board is reported once", mutate: func(s *Settings) { s.Ticket.Queue = Pick{Name: "Nope"} }, want: []Problem{
			{"ticket.queue", `unknown queue "Nope": valid queues are "Security", "Service Desk", "Monitoring Alert"`},
		}},
		{name: "issue type of another board", mutate: func(s *Settings) {
			s.Ticket.Queue = Pick{Name: "Service Desk"}
			s.Ticket.IssueType = Pick{Name: "Account Security"}
		}, want: []Problem{
			{"ticket.issue_type", `issue type "Account Security" is not an issue type of board "Service Desk" (ticket.queue), it is on board "Security": valid issue types are "Malware"`},
		}},
		{name: "override board without the default status", mutate: func(s *Settings) {
			s.Ticket.Overrides = []Override{{AlertType: "Noise", Queue: Pick{Name: "Monitoring Alert"}}}
		}, want: []Problem{
			{"ticket.overrides[alert_type=Noise].queue", `board "Monitoring Alert" has no active status "New" (ticket.status), which its new tickets would start in: add it to the board in the PSA or choose another board: valid statuses are "Open", "Closed"`},
		}},
		{name: "override issue type on the override board", mutate: func(s *Settings) {
			s.Ticket.Overrides = []Override{{AlertType: "Sign-in", Queue: Pick{Name: "Service Desk"}, IssueType: Pick{Name: "Account Security"}}}
		}, want: []Problem{
			{"ticket.overrides[alert_type=Sign-in].issue_type", `issue type "Account Security" is not an issue type of board "Service Desk" (ticket.overrides[alert_type=Sign-in].queue), it is on board "Security": valid issue types are "Malware"`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := cwMinimal()
			tt.mutate(&s)
			if diff := cmp.Diff(tt.want, cwProblems(t, Resolve(&s, cwCatalog()))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExportNeverWritesConnectWiseSecrets(t *testing.T) {
	t.Parallel()
	s := cwMinimal()
	s.Connection.PrivateKey = SecretRef{Value: "pk-VALUE-1"}
	s.Connection.ClientID = SecretRef{Env: "CW_CLIENT", Value: "cid-VALUE-2"}
	out, err := Export([]Settings{s})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	text := string(out)
	for _, v := range []string{"pk-VALUE-1", "cid-VALUE-2", "category:", "type: \"\""} {
		if strings.Contains(text, v) {
			t.Errorf("export holds secret value %q:\n%s", v, text)
		}
	}
	for _, want := range []string{"private_key:\n    stored: true", "client_id:\n    env: CW_CLIENT", "company: msp", "public_key: pub"} {
		if !strings.Contains(text, want) {
			t.Errorf("export lacks %q:\n%s", want, text)
		}
	}
}
