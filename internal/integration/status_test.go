package integration

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// withStatusSync is minimal() with a complete, valid status_sync.
func withStatusSync() Settings {
	s := minimal()
	s.Sync.Update = true
	s.StatusSync = StatusSync{
		Enabled: true,
		Issues: StatusMap{
			Open: Pick{Name: "New"}, InProgress: Pick{Name: "In Progress"}, Resolved: Pick{Name: "Complete"},
			FromPSA: []PSAStatusTo{{PSA: Pick{Name: "Waiting Customer"}, To: "in_progress"}},
		},
		Incidents: StatusMap{
			Open: Pick{Name: "Escalated"}, InProgress: Pick{Name: "In Progress"}, Resolved: Pick{Name: "Complete"},
		},
		AutoResolve: true,
	}
	applyDefaults(&s)
	return s
}

// problemsOf returns the problems of a *ValidationError, nil for nil, and
// fails the test for any other error.
func problemsOf(t *testing.T, err error) []Problem {
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

func TestValidateStatusSync(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*StatusSync, *Settings)
		want   []Problem
	}{
		{"complete settings are valid", func(*StatusSync, *Settings) {}, nil},
		{"maps empty while enabled", func(st *StatusSync, _ *Settings) { st.Issues, st.Incidents = StatusMap{}, StatusMap{} }, []Problem{
			{"status_sync.issues.open", `required when status_sync.enabled is true: set the PSA status for open issues, e.g. "New"`},
			{"status_sync.issues.in_progress", `required when status_sync.enabled is true: set the PSA status for in progress issues, e.g. "In Progress"`},
			{"status_sync.issues.resolved", `required when status_sync.enabled is true: set the PSA status for resolved issues, e.g. "Complete"`},
			{"status_sync.incidents.open", `required when status_sync.enabled is true: set the PSA status for open incidents, e.g. "New"`},
			{"status_sync.incidents.in_progress", `required when status_sync.enabled is true: set the PSA status for in progress incidents, e.g. "In Progress"`},
			{"status_sync.incidents.resolved", `required when status_sync.enabled is true: set the PSA status for resolved incidents, e.g. "Complete"`},
		}},
		{"maps may be empty while disabled", func(st *StatusSync, s *Settings) {
			*st = StatusSync{}
		}, nil},
		{"ignored is optional", func(st *StatusSync, _ *Settings) { st.Issues.Ignored = Pick{} }, nil},
		{"ignored may have its own status", func(st *StatusSync, _ *Settings) { st.Issues.Ignored = Pick{Name: "Escalated"} }, nil},
		{"ignored on the resolved status", func(st *StatusSync, _ *Settings) { st.Issues.Ignored = Pick{Name: "complete"} }, []Problem{
			{"status_sync.issues.ignored", `"complete" is also status_sync.issues.resolved: map each of our statuses to its own PSA status, so a PSA status maps back to one of ours (leave ignored unset to give ignored alerts the resolved status)`},
		}},
		{"two of ours on one PSA status", func(st *StatusSync, _ *Settings) { st.Incidents.InProgress = Pick{Name: "Escalated"} }, []Problem{
			{"status_sync.incidents.in_progress", `"Escalated" is also status_sync.incidents.open: map each of our statuses to its own PSA status, so a PSA status maps back to one of ours`},
		}},
		{"from_psa repeats a mapped status", func(st *StatusSync, _ *Settings) {
			st.Issues.FromPSA = append(st.Issues.FromPSA, PSAStatusTo{PSA: Pick{Name: "Complete"}, To: "resolved"})
		}, []Problem{
			{"status_sync.issues.from_psa[Complete]", `"Complete" already maps back through status_sync.issues.resolved: remove this entry`},
		}},
		{"from_psa repeats itself", func(st *StatusSync, _ *Settings) {
			st.Issues.FromPSA = append(st.Issues.FromPSA, PSAStatusTo{PSA: Pick{Name: "waiting customer"}, To: "open"})
		}, []Problem{
			{"status_sync.issues.from_psa[waiting customer]", `"waiting customer" already maps back through status_sync.issues.from_psa[Waiting Customer]: remove this entry`},
		}},
		{"the same PSA status in both maps is fine", func(st *StatusSync, _ *Settings) {
			st.Incidents.FromPSA = []PSAStatusTo{{PSA: Pick{Name: "Waiting Customer"}, To: "in_progress"}}
		}, nil},
		{"from_psa to unknown and empty", func(st *StatusSync, _ *Settings) {
			st.Issues.FromPSA = []PSAStatusTo{{PSA: Pick{Name: "Waiting Customer"}, To: "done"}, {PSA: Pick{Name: "Escalated"}}, {To: "open"}}
		}, []Problem{
			{"status_sync.issues.from_psa[Waiting Customer].to", `unknown status "done": set open, in_progress, resolved or ignored`},
			{"status_sync.issues.from_psa[Escalated].to", `required: set the status "Escalated" maps back to: open, in_progress, resolved or ignored`},
			{"status_sync.issues.from_psa[2].psa", "empty: set the PSA status that maps back, or remove the entry"},
		}},
		{"from_psa is checked while disabled", func(st *StatusSync, _ *Settings) {
			st.Enabled = false
			st.Issues.FromPSA[0].To = "closed"
		}, []Problem{
			{"status_sync.issues.from_psa[Waiting Customer].to", `unknown status "closed": set open, in_progress, resolved or ignored`},
		}},
		{"poll interval not a duration", func(st *StatusSync, _ *Settings) { st.PollInterval = "60" }, []Problem{
			{"status_sync.poll_interval", `"60" is not a duration: set one like "60s" or "2m" (at least 5s)`},
		}},
		{"poll interval too short", func(st *StatusSync, _ *Settings) { st.PollInterval = "4s" }, []Problem{
			{"status_sync.poll_interval", `"4s" is too short: set at least 5s (default 60s): polling shares the PSA's request budget with ticket delivery`},
		}},
		{"poll interval at the minimum", func(st *StatusSync, _ *Settings) { st.PollInterval = "5s" }, nil},
		{"webhooks without public url", func(st *StatusSync, _ *Settings) { st.Webhooks = true }, []Problem{
			{"status_sync.public_url", `required when status_sync.webhooks is true: set ticketbridge's base URL as the PSA can reach it, e.g. "https://ticketbridge.msp.example"`},
		}},
		{"public url relative", func(st *StatusSync, _ *Settings) { st.Webhooks, st.PublicURL = true, "/hooks" }, []Problem{
			{"status_sync.public_url", `"/hooks" is not an absolute http(s) URL: set ticketbridge's base URL as the PSA can reach it, e.g. "https://ticketbridge.msp.example"`},
		}},
		{"public url not http", func(st *StatusSync, _ *Settings) { st.PublicURL = "ftp://msp.example" }, []Problem{
			{"status_sync.public_url", `"ftp://msp.example" is not an absolute http(s) URL: set ticketbridge's base URL as the PSA can reach it, e.g. "https://ticketbridge.msp.example"`},
		}},
		{"webhooks with public url", func(st *StatusSync, _ *Settings) { st.Webhooks, st.PublicURL = true, "http://127.0.0.1:8080" }, nil},
		{"auto resolve without update", func(_ *StatusSync, s *Settings) { s.Sync.Update = false }, []Problem{
			{"status_sync.auto_resolve", "needs sync.update: true: auto-resolve writes to the PSA"},
		}},
		{"only untouched without auto resolve", func(st *StatusSync, _ *Settings) { st.AutoResolve, st.OnlyUntouched = false, true }, []Problem{
			{"status_sync.only_untouched", "needs status_sync.auto_resolve: true: it only narrows which tickets auto-resolve closes"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := withStatusSync()
			tt.mutate(&s.StatusSync, &s)
			if diff := cmp.Diff(tt.want, problemsOf(t, validate(s))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStatusDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   StatusSync
		want string
	}{
		{"enabled gets 60s", StatusSync{Enabled: true}, "60s"},
		{"set is kept", StatusSync{Enabled: true, PollInterval: "2m"}, "2m"},
		{"disabled stays empty", StatusSync{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := Settings{StatusSync: tt.in}
			applyDefaults(&s)
			applyDefaults(&s) // idempotent
			if s.StatusSync.PollInterval != tt.want {
				t.Errorf("poll_interval = %q, want %q", s.StatusSync.PollInterval, tt.want)
			}
		})
	}
}

func TestStatusSyncInterval(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{{"", time.Minute, false}, {"90s", 90 * time.Second, false}, {"soon", 0, true}}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := StatusSync{PollInterval: tt.in}.Interval()
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("Interval(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestStatusMapLookups(t *testing.T) {
	t.Parallel()
	st := withStatusSync().StatusSync
	if got := st.Map("incident").Open.Name; got != "Escalated" {
		t.Errorf("Map(incident).Open = %q, want Escalated", got)
	}
	if got := st.Map("issue").Open.Name; got != "New" {
		t.Errorf("Map(issue).Open = %q, want New", got)
	}
	if got := st.Map("").Open.Name; got != "New" {
		t.Errorf("Map(\"\").Open = %q, want New (alerts default to issues)", got)
	}
	if p, ok := st.Issues.Get("in_progress"); !ok || p.Name != "In Progress" {
		t.Errorf("Get(in_progress) = %v, %v", p, ok)
	}
	if _, ok := st.Issues.Get("closed"); ok {
		t.Error("Get(closed) ok, want false")
	}
}

func TestResolveStatusSync(t *testing.T) {
	t.Parallel()
	s := loadExample(t)
	if err := Resolve(&s, testCatalog()); err != nil {
		t.Fatalf("Resolve(example) = %v", err)
	}
	st := s.StatusSync
	got := map[string]string{
		"issues.open": st.Issues.Open.ID, "issues.in_progress": st.Issues.InProgress.ID,
		"issues.resolved": st.Issues.Resolved.ID, "issues.ignored": st.Issues.Ignored.ID,
		"issues.from_psa[0]": st.Issues.FromPSA[0].PSA.ID,
		"incidents.open":     st.Incidents.Open.ID, "incidents.from_psa[0]": st.Incidents.FromPSA[0].PSA.ID,
	}
	want := map[string]string{
		"issues.open": "1", "issues.in_progress": "8", "issues.resolved": "5", "issues.ignored": "",
		"issues.from_psa[0]": "7", "incidents.open": "9", "incidents.from_psa[0]": "1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resolved status ids (-want +got):\n%s", diff)
	}
}

// boardCatalog gives statuses a board, as ConnectWise does: Security
// (29683325) and Service Desk (29683326) each have their own.
func boardCatalog(c *Catalog) {
	b := func(id, label, board string, active bool) psa.Value {
		return psa.Value{ID: id, Label: label, Parent: board, Active: active}
	}
	c.Picklists[psa.FieldStatus] = []psa.Value{
		b("1", "New", "29683325", true), b("2", "In Progress", "29683325", true), b("3", "Closed", "29683325", true),
		b("4", "Old Hold", "29683325", false),
		b("11", "New", "29683326", true), b("12", "Waiting Customer", "29683326", true),
	}
}

func TestResolveStatusProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		mutate  func(*Settings)
		catalog func(*Catalog)
		want    []Problem
	}{
		{"typo", func(s *Settings) { s.StatusSync.Issues.Resolved = Pick{Name: "Complet"} }, nil, []Problem{
			{"status_sync.issues.resolved", `unknown status "Complet": did you mean "Complete"?`},
		}},
		{"inactive", func(s *Settings) {
			s.StatusSync.Incidents.FromPSA = []PSAStatusTo{{PSA: Pick{Name: "Legacy Hold"}, To: "in_progress"}}
		}, nil, []Problem{
			{"status_sync.incidents.from_psa[Legacy Hold].psa", `status "Legacy Hold" is inactive in the PSA: valid statuses are "New", "Complete", "Waiting Customer", "In Progress", "Escalated"`},
		}},
		{"board: resolved on ticket.queue's board", func(s *Settings) {
			s.StatusSync.Issues = StatusMap{Open: Pick{Name: "new"}, InProgress: Pick{Name: "In Progress"}, Resolved: Pick{Name: "Closed"}}
			s.StatusSync.Incidents = s.StatusSync.Issues
		}, boardCatalog, nil},
		{"board: status of another board", func(s *Settings) {
			s.StatusSync.Issues = StatusMap{Open: Pick{Name: "New"}, InProgress: Pick{Name: "Waiting Customer"}, Resolved: Pick{Name: "Closed"}}
			s.StatusSync.Incidents = StatusMap{Open: Pick{Name: "New"}, InProgress: Pick{Name: "In Progress"}, Resolved: Pick{Name: "Old Hold"}}
		}, boardCatalog, []Problem{
			{"status_sync.issues.in_progress", `status "Waiting Customer" is on board "Service Desk", not on "Security" (ticket.queue): valid statuses are "New", "In Progress", "Closed"`},
			{"status_sync.incidents.resolved", `status "Old Hold" is inactive on board "Security" (ticket.queue): valid statuses are "New", "In Progress", "Closed"`},
		}},
		{"board: unknown", func(s *Settings) {
			s.StatusSync.Issues = StatusMap{Open: Pick{Name: "New"}, InProgress: Pick{Name: "In Progres"}, Resolved: Pick{Name: "Closed"}}
			s.StatusSync.Incidents = StatusMap{}
		}, boardCatalog, []Problem{
			{"status_sync.issues.in_progress", `unknown status "In Progres" on board "Security" (ticket.queue): did you mean "In Progress"?`},
		}},
		{"board: no ticket.queue", func(s *Settings) {
			s.Ticket.Queue = Pick{}
			s.StatusSync.Issues = StatusMap{Open: Pick{Name: "New"}}
			s.StatusSync.Incidents = StatusMap{}
		}, boardCatalog, []Problem{
			{"status_sync", "this PSA's statuses belong to a board: set ticket.queue to the board whose statuses status_sync maps"},
		}},
		{"board: unresolved queue is reported once", func(s *Settings) {
			s.Ticket.Queue = Pick{Name: "Securty"}
			s.StatusSync.Issues = StatusMap{Open: Pick{Name: "Nope"}}
			s.StatusSync.Incidents = StatusMap{}
		}, boardCatalog, []Problem{
			{"ticket.queue", `unknown queue "Securty": did you mean "Security"?`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := loadExample(t)
			s.Ticket.ClosedStatuses = nil // names of the flat catalog
			s.Ticket.Status = Pick{}
			tt.mutate(&s)
			c := testCatalog()
			if tt.catalog != nil {
				tt.catalog(&c)
			}
			if diff := cmp.Diff(tt.want, problemsOf(t, Resolve(&s, c))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveStatusOnBoardSetsIDs(t *testing.T) {
	t.Parallel()
	s := loadExample(t)
	s.Ticket.ClosedStatuses, s.Ticket.Status = nil, Pick{}
	s.StatusSync.Issues = StatusMap{Open: Pick{Name: "new"}, InProgress: Pick{Name: "In Progress"}, Resolved: Pick{Name: "Closed"}}
	s.StatusSync.Incidents = StatusMap{}
	c := testCatalog()
	boardCatalog(&c)
	if err := Resolve(&s, c); err != nil {
		t.Fatal(err)
	}
	want := StatusMap{Open: Pick{"New", "1"}, InProgress: Pick{"In Progress", "2"}, Resolved: Pick{"Closed", "3"}}
	if diff := cmp.Diff(want, s.StatusSync.Issues); diff != "" {
		t.Errorf("issues map (-want +got):\n%s", diff)
	}
}

func TestPlanStatusSync(t *testing.T) {
	t.Parallel()
	old, next := loadExample(t), loadExample(t)
	next.StatusSync.Issues.FromPSA = []PSAStatusTo{{PSA: Pick{Name: "Escalated"}, To: "in_progress"}, {PSA: Pick{Name: "Waiting Customer"}, To: "open"}}
	next.StatusSync.Incidents.FromPSA = []PSAStatusTo{next.StatusSync.Incidents.FromPSA[1], next.StatusSync.Incidents.FromPSA[0]} // reordered only
	next.StatusSync.Webhooks = false
	next.StatusSync.PollInterval = "2m"
	got := renderChanges(Plan(&old, next))
	want := []string{
		"+ status_sync.issues.from_psa[Escalated]: in_progress",
		"~ status_sync.issues.from_psa[Waiting Customer]: in_progress → open",
		"~ status_sync.poll_interval: 60s → 2m",
		"~ status_sync.webhooks: true → false",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}

func TestDecodeUnknownKeyInStatusSync(t *testing.T) {
	t.Parallel()
	in := "name: x\npsa: autotask\nstatus_sync:\n  enabled: true\n  issues:\n    resolvd: Complete\n"
	_, err := Decode(strings.NewReader(in))
	want := `decode settings document 1: line 6: unknown key "resolvd" in status_sync.issues or status_sync.incidents: did you mean "resolved"?`
	if err == nil || err.Error() != want {
		t.Errorf("Decode() error = %v, want %s", err, want)
	}
}
