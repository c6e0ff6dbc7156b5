package integration

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeExample(t *testing.T) {
	t.Parallel()
	s := loadExample(t)
	if s.Name != "autotask" || s.Ticket.Queue.Name != "Security" || len(s.Companies.Map) != 4 || len(s.Ticket.Overrides) != 5 {
		t.Errorf("example decoded to unexpected settings: name %q queue %q, %d mappings, %d overrides",
			s.Name, s.Ticket.Queue.Name, len(s.Companies.Map), len(s.Ticket.Overrides))
	}
	if got := s.Companies.Map[3]; got.Organization != "org-99" || got.IsEnabled() {
		t.Errorf("map[3] = %+v, want org-99 disabled", got)
	}
	if s.Connection.Secret.Env != "AUTOTASK_SECRET" || s.Connection.IntegrationCode.File == "" {
		t.Errorf("secrets = %+v / %+v", s.Connection.Secret, s.Connection.IntegrationCode)
	}
}

func TestDecodeMultipleDocuments(t *testing.T) {
	t.Parallel()
	in := "name: a\npsa: autotask\n---\n---\n# only a comment\n---\nname: b\npsa: autotask\n"
	all, err := Decode(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range all {
		names = append(names, s.Name)
	}
	if diff := cmp.Diff([]string{"a", "b"}, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"unknown key with a near one", "name: a\nticket:\n  queue: Security\n  queu: Security\n",
			`decode settings document 1: line 4: unknown key "queu" in ticket: did you mean "queue"?`},
		{"unknown key lists known keys", "name: a\nnotes:\n  colour: red\n",
			`decode settings document 1: line 3: unknown key "colour" in notes: known keys are "type", "visibility" or "title"`},
		{"unknown key in a map entry", "name: a\n---\nname: b\ncompanies:\n  map:\n    - organization: org-1\n      compnay: Acme Corp\n",
			`decode settings document 2: line 7: unknown key "compnay" in a companies.map entry: did you mean "company"?`},
		{"unknown top-level key", "name: a\ntickets: {}\n",
			`decode settings document 1: line 2: unknown key "tickets" in the integration: did you mean "ticket"?`},
		{"a list where a name belongs", "name: a\nticket:\n  queue: [Security]\n",
			"decode settings document 1: line 3: want a name, got a list"},
		{"syntax error", "name: [a\n", "decode settings document 1: yaml: line 2: did not find expected ',' or ']'"},
		{"no documents", "# nothing\n", "decode settings: no integration found: write at least one document with name, psa, connection, companies, ticket and notes"},
		{"duplicate names", "name: autotask\n---\nname: AutoTask\n", `decode settings: integrations 1 and 2 are both named "AutoTask": give each integration its own name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Decode(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("Decode() = nil error, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Decode() error\n got %q\nwant %q", err.Error(), tt.want)
			}
		})
	}
}

func TestApplyDefaults(t *testing.T) {
	t.Parallel()
	s := Settings{PSA: " AutoTask "}
	applyDefaults(&s)
	got := []any{s.PSA, s.IsEnabled(), s.Sync.Since, s.Ticket.GroupBy, s.Ticket.DueIn, s.Notes.Visibility,
		s.Ticket.Subject, s.Notes.Title, s.Connection.RequestsPerHour, s.Connection.MaxConcurrent}
	want := []any{"autotask", true, "now", GroupUserAlert, "24h", "internal",
		"{{.Type}}: {{.UserOrDevice}}", "{{.Type}} ({{.Severity}})", 10000, 3}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}

	set := Settings{PSA: "autotask", Enabled: ptr(false), Sync: Sync{Since: "30d"}, Ticket: Ticket{GroupBy: GroupUser, DueIn: "4h"},
		Connection: Connection{RequestsPerHour: 500, MaxConcurrent: 1}}
	applyDefaults(&set)
	if set.IsEnabled() || set.Sync.Since != "30d" || set.Ticket.GroupBy != GroupUser || set.Ticket.DueIn != "4h" ||
		set.Connection.RequestsPerHour != 500 || set.Connection.MaxConcurrent != 1 {
		t.Errorf("ApplyDefaults overwrote set values: %+v", set)
	}
}
