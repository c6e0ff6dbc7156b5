package rules

import (
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// resolvedStatusSync is the example's status_sync with the simulator's
// status ids: New 1, Complete 5, Waiting Customer 7, In Progress 8,
// Escalated 9.
func resolvedStatusSync() integration.StatusSync {
	return integration.StatusSync{
		Enabled: true,
		Issues: integration.StatusMap{
			Open: pk("New", "1"), InProgress: pk("In Progress", "8"), Resolved: pk("Complete", "5"),
			FromPSA: []integration.PSAStatusTo{{PSA: pk("Waiting Customer", "7"), To: "in_progress"}},
		},
		Incidents: integration.StatusMap{
			Open: pk("Escalated", "9"), InProgress: pk("In Progress", "8"), Resolved: pk("Complete", "5"), Ignored: pk("Waiting Customer", "7"),
			FromPSA: []integration.PSAStatusTo{{PSA: pk("New", "1"), To: "open"}},
		},
	}
}

func TestStatusMapperToPSA(t *testing.T) {
	t.Parallel()
	m := NewStatusMapper(resolvedStatusSync())
	tests := []struct {
		name   string
		kind   alert.Kind
		st     alert.Status
		want   string
		wantOK bool
	}{
		{"issue open", alert.KindIssue, alert.StatusOpen, "1", true},
		{"issue in progress", alert.KindIssue, alert.StatusInProgress, "8", true},
		{"issue resolved", alert.KindIssue, alert.StatusResolved, "5", true},
		{"issue ignored takes the resolved status", alert.KindIssue, alert.StatusIgnored, "5", true},
		{"incident open has its own map", alert.KindIncident, alert.StatusOpen, "9", true},
		{"incident ignored has its own status", alert.KindIncident, alert.StatusIgnored, "7", true},
		{"no kind is an issue", "", alert.StatusOpen, "1", true},
		{"unknown status", alert.KindIssue, "closed", "", false},
		{"empty status", alert.KindIssue, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := m.ToPSA(tt.kind, tt.st)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ToPSA(%q, %q) = %q, %v; want %q, %v", tt.kind, tt.st, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestStatusMapperFromPSA(t *testing.T) {
	t.Parallel()
	m := NewStatusMapper(resolvedStatusSync())
	tests := []struct {
		name   string
		kind   alert.Kind
		id     string
		want   alert.Status
		wantOK bool
	}{
		{"issue New", alert.KindIssue, "1", alert.StatusOpen, true},
		{"issue In Progress", alert.KindIssue, "8", alert.StatusInProgress, true},
		{"issue Complete is resolved, not ignored", alert.KindIssue, "5", alert.StatusResolved, true},
		{"issue from_psa Waiting Customer", alert.KindIssue, "7", alert.StatusInProgress, true},
		{"issue Escalated is not in the issue map", alert.KindIssue, "9", "", false},
		{"incident Escalated", alert.KindIncident, "9", alert.StatusOpen, true},
		{"incident ignored maps back", alert.KindIncident, "7", alert.StatusIgnored, true},
		{"incident from_psa New", alert.KindIncident, "1", alert.StatusOpen, true},
		{"unknown PSA status", alert.KindIssue, "42", "", false},
		{"empty id", alert.KindIssue, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := m.FromPSA(tt.kind, tt.id)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("FromPSA(%q, %q) = %q, %v; want %q, %v", tt.kind, tt.id, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestStatusMapperEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*integration.StatusSync)
		check  func(t *testing.T, m StatusMapper)
	}{
		{"disabled maps nothing", func(s *integration.StatusSync) { s.Enabled = false }, func(t *testing.T, m StatusMapper) {
			if id, ok := m.ToPSA(alert.KindIssue, alert.StatusOpen); ok {
				t.Errorf("ToPSA = %q, want nothing while disabled", id)
			}
			if st, ok := m.FromPSA(alert.KindIssue, "1"); ok {
				t.Errorf("FromPSA = %q, want nothing while disabled", st)
			}
		}},
		{"an unresolved pick is not mapped", func(s *integration.StatusSync) { s.Issues.InProgress = integration.Pick{Name: "In Progress"} },
			func(t *testing.T, m StatusMapper) {
				if id, ok := m.ToPSA(alert.KindIssue, alert.StatusInProgress); ok {
					t.Errorf("ToPSA(in_progress) = %q, want not mapped", id)
				}
			}},
		{"no resolved status leaves ignored unmapped", func(s *integration.StatusSync) { s.Issues.Resolved = integration.Pick{} },
			func(t *testing.T, m StatusMapper) {
				if id, ok := m.ToPSA(alert.KindIssue, alert.StatusIgnored); ok {
					t.Errorf("ToPSA(ignored) = %q, want not mapped", id)
				}
			}},
		{"first mapping back wins", func(s *integration.StatusSync) {
			s.Issues.FromPSA = append(s.Issues.FromPSA, integration.PSAStatusTo{PSA: pk("New", "1"), To: "resolved"})
		}, func(t *testing.T, m StatusMapper) {
			if st, _ := m.FromPSA(alert.KindIssue, "1"); st != alert.StatusOpen {
				t.Errorf("FromPSA(1) = %q, want open", st)
			}
		}},
		{"from_psa to an unknown status is dropped", func(s *integration.StatusSync) {
			s.Issues.FromPSA = []integration.PSAStatusTo{{PSA: pk("Escalated", "9"), To: "closed"}}
		}, func(t *testing.T, m StatusMapper) {
			if st, ok := m.FromPSA(alert.KindIssue, "9"); ok {
				t.Errorf("FromPSA(9) = %q, want not mapped", st)
			}
		}},
		{"from_psa to is case-insensitive", func(s *integration.StatusSync) {
			s.Issues.FromPSA = []integration.PSAStatusTo{{PSA: pk("Escalated", "9"), To: " Open"}}
		}, func(t *testing.T, m StatusMapper) {
			if st, _ := m.FromPSA(alert.KindIssue, "9"); st != alert.StatusOpen {
				t.Errorf("FromPSA(9) = %q, want open", st)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := resolvedStatusSync()
			tt.mutate(&s)
			tt.check(t, NewStatusMapper(s))
		})
	}
}

func TestStatusMapperZeroValue(t *testing.T) {
	t.Parallel()
	var m StatusMapper
	if _, ok := m.ToPSA(alert.KindIssue, alert.StatusOpen); ok {
		t.Error("zero StatusMapper maps open")
	}
	if _, ok := m.FromPSA(alert.KindIncident, "1"); ok {
		t.Error("zero StatusMapper maps a PSA status back")
	}
}
