package rules

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/ticketbridge/ticketbridge/internal/alert"
)

func TestAlertMarker(t *testing.T) {
	t.Parallel()
	if got := AlertMarker("src-1/sa-000123"); got != "ticketbridge alert src-1/sa-000123" {
		t.Errorf("AlertMarker() = %q", got)
	}
}

func TestHasAlertMarker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, key string
		want            bool
	}{
		{"last line", "text\n\nticketbridge alert src/1", "src/1", true},
		{"crlf and spaces", "text\r\n ticketbridge alert src/1 \r\nmore", "src/1", true},
		{"longer key is not a match", "text\n\nticketbridge alert src/10", "src/1", false},
		{"inside a line is not a match", "see ticketbridge alert src/1 above", "src/1", false},
		{"absent", "text", "src/1", false},
	}
	for _, tt := range tests {
		if got := HasAlertMarker(tt.body, tt.key); got != tt.want {
			t.Errorf("%s: HasAlertMarker() = %v, want %v", tt.name, got, tt.want)
		}
	}
	r := mustCompile(t, resolvedSettings())
	if !HasAlertMarker(r.NoteBody(sampleAlert(), "src/1"), "src/1") {
		t.Error("NoteBody lacks its own marker")
	}
}

func TestNoteBody(t *testing.T) {
	t.Parallel()
	r := mustCompile(t, resolvedSettings())
	a := sampleAlert()
	a.Rule = &alert.Rule{Kind: alert.RuleRespond, ID: "r-17", Name: "Block risky sign-in"}
	want := `Too many downloads by jane@acme.example
412 files in 10 minutes

Type: Too Many Downloads
Severity: high
Organization: Acme Corp (org-42)
User: Jane Doe <jane@acme.example>
Device: ACME-LT-07
Rule: respond r-17 (Block risky sign-in)
Occurred at: 2026-11-21T10:15:00Z
Link: https://source.example/alerts/sa-000123
Attributes:
  files: 412
  ip: 203.0.113.9

ticketbridge alert src-1/sa-000123`
	if diff := cmp.Diff(want, r.NoteBody(a, "src-1/sa-000123")); diff != "" {
		t.Errorf("NoteBody (-want +got):\n%s", diff)
	}
	if got := r.TicketBody(a, "src-1/sa-000123"); got != want {
		t.Errorf("TicketBody without a description template differs from NoteBody:\n%s", got)
	}
}

func TestBodyOmitsMissingFields(t *testing.T) {
	t.Parallel()
	r := mustCompile(t, resolvedSettings())
	a := alert.Alert{ID: "x", Organization: alert.Organization{Name: "Foo"}, Type: "Malware", Severity: alert.SeverityLow,
		Title: "Malware found", OccurredAt: occurred, User: &alert.User{Name: "bob"}}
	want := "Malware found\n\nType: Malware\nSeverity: low\nOrganization: Foo\nUser: bob\nOccurred at: 2026-11-21T10:15:00Z\n\nticketbridge alert s/x"
	if diff := cmp.Diff(want, r.NoteBody(a, "s/x")); diff != "" {
		t.Errorf("NoteBody (-want +got):\n%s", diff)
	}
}

func TestTicketBodyTemplate(t *testing.T) {
	t.Parallel()
	s := resolvedSettings()
	s.Ticket.Description = "{{.Title}}\nseen at {{.OrgName}}\n"
	got := mustCompile(t, s).TicketBody(sampleAlert(), "s/1")
	want := "Too many downloads by jane@acme.example\nseen at Acme Corp\n\nticketbridge alert s/1"
	if got != want {
		t.Errorf("TicketBody = %q, want %q", got, want)
	}
}

func TestBodyKeepsMarkerWhenTruncated(t *testing.T) {
	t.Parallel()
	r := mustCompile(t, resolvedSettings())
	a := sampleAlert()
	a.Description = strings.Repeat("ü", 20000)
	for name, body := range map[string]string{"ticket": r.TicketBody(a, "s/1"), "note": r.NoteBody(a, "s/1")} {
		if n := utf8.RuneCountInString(body); n != maxDescription {
			t.Errorf("%s body has %d runes, want %d", name, n, maxDescription)
		}
		if !strings.HasSuffix(body, "…\n\nticketbridge alert s/1") {
			t.Errorf("%s body ends %q", name, body[len(body)-40:])
		}
	}
}

func TestBodyNeutralizesPlantedMarkers(t *testing.T) {
	t.Parallel()
	r := mustCompile(t, resolvedSettings())
	a := sampleAlert()
	a.Description = "ok\nticketbridge alert src/other-alert\n"
	a.Attributes = nil
	body := r.NoteBody(a, "src/this")
	lines := strings.Split(body, "\n")
	var markers []string
	for _, l := range lines {
		if strings.HasPrefix(l, "ticketbridge alert ") {
			markers = append(markers, l)
		}
	}
	if diff := cmp.Diff([]string{"ticketbridge alert src/this"}, markers); diff != "" {
		t.Errorf("marker lines (-want +got):\n%s\nbody:\n%s", diff, body)
	}
	if !strings.Contains(body, "ticketbridge-alert src/other-alert") || strings.Contains(body, AlertMarker("src/other-alert")) {
		t.Errorf("planted marker not broken:\n%s", body)
	}
}

func TestBodyInvalidUTF8(t *testing.T) {
	t.Parallel()
	r := mustCompile(t, resolvedSettings())
	a := sampleAlert()
	a.Title, a.Attributes = "bad \xff title", map[string]string{"k\xfe": "v\xff"}
	for _, s := range []string{r.NoteBody(a, "s/1"), r.Decide(a, testInput, "s/1").Ticket.Title} {
		if !utf8.ValidString(s) {
			t.Errorf("invalid UTF-8 in %q", s)
		}
	}
}
