package rules

import (
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// userAlert is an alert of the SaaS Alerts examples: user@domain.com at a
// mapped organization.
func userAlert(id, typ, email string) alert.Alert {
	a := sampleAlert()
	a.ID, a.Type, a.Title = id, typ, typ+" by "+email
	a.User = &alert.User{Email: email}
	return a
}

func keyFor(t *testing.T, r *Ruleset, a alert.Alert) string {
	t.Helper()
	d := r.Decide(a, testInput, "src-1/"+a.ID)
	if d.Skip != nil {
		t.Fatalf("alert %s skipped: %s", a.ID, d.Skip.Reason)
	}
	return d.GroupKey
}

// TestGroupingSaaSAlertsExamples follows the seed's "User" and
// "User+Alert" examples: which alerts share a key (and so an open ticket).
// Closing the ticket in between is the engine's part; the key stays the
// same and the engine opens a new ticket for it.
func TestGroupingSaaSAlertsExamples(t *testing.T) {
	t.Parallel()
	downloads := userAlert("a1", "Too Many Downloads", "user@domain.com")
	uploads := userAlert("a2", "Too Many Uploads", "user@domain.com")
	mfa := userAlert("a3", "Multiple MFA Failures", "user@domain.com")
	uploadsAgain := userAlert("a4", "Too Many Uploads", "USER@domain.com ")
	otherUser := userAlert("a5", "Too Many Downloads", "other@domain.com")
	tests := []struct {
		name    string
		groupBy integration.GroupBy
		a, b    alert.Alert
		same    bool
		wantA   string
	}{
		{"User: downloads then uploads by the same user share a ticket", integration.GroupUser, downloads, uploads, true, "user:user@domain.com"},
		{"User: MFA failures by the same user share the key", integration.GroupUser, downloads, mfa, true, "user:user@domain.com"},
		{"User: another user gets another ticket", integration.GroupUser, downloads, otherUser, false, "user:user@domain.com"},
		{"User+Alert: downloads and uploads get separate tickets", integration.GroupUserAlert, downloads, uploads, false, "user:user@domain.com|type:too many downloads"},
		{"User+Alert: the same type again joins the open ticket", integration.GroupUserAlert, uploads, uploadsAgain, true, "user:user@domain.com|type:too many uploads"},
		{"User+Alert: another user with the same type is separate", integration.GroupUserAlert, downloads, otherUser, false, "user:user@domain.com|type:too many downloads"},
		{"none: every alert is its own ticket", integration.GroupNone, uploads, uploadsAgain, false, "alert:src-1/a2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := resolvedSettings()
			s.Ticket.GroupBy = tt.groupBy
			r := mustCompile(t, s)
			ka, kb := keyFor(t, r, tt.a), keyFor(t, r, tt.b)
			if ka != tt.wantA {
				t.Errorf("key of first alert = %q, want %q", ka, tt.wantA)
			}
			if (ka == kb) != tt.same {
				t.Errorf("keys %q and %q: same = %v, want %v", ka, kb, ka == kb, tt.same)
			}
		})
	}
}

func TestGroupKeyFallbacks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		groupBy integration.GroupBy
		mutate  func(*alert.Alert)
		want    string
	}{
		{"user name when no email", integration.GroupUser, func(a *alert.Alert) { a.User = &alert.User{Name: " Jane Doe "} }, "user:jane doe"},
		{"device when no user", integration.GroupUser, func(a *alert.Alert) { a.User = nil }, "device:acme-lt-07"},
		{"alert key when no user nor device", integration.GroupUser, func(a *alert.Alert) { a.User, a.Device = nil, nil }, "alert:Src-1/SA-1"},
		{"empty user and device count as none", integration.GroupUser, func(a *alert.Alert) { a.User, a.Device = &alert.User{}, &alert.Device{} }, "alert:Src-1/SA-1"},
		{"user_alert without user uses the device", integration.GroupUserAlert, func(a *alert.Alert) { a.User = nil }, "device:acme-lt-07|type:too many downloads"},
		{"user_alert without anyone uses the alert key", integration.GroupUserAlert, func(a *alert.Alert) { a.User, a.Device = nil, nil }, "alert:Src-1/SA-1|type:too many downloads"},
		{"none keeps the alert key's case", integration.GroupNone, func(a *alert.Alert) {}, "alert:Src-1/SA-1"},
		{"catch-all keys carry the organization", integration.GroupUserAlert, func(a *alert.Alert) {
			a.Organization = alert.Organization{ID: "ORG-77", Name: "Foo"}
		}, "org:org-77|user:jane@acme.example|type:too many downloads"},
		{"catch-all by organization name", integration.GroupUser, func(a *alert.Alert) {
			a.Organization = alert.Organization{Name: "Foo Ltd"}
		}, "org:foo ltd|user:jane@acme.example"},
		{"auto-matched company keys do not", integration.GroupUser, func(a *alert.Alert) {
			a.Organization = alert.Organization{ID: "org-100", Name: "Globex Corporation"}
		}, "user:jane@acme.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := resolvedSettings()
			s.Ticket.GroupBy = tt.groupBy
			s.Companies.Map = s.Companies.Map[:1] // org-42 only
			a := sampleAlert()
			tt.mutate(&a)
			d := mustCompile(t, s).Decide(a, testInput, "Src-1/SA-1")
			if d.GroupKey != tt.want {
				t.Errorf("GroupKey = %q, want %q", d.GroupKey, tt.want)
			}
		})
	}
}

func TestGroupBySubject(t *testing.T) {
	t.Parallel()
	s := resolvedSettings()
	s.Ticket.GroupBy = integration.GroupSubject
	s.Ticket.Subject = "{{.OrgName}}: {{.Type}}"
	r := mustCompile(t, s)
	a, b := sampleAlert(), sampleAlert()
	b.ID, b.User = "sa-2", &alert.User{Email: "other@acme.example"}
	c := sampleAlert()
	c.ID, c.Type = "sa-3", "Too Many Uploads"
	da, db, dc := r.Decide(a, testInput, "s/1"), r.Decide(b, testInput, "s/2"), r.Decide(c, testInput, "s/3")
	if da.Ticket.Title != "Acme Corp: Too Many Downloads" {
		t.Errorf("Title = %q", da.Ticket.Title)
	}
	if da.GroupKey != "subject:acme corp: too many downloads" {
		t.Errorf("GroupKey = %q", da.GroupKey)
	}
	if da.GroupKey != db.GroupKey {
		t.Errorf("same subject, different keys: %q, %q", da.GroupKey, db.GroupKey)
	}
	if da.GroupKey == dc.GroupKey {
		t.Errorf("different subjects share key %q", da.GroupKey)
	}
}
