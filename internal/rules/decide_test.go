package rules

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

func TestDecideSkips(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		settings func(*integration.Settings)
		alert    func(*alert.Alert)
		want     *Skip
	}{
		{"integration disabled", func(s *integration.Settings) { s.Enabled = ptr(false) }, nil,
			&Skip{SkipIntegrationDisabled, "integration disabled"}},
		{"excluded type", nil, func(a *alert.Alert) { a.Type = "Too Many Logins" },
			&Skip{SkipExcludedType, "excluded by type: Too Many Logins"}},
		{"excluded type, any case", nil, func(a *alert.Alert) { a.Type = " too many LOGINS" },
			&Skip{SkipExcludedType, "excluded by type:  too many LOGINS"}},
		{"too old", nil, func(a *alert.Alert) { a.OccurredAt = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) },
			&Skip{SkipTooOld, "too old: occurred 2026-11-01T00:00:00Z, before sync.since 2026-11-14T00:00:00Z"}},
		{"exactly at since is not too old", nil, func(a *alert.Alert) { a.OccurredAt = since }, nil},
		{"excluded is checked before too old", nil, func(a *alert.Alert) {
			a.Type, a.OccurredAt = "Too Many Logins", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		}, &Skip{SkipExcludedType, "excluded by type: Too Many Logins"}},
		{"arrived resolved", nil, func(a *alert.Alert) { a.Status = alert.StatusResolved },
			&Skip{SkipNotOpen, "not open: arrived resolved"}},
		{"arrived ignored", nil, func(a *alert.Alert) { a.Status = alert.StatusIgnored },
			&Skip{SkipNotOpen, "not open: arrived ignored"}},
		{"in progress is delivered", nil, func(a *alert.Alert) { a.Status = alert.StatusInProgress }, nil},
		{"no status is open", nil, func(a *alert.Alert) { a.Status = "" }, nil},
		{"organization disabled", nil, func(a *alert.Alert) { a.Organization = alert.Organization{ID: "org-9", Name: "Trial Co"} },
			&Skip{SkipOrgDisabled, "organization disabled: org-9"}},
		{"too old is checked before a disabled organization", nil, func(a *alert.Alert) {
			a.Organization, a.OccurredAt = alert.Organization{ID: "org-9"}, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		}, &Skip{SkipTooOld, "too old: occurred 2026-11-01T00:00:00Z, before sync.since 2026-11-14T00:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, a := resolvedSettings(), sampleAlert()
			if tt.settings != nil {
				tt.settings(&s)
			}
			if tt.alert != nil {
				tt.alert(&a)
			}
			d := mustCompile(t, s).Decide(a, testInput, "src/1")
			if diff := cmp.Diff(tt.want, d.Skip); diff != "" {
				t.Fatalf("Skip (-want +got):\n%s", diff)
			}
			if tt.want != nil {
				if diff := cmp.Diff([]string{tt.want.Reason}, d.Reasons); diff != "" {
					t.Errorf("Reasons (-want +got):\n%s", diff)
				}
				if d.CompanyID != "" || d.GroupKey != "" || d.Ticket.Title != "" {
					t.Errorf("skipped decision carries delivery fields: %+v", d)
				}
			}
		})
	}
}

func TestDecideZeroSinceSkipsNothing(t *testing.T) {
	t.Parallel()
	a := sampleAlert()
	a.OccurredAt = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	d := mustCompile(t, resolvedSettings()).Decide(a, Input{}, "src/1")
	if d.Skip != nil {
		t.Errorf("Skip = %+v, want none when Input.Since is zero", d.Skip)
	}
}

func TestDecideCompany(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		autoMatch bool
		org       alert.Organization
		wantID    string
		wantName  string
		wantWhy   string
	}{
		{"mapped organization by id", true, alert.Organization{ID: "org-42", Name: "Acme Corp (old name)"},
			"101", "Acme Corp", "company Acme Corp: mapped organization org-42"},
		{"mapped organization by name", true, alert.Organization{Name: "initech"},
			"103", "Initech", "company Initech: mapped organization Initech"},
		{"auto-match by exact name", true, alert.Organization{ID: "org-100", Name: " globex corporation "},
			"102", "Globex Corporation", "company Globex Corporation: auto-matched by name"},
		{"auto-match needs the whole name", true, alert.Organization{ID: "org-100", Name: "Globex"},
			"0", "Default Account", "catch-all company Default Account: organization org-100 (Globex) not mapped"},
		{"ignored company is not auto-matched", true, alert.Organization{ID: "org-5", Name: "Umbrella Prospect"},
			"0", "Default Account", "catch-all company Default Account: organization org-5 (Umbrella Prospect) not mapped; company Umbrella Prospect has its name but is in companies.ignore"},
		{"auto-match off", false, alert.Organization{ID: "org-100", Name: "Globex Corporation"},
			"0", "Default Account", "catch-all company Default Account: organization org-100 (Globex Corporation) not mapped"},
		{"catch-all for an unmapped organization", true, alert.Organization{ID: "org-77", Name: "Foo"},
			"0", "Default Account", "catch-all company Default Account: organization org-77 (Foo) not mapped"},
		{"catch-all for an organization without a name", true, alert.Organization{ID: "org-77"},
			"0", "Default Account", "catch-all company Default Account: organization org-77 not mapped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := resolvedSettings()
			s.Companies.AutoMatch = tt.autoMatch
			a := sampleAlert()
			a.Organization = tt.org
			d := mustCompile(t, s).Decide(a, testInput, "src/1")
			if d.Skip != nil {
				t.Fatalf("skipped: %s", d.Skip.Reason)
			}
			got := []string{d.CompanyID, d.CompanyName, d.Ticket.CompanyID, d.Reasons[0]}
			if diff := cmp.Diff([]string{tt.wantID, tt.wantName, tt.wantID, tt.wantWhy}, got); diff != "" {
				t.Errorf("company, name, ticket company, reason (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecideContactPlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		attach  bool
		org     alert.Organization
		user    *alert.User
		want    ContactPlan
		wantWhy string
	}{
		{"mapped with a contact", true, alert.Organization{ID: "org-42"}, &alert.User{Email: "jane@acme.example"},
			ContactPlan{Attach: true, Email: "jane@acme.example", FallbackID: "32", FallbackName: "helpdesk@acme.example"}, "contact: by email jane@acme.example, else contact helpdesk@acme.example"},
		{"mapped without a contact", true, alert.Organization{ID: "org-7"}, &alert.User{Email: "hank@globex.example"},
			ContactPlan{Attach: true, Email: "hank@globex.example", CompanyDefault: true}, "contact: by email hank@globex.example, else the company's default contact"},
		{"auto-matched", true, alert.Organization{ID: "org-100", Name: "Globex Corporation"}, &alert.User{Email: "hank@globex.example"},
			ContactPlan{Attach: true, Email: "hank@globex.example", CompanyDefault: true}, "contact: by email hank@globex.example, else the company's default contact"},
		{"catch-all", true, alert.Organization{ID: "org-77"}, &alert.User{Email: "x@foo.example"},
			ContactPlan{Attach: true, Email: "x@foo.example", FallbackID: "30", FallbackName: "default.contact@msp.example"}, "contact: by email x@foo.example, else contact default.contact@msp.example"},
		{"no user email", true, alert.Organization{ID: "org-42"}, nil,
			ContactPlan{Attach: true, FallbackID: "32", FallbackName: "helpdesk@acme.example"}, "contact: contact helpdesk@acme.example"},
		{"attach_contacts off", false, alert.Organization{ID: "org-42"}, &alert.User{Email: "jane@acme.example"},
			ContactPlan{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := resolvedSettings()
			s.Companies.AttachContacts = tt.attach
			a := sampleAlert()
			a.Organization, a.User = tt.org, tt.user
			d := mustCompile(t, s).Decide(a, testInput, "src/1")
			if diff := cmp.Diff(tt.want, d.Contact); diff != "" {
				t.Errorf("Contact (-want +got):\n%s", diff)
			}
			why := ""
			for _, r := range d.Reasons {
				if strings.HasPrefix(r, "contact:") {
					why = r
				}
			}
			if why != tt.wantWhy {
				t.Errorf("contact reason = %q, want %q", why, tt.wantWhy)
			}
		})
	}
}

func TestDecidePriority(t *testing.T) {
	t.Parallel()
	s := resolvedSettings()
	s.Ticket.Overrides = nil
	r := mustCompile(t, s)
	tests := []struct {
		sev     alert.Severity
		want    string
		wantWhy string
	}{
		{alert.SeverityCritical, "4", "priority Critical: severity critical"},
		{alert.SeverityHigh, "1", "priority High: severity high"},
		{alert.SeverityMedium, "2", "priority Medium: severity medium"},
		{alert.SeverityLow, "3", "priority Low: severity low"},
		{alert.SeverityInfo, "3", "priority Low: severity info"},
		{"urgent", "", `no priority mapped for severity "urgent": the PSA's default applies`},
	}
	for _, tt := range tests {
		t.Run(string(tt.sev), func(t *testing.T) {
			t.Parallel()
			a := sampleAlert()
			a.Severity = tt.sev
			d := r.Decide(a, testInput, "src/1")
			if d.Ticket.Priority != tt.want {
				t.Errorf("Priority = %q, want %q", d.Ticket.Priority, tt.want)
			}
			if !contains(d.Reasons, tt.wantWhy) {
				t.Errorf("Reasons %q lack %q", d.Reasons, tt.wantWhy)
			}
		})
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// fields picks the ticket fields overrides may change.
type fields struct{ Issue, SubIssue, Queue, Priority string }

func TestDecideOverrides(t *testing.T) {
	t.Parallel()
	defaults := fields{"20", "202", "29683325", "1"}
	tests := []struct {
		name    string
		typ     string
		rule    *alert.Rule
		want    fields
		wantWhy string
	}{
		{"by alert type", "Too Many Downloads", nil, fields{"22", "221", "29683325", "1"},
			"override by alert type Too Many Downloads: issue type Data Loss, sub-issue type Excessive Download"},
		{"by alert type, any case", "too many DOWNLOADS", nil, fields{"22", "221", "29683325", "1"},
			"override by alert type Too Many Downloads: issue type Data Loss, sub-issue type Excessive Download"},
		{"new issue type clears the default sub-issue type", "Multiple MFA Failures", nil, fields{"21", "", "29683325", "1"},
			"override by alert type Multiple MFA Failures: issue type Account Security, sub-issue type cleared"},
		{"by respond rule id", "Risky Sign-in", &alert.Rule{Kind: alert.RuleRespond, ID: "r-17", Name: "Block risky sign-in"},
			fields{"21", "211", "29683326", "1"},
			"override by respond rule r-17: issue type Account Security, sub-issue type Suspicious Sign-in, queue Service Desk"},
		{"by respond rule name", "Risky Sign-in", &alert.Rule{Kind: alert.RuleRespond, ID: "r-99", Name: "R-17"},
			fields{"21", "211", "29683326", "1"},
			"override by respond rule r-17: issue type Account Security, sub-issue type Suspicious Sign-in, queue Service Desk"},
		{"by IOC rule name", "Malware Detected", &alert.Rule{Kind: alert.RuleIOC, ID: "ioc-3", Name: "Known ransomware hash"},
			fields{"23", "231", "29683325", "4"},
			"override by IOC rule Known ransomware hash: issue type Malware, sub-issue type Ransomware, priority Critical"},
		{"respond rule id on an IOC alert does not match", "Risky Sign-in", &alert.Rule{Kind: alert.RuleIOC, ID: "r-17"}, defaults, ""},
		{"rule of kind other does not match", "Risky Sign-in", &alert.Rule{Kind: alert.RuleOther, ID: "r-17"}, defaults, ""},
		{"no match uses the defaults", "Suspicious Forwarding Rule", nil, defaults, ""},
		{"alert type wins over respond rule", "Too Many Downloads", &alert.Rule{Kind: alert.RuleRespond, ID: "r-17"},
			fields{"22", "221", "29683325", "1"},
			"override by alert type Too Many Downloads: issue type Data Loss, sub-issue type Excessive Download"},
	}
	r := mustCompile(t, resolvedSettings())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := sampleAlert()
			a.Type, a.Rule = tt.typ, tt.rule
			d := r.Decide(a, testInput, "src/1")
			got := fields{d.Ticket.IssueType, d.Ticket.SubIssueType, d.Ticket.Queue, d.Ticket.Priority}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			var why string
			for _, r := range d.Reasons {
				if strings.HasPrefix(r, "override") {
					why = r
				}
			}
			if why != tt.wantWhy {
				t.Errorf("override reason = %q, want %q", why, tt.wantWhy)
			}
			if d.Ticket.Status != "1" || d.Ticket.Category != "3" || d.Ticket.Type != "5" || d.Ticket.Source != "8" {
				t.Errorf("defaults lost: %+v", d.Ticket)
			}
		})
	}
}

func TestDecideFirstOverrideWins(t *testing.T) {
	t.Parallel()
	s := resolvedSettings()
	s.Ticket.Overrides = []integration.Override{
		{AlertType: "Too Many Uploads", Queue: pk("Security", "29683325")},
		{AlertType: "too many uploads", Queue: pk("Service Desk", "29683326")},
	}
	a := sampleAlert()
	a.Type = "Too Many Uploads"
	d := mustCompile(t, s).Decide(a, testInput, "src/1")
	if d.Ticket.Queue != "29683325" {
		t.Errorf("Queue = %q, want the first override's 29683325", d.Ticket.Queue)
	}
	// Compile copies the overrides: editing the settings afterwards must
	// not change a compiled Ruleset.
	r := mustCompile(t, s)
	s.Ticket.Overrides[0].Queue = pk("Post Sale", "6")
	if got := r.Decide(a, testInput, "src/1").Ticket.Queue; got != "29683325" {
		t.Errorf("Queue after editing settings = %q, want 29683325", got)
	}
}

func TestDecideTicket(t *testing.T) {
	t.Parallel()
	d := mustCompile(t, resolvedSettings()).Decide(sampleAlert(), testInput, "src-1/sa-000123")
	want := psa.NewTicket{
		CompanyID: "101", Title: "Too Many Downloads: jane@acme.example",
		Status: "1", Priority: "1", Queue: "29683325", Category: "3", Type: "5", Source: "8",
		IssueType: "22", SubIssueType: "221",
	}
	got := d.Ticket
	if !strings.HasSuffix(got.Description, "\n\nticketbridge alert src-1/sa-000123") {
		t.Errorf("Description does not end with the marker:\n%s", got.Description)
	}
	got.Description = ""
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Ticket (-want +got):\n%s", diff)
	}
	wantReasons := []string{
		"company Acme Corp: mapped organization org-42",
		"contact: by email jane@acme.example, else contact helpdesk@acme.example",
		"priority High: severity high",
		"override by alert type Too Many Downloads: issue type Data Loss, sub-issue type Excessive Download",
		"group by user_alert: key user:jane@acme.example|type:too many downloads",
	}
	if diff := cmp.Diff(wantReasons, d.Reasons); diff != "" {
		t.Errorf("Reasons (-want +got):\n%s", diff)
	}
}

func TestDecideSubject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, subject string
		alert         func(*alert.Alert)
		want          string
	}{
		{"default", "", nil, "Too Many Downloads: jane@acme.example"},
		{"functions", `[{{.Severity | upper}}] {{.Type | lower}} {{.UserName | default "n/a"}} {{.Title | truncate 9}}`, nil,
			"[HIGH] too many downloads Jane Doe Too many…"},
		{"default for a blank field", `{{.Type}} on {{.Device | default "no device"}}`, func(a *alert.Alert) { a.Device = nil },
			"Too Many Downloads on no device"},
		{"userless alert", "", func(a *alert.Alert) { a.User, a.Device = nil, nil }, "Too Many Downloads: unknown user"},
		{"device when no user", "", func(a *alert.Alert) { a.User = nil }, "Too Many Downloads: ACME-LT-07"},
		{"attribute", "{{.Type}} from {{.Attributes.ip}}", nil, "Too Many Downloads from 203.0.113.9"},
		{"time", `{{.OccurredAt.Format "2006-01-02"}} {{.OrgName}} {{.OrgID}} {{.RuleID}}`, nil, "2026-11-21 Acme Corp org-42"},
		{"line breaks fold", "{{.Type}}\n{{.UserOrDevice}}", nil, "Too Many Downloads jane@acme.example"},
		{"truncated to 255 runes", strings.Repeat("é", 300), nil, strings.Repeat("é", 254) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := resolvedSettings()
			s.Ticket.Subject = tt.subject
			a := sampleAlert()
			if tt.alert != nil {
				tt.alert(&a)
			}
			d := mustCompile(t, s).Decide(a, testInput, "src/1")
			if d.Ticket.Title != tt.want {
				t.Errorf("Title = %q, want %q", d.Ticket.Title, tt.want)
			}
		})
	}
}

func TestDecideNote(t *testing.T) {
	t.Parallel()
	s := resolvedSettings()
	s.Notes = integration.Notes{Type: pk("Client Portal Note", "18"), Visibility: "external", Title: "{{.Type}} for {{.UserOrDevice}} ({{.Severity}})"}
	d := mustCompile(t, s).Decide(sampleAlert(), testInput, "src-1/sa-000123")
	r := mustCompile(t, s)
	want := psa.NewNote{
		Title:       "Too Many Downloads for jane@acme.example (high)",
		Description: r.NoteBody(sampleAlert(), "src-1/sa-000123"),
		Type:        "18",
		Visibility:  psa.VisibilityExternal,
	}
	if diff := cmp.Diff(want, d.Note); diff != "" {
		t.Errorf("Note (-want +got):\n%s", diff)
	}

	s.Notes = integration.Notes{Type: pk("Task Notes", "3")} // defaults: internal, "{{.Type}} ({{.Severity}})"
	d = mustCompile(t, s).Decide(sampleAlert(), testInput, "src/1")
	if d.Note.Title != "Too Many Downloads (high)" || d.Note.Visibility != psa.VisibilityInternal || d.Note.Type != "3" {
		t.Errorf("default note = %+v", d.Note)
	}
	s.Notes.Title = strings.Repeat("x", 300)
	if got := mustCompile(t, s).Decide(sampleAlert(), testInput, "src/1").Note.Title; len([]rune(got)) != 250 {
		t.Errorf("note title has %d runes, want 250", len([]rune(got)))
	}
}

func TestDecideTemplateFailureFallsBack(t *testing.T) {
	t.Parallel()
	s := resolvedSettings()
	s.Ticket.Subject = "{{.Type}} from {{.Attributes.country}}"
	s.Notes.Title = "{{.Attributes.country}}"
	s.Ticket.Description = "{{.Title}} {{.Attributes.country}}"
	a := sampleAlert()
	d := mustCompile(t, s).Decide(a, testInput, "src/1")
	if d.Skip != nil {
		t.Fatalf("skipped: %+v", d.Skip)
	}
	if d.Ticket.Title != a.Title || d.Note.Title != a.Title {
		t.Errorf("titles = %q / %q, want the alert title %q", d.Ticket.Title, d.Note.Title, a.Title)
	}
	if want := standardBody(a); !strings.HasPrefix(d.Ticket.Description, strings.TrimSpace(want)) {
		t.Errorf("Description = %q, want the standard body", d.Ticket.Description)
	}
	var fallbacks []string
	for _, r := range d.Reasons {
		if strings.Contains(r, "template") {
			fallbacks = append(fallbacks, r)
		}
	}
	want := []string{
		`subject template failed: render subject template: template: subject:1:28: executing "subject" at <.Attributes.country>: map has no entry for key "country"; used the alert title`,
		`description template failed: render description template: template: description:1:24: executing "description" at <.Attributes.country>: map has no entry for key "country"; used the standard body`,
		`note title template failed: render note title template: template: note title:1:13: executing "note title" at <.Attributes.country>: map has no entry for key "country"; used the alert title`,
	}
	if diff := cmp.Diff(want, fallbacks); diff != "" {
		t.Errorf("fallback reasons (-want +got):\n%s", diff)
	}

	s.Ticket.Subject = `{{if false}}x{{end}}`
	a.Title = ""
	d = mustCompile(t, s).Decide(a, testInput, "src/1")
	if d.Ticket.Title != a.Type {
		t.Errorf("Title for an empty render and no alert title = %q, want the type %q", d.Ticket.Title, a.Type)
	}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*integration.Settings)
		want   string
	}{
		{"subject", func(s *integration.Settings) { s.Ticket.Subject = "{{.Type" }, "compile settings: parse subject template: template: subject:1: unclosed action"},
		{"description", func(s *integration.Settings) { s.Ticket.Description = "{{nope}}" }, `compile settings: parse description template: template: description:1: function "nope" not defined`},
		{"note title", func(s *integration.Settings) { s.Notes.Title = "{{end}}" }, "compile settings: parse note title template: template: note title:1: unexpected {{end}}"},
		{"group_by", func(s *integration.Settings) { s.Ticket.GroupBy = "device" }, `compile settings: unknown group_by "device"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := resolvedSettings()
			tt.mutate(&s)
			_, err := Compile(s)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Compile() error = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestDecideConcurrent runs Decide from several goroutines on one
// Ruleset; with -race it proves Decide writes nothing shared.
func TestDecideConcurrent(t *testing.T) {
	t.Parallel()
	r := mustCompile(t, resolvedSettings())
	want := r.Decide(sampleAlert(), testInput, "src/1")
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if got := r.Decide(sampleAlert(), testInput, "src/1"); !cmp.Equal(want, got) {
					errs <- cmp.Diff(want, got)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent Decide differs:\n%s", e)
	}
}
