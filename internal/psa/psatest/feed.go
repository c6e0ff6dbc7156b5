package psatest

import (
	"cmp"
	"slices"
	"strconv"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// feedStep is how far the clock moves between the changes before a
// cursor and those after it: well over the second some PSAs round to.
const feedStep = time.Minute

// testTicketsChangedSince puts tickets on both sides of a cursor and
// reads the change feed from it: the status poller's source of truth.
func (s *suite) testTicketsChangedSince(t *testing.T) {
	feed := as[psa.ChangeFeed](t, s, ChangeFeed)
	_, before := s.newTicket(t)
	_, toUpdate := s.newTicket(t)
	_, toClose := s.newTicket(t)
	last := slices.MaxFunc([]psa.Ticket{before, toUpdate, toClose}, func(a, b psa.Ticket) int {
		return a.LastModified.Compare(b.LastModified)
	})
	// Half a step after the last change before it: on the simulator's
	// clock every later change comes half a step after the cursor.
	cursor := last.LastModified.Add(feedStep / 2)
	s.f.AdvanceClock(feedStep)
	_, created := s.newTicket(t)
	if err := s.f.TechnicianStatus(s.ctx, toUpdate.ID, s.f.UpdateStatus); err != nil {
		t.Fatalf("TechnicianStatus: %v", err)
	}
	if err := s.f.CloseTicket(s.ctx, toClose.ID); err != nil {
		t.Fatalf("CloseTicket: %v", err)
	}

	got := s.changedSince(t, feed, cursor)
	byID := map[string]psa.Ticket{}
	for _, tk := range got {
		byID[tk.ID] = tk
	}
	if _, ok := byID[before.ID]; ok {
		t.Errorf("ticket %s, last changed at %s, listed as changed since %s", before.ID, before.LastModified, cursor)
	}
	for _, id := range []string{created.ID, toUpdate.ID, toClose.ID} {
		s.readsLikeTicket(t, byID, id, cursor)
	}
	if tk := byID[toUpdate.ID]; tk.Status != s.f.UpdateStatus || tk.Closed {
		t.Errorf("ticket %s after the technician's change: status %q closed %v; want %q open", tk.ID, tk.Status, tk.Closed, s.f.UpdateStatus)
	}
	if tk := byID[toClose.ID]; !tk.Closed {
		t.Errorf("ticket %s closed by a technician is not Closed in the feed (status %q)", tk.ID, tk.Status)
	}
	t.Run("since is inclusive", func(t *testing.T) {
		at := byID[toUpdate.ID].LastModified
		if !slices.ContainsFunc(s.changedSince(t, feed, at), func(tk psa.Ticket) bool { return tk.ID == toUpdate.ID }) {
			t.Errorf("ticket %s changed at %s missing from the changes since that very time", toUpdate.ID, at)
		}
	})
	t.Run("since in another zone", func(t *testing.T) {
		east := cursor.In(time.FixedZone("UTC+10", 10*3600))
		if diff := gocmp.Diff(ids(got), ids(s.changedSince(t, feed, east))); diff != "" {
			t.Errorf("the same instant in UTC+10 gives other tickets (-UTC +UTC+10):\n%s", diff)
		}
	})
}

// readsLikeTicket checks ticket id is in the feed as Ticket reads it,
// Closed included: the poller acts on it without reading it again.
func (s *suite) readsLikeTicket(t *testing.T, feed map[string]psa.Ticket, id string, since time.Time) {
	t.Helper()
	got, ok := feed[id]
	if !ok {
		t.Fatalf("ticket %s changed after %s is missing from the feed", id, since)
	}
	read, err := s.f.Connector.Ticket(s.ctx, id)
	if err != nil {
		t.Fatalf("Ticket(%s): %v", id, err)
	}
	if diff := gocmp.Diff(read, got); diff != "" {
		t.Errorf("ticket %s in the feed differs from Ticket (-read +feed):\n%s", id, diff)
	}
}

// changedSince reads the feed and checks what holds for every answer: no
// ticket twice, none changed before since, ordered by LastModified then
// ID. PSAs that keep whole seconds may widen since down to its second.
func (s *suite) changedSince(t *testing.T, feed psa.ChangeFeed, since time.Time) []psa.Ticket {
	t.Helper()
	got, err := feed.TicketsChangedSince(s.ctx, since)
	if err != nil {
		t.Fatalf("TicketsChangedSince(%s): %v", since, err)
	}
	seen := map[string]bool{}
	for i, tk := range got {
		if seen[tk.ID] {
			t.Errorf("ticket %s listed twice", tk.ID)
		}
		seen[tk.ID] = true
		if tk.LastModified.Before(since.Truncate(time.Second)) {
			t.Errorf("ticket %s last changed at %s, before %s", tk.ID, tk.LastModified, since)
		}
		if i > 0 && compareChange(got[i-1], tk) > 0 {
			t.Errorf("not ordered by LastModified then ID: %s at %s before %s at %s",
				got[i-1].ID, got[i-1].LastModified, tk.ID, tk.LastModified)
		}
	}
	return got
}

// compareChange orders tickets by LastModified, then by ID: numerically
// when both ids are integers, as PSAs number them, else as text.
func compareChange(a, b psa.Ticket) int {
	if c := a.LastModified.Compare(b.LastModified); c != 0 {
		return c
	}
	x, errA := strconv.ParseInt(a.ID, 10, 64)
	y, errB := strconv.ParseInt(b.ID, 10, 64)
	if errA == nil && errB == nil {
		return cmp.Compare(x, y)
	}
	return cmp.Compare(a.ID, b.ID)
}

func ids(ts []psa.Ticket) []string {
	out := make([]string, len(ts))
	for i, tk := range ts {
		out[i] = tk.ID
	}
	return out
}

// testTicketActivity tells our own work on a ticket from a technician's:
// what the auto-resolve "only untouched" option rests on.
func (s *suite) testTicketActivity(t *testing.T) {
	reader := as[psa.ActivityReader](t, s, ActivityReader)
	tests := []struct {
		name    string
		work    func(t *testing.T, ticketID string) error
		touched bool
	}{
		{name: "untouched", work: func(*testing.T, string) error { return nil }},
		{name: "our own note and status", work: func(t *testing.T, id string) error {
			if err := s.ourNote(id); err != nil {
				return err
			}
			status := s.f.UpdateStatus
			return s.f.Connector.UpdateTicket(s.ctx, id, psa.TicketPatch{Status: &status})
		}},
		{name: "technician note", touched: true, work: func(t *testing.T, id string) error {
			return s.f.TechnicianNote(s.ctx, id)
		}},
		// The engine keeps adding notes to its tickets: a technician's note
		// must still count once ours is the latest change.
		{name: "technician note, then ours", touched: true, work: func(t *testing.T, id string) error {
			if err := s.f.TechnicianNote(s.ctx, id); err != nil {
				return err
			}
			return s.ourNote(id)
		}},
		{name: "technician status", touched: true, work: func(t *testing.T, id string) error {
			return s.f.TechnicianStatus(s.ctx, id, s.f.UpdateStatus)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, tk := s.newTicket(t)
			if err := tt.work(t, tk.ID); err != nil {
				t.Fatalf("work on ticket %s: %v", tk.ID, err)
			}
			got, err := reader.TicketActivity(s.ctx, tk.ID)
			if err != nil {
				t.Fatalf("TicketActivity(%s): %v", tk.ID, err)
			}
			if got.TouchedByOthers != tt.touched || (got.Detail != "") != tt.touched {
				t.Errorf("TicketActivity(%s) = %+v; want touched %v, with a detail when touched", tk.ID, got, tt.touched)
			}
		})
	}
}

// ourNote adds a note as the integration does.
func (s *suite) ourNote(ticketID string) error {
	n := psa.NewNote{Title: "ours", Description: "added by the integration", Type: s.f.NoteType, Visibility: psa.VisibilityInternal}
	_, err := s.f.Connector.AddNote(s.ctx, ticketID, n)
	return err
}
