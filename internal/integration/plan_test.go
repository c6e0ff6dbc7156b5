package integration

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func renderChanges(cs []Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.String())
	}
	return out
}

func TestPlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*Settings)
		want   []string
	}{
		{"no change", func(s *Settings) {}, nil},
		{"queue changed", func(s *Settings) { s.Ticket.Queue = Pick{Name: "Monitoring Alert"} },
			[]string{"~ ticket.queue: Security → Monitoring Alert"}},
		{"ids alone are not a change", func(s *Settings) { s.Ticket.Queue.ID = "999" }, nil},
		{"mapping added", func(s *Settings) {
			s.Companies.Map = append(s.Companies.Map, Mapping{Organization: "org-8", Company: Pick{Name: "Umbrella Prospect"}})
		}, []string{"+ companies.map[org-8].company: Umbrella Prospect"}},
		{"mapping removed and one changed", func(s *Settings) {
			s.Companies.Map = []Mapping{s.Companies.Map[0], s.Companies.Map[2], s.Companies.Map[3]}
			s.Companies.Map[0].Contact = Pick{Name: "jane@acme.example"}
		}, []string{
			"~ companies.map[org-42].contact: helpdesk@acme.example → jane@acme.example",
			"- companies.map[org-7].company: Globex Corporation",
		}},
		{"organization disabled", func(s *Settings) { s.Companies.Map[1].Enabled = ptr(false) },
			[]string{"+ companies.map[org-7].enabled: false"}},
		{"exclude type removed keeps its index", func(s *Settings) { s.Sync.ExcludeTypes = s.Sync.ExcludeTypes[:1] },
			[]string{"- sync.exclude_types[1]: Login From Blacklisted IP"}},
		{"reordered list is not a change", func(s *Settings) {
			s.Sync.ExcludeTypes = []string{s.Sync.ExcludeTypes[1], s.Sync.ExcludeTypes[0]}
		}, nil},
		{"reordered overrides are not a change", func(s *Settings) {
			o := s.Ticket.Overrides
			o[0], o[4] = o[4], o[0]
		}, nil},
		{"override changed", func(s *Settings) { s.Ticket.Overrides[3].Queue = Pick{Name: "Security"} },
			[]string{"~ ticket.overrides[respond_rule=r-17].queue: Service Desk → Security"}},
		{"priority and booleans", func(s *Settings) {
			s.Ticket.Priority["info"] = Pick{Name: "Medium"}
			s.Companies.AutoMatch = false
		}, []string{
			"~ companies.auto_match: true → false",
			"~ ticket.priority.info: Low → Medium",
		}},
		{"secret reference changed", func(s *Settings) { s.Connection.Secret = SecretRef{Env: "AT_SECRET_2"} },
			[]string{"~ connection.secret: env AUTOTASK_SECRET → env AT_SECRET_2"}},
		{"secret value set", func(s *Settings) { s.Connection.Secret = SecretRef{Value: "hunter2"} },
			[]string{"~ connection.secret: env AUTOTASK_SECRET → (set)"}},
		{"multi-line template quoted", func(s *Settings) { s.Ticket.Description = "a\nb" },
			[]string{`~ ticket.description: ` + quoteDescription() + ` → "a\nb"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			old, next := loadExample(t), loadExample(t)
			tt.mutate(&next)
			got := renderChanges(Plan(&old, next))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}

func quoteDescription() string {
	return `"{{.Title}}\n{{.Description | default \"No details from the source.\"}}\n\nOrganization: {{.OrgName}}\nUser: {{.UserOrDevice}}\nDevice: {{.Device | default \"n/a\"}}\nOccurred: {{.OccurredAt.Format \"2006-01-02 15:04 MST\"}}\nSource link: {{.URL}}\n"`
}

func TestPlanSecretValues(t *testing.T) {
	t.Parallel()
	old, next := minimal(), minimal()
	old.Connection.Secret = SecretRef{Value: "old-secret-value"}
	next.Connection.Secret = SecretRef{Value: "new-secret-value"}
	got := renderChanges(Plan(&old, next))
	if diff := cmp.Diff([]string{"~ connection.secret: (changed)"}, got); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	same := renderChanges(Plan(&old, old))
	if len(same) != 0 {
		t.Errorf("Plan(same secret) = %q, want no change", same)
	}
	for _, line := range append(got, renderChanges(Plan(nil, next))...) {
		if strings.Contains(line, "secret-value") {
			t.Errorf("plan line %q shows a secret value", line)
		}
	}
}

func TestPlanNew(t *testing.T) {
	t.Parallel()
	got := renderChanges(Plan(nil, minimal()))
	want := []string{
		"+ name: autotask",
		"+ psa: autotask",
		"+ enabled: true",
		"+ connection.username: api@msp.example",
		"+ connection.secret: env AT_SECRET",
		"+ connection.integration_code: env AT_CODE",
		"+ connection.requests_per_hour: 10000",
		"+ connection.max_concurrent: 3",
		"+ sync.since: now",
		"+ companies.catch_all.company: Default Account",
		"+ ticket.category: Standard",
		"+ ticket.type: Alert",
		"+ ticket.status: New",
		"+ ticket.queue: Security",
		"+ ticket.source: Monitoring Alert",
		"+ ticket.subject: {{.Type}}: {{.UserOrDevice}}",
		"+ ticket.group_by: user_alert",
		"+ ticket.priority.critical: Critical",
		"+ ticket.priority.high: High",
		"+ ticket.priority.medium: Medium",
		"+ ticket.priority.low: Low",
		"+ ticket.priority.info: Low",
		"+ ticket.due_in: 24h",
		"+ notes.type: Task Notes",
		"+ notes.visibility: internal",
		"+ notes.title: {{.Type}} ({{.Severity}})",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}

func TestPlanRemovedKeepsPlace(t *testing.T) {
	t.Parallel()
	old, next := loadExample(t), loadExample(t)
	next.Ticket.IssueType, next.Ticket.SubIssueType = Pick{}, Pick{}
	next.Notes.Title = "{{.Title}}"
	got := renderChanges(Plan(&old, next))
	want := []string{
		"- ticket.issue_type: Security Incident",
		"- ticket.sub_issue_type: Other",
		"~ notes.title: {{.Type}} ({{.Severity}}) for {{.UserOrDevice}} → {{.Title}}",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}
