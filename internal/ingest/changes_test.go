package ingest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/alert"
)

func TestDiffAlerts(t *testing.T) {
	t.Parallel()
	base := func() alert.Alert {
		return alert.Alert{
			ID: "sa-1", Kind: alert.KindIssue, Organization: alert.Organization{ID: "org-1", Name: "Acme"},
			Type: "Malware", Severity: alert.SeverityHigh, Status: alert.StatusOpen, Title: "t",
			OccurredAt: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC),
			Rule:       &alert.Rule{Kind: alert.RuleOther},
		}
	}
	tests := []struct {
		name   string
		change func(a *alert.Alert)
		want   []string
	}{
		{"identical", func(*alert.Alert) {}, nil},
		{"same instant in another zone", func(a *alert.Alert) {
			a.OccurredAt = a.OccurredAt.In(time.FixedZone("CET", 3600)).Add(300 * time.Nanosecond)
		}, nil},
		{"empty attributes equal none", func(a *alert.Alert) { a.Attributes = map[string]string{} }, nil},
		{"status", func(a *alert.Alert) { a.Status = alert.StatusResolved }, []string{"status open → resolved"}},
		{"severity and title", func(a *alert.Alert) { a.Severity, a.Title = alert.SeverityLow, "x" }, []string{"severity high → low", "title changed"}},
		{"organization moved", func(a *alert.Alert) { a.Organization.ID = "" }, []string{"organization org-1 → Acme"}},
		{"organization renamed", func(a *alert.Alert) { a.Organization.Name = "Acme Inc" }, []string{"organization name changed"}},
		{"user added", func(a *alert.Alert) { a.User = &alert.User{Email: "j@x"} }, []string{"user changed"}},
		{"rule removed", func(a *alert.Alert) { a.Rule = nil }, []string{"rule changed"}},
		{"attributes", func(a *alert.Alert) { a.Attributes = map[string]string{"ip": "1"} }, []string{"attributes changed"}},
		{"occurred_at", func(a *alert.Alert) { a.OccurredAt = a.OccurredAt.Add(time.Second) }, []string{"occurred_at changed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			old, cur := base(), base()
			tt.change(&cur)
			if diff := cmp.Diff(tt.want, diffAlerts(&old, &cur)); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}
