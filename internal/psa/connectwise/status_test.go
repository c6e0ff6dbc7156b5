package connectwise_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise"
	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

// securityTicket is a ticket for Acme Corp on the Security board.
func securityTicket(ref string) psa.NewTicket {
	return psa.NewTicket{
		CompanyID: "251", Title: "Suspicious sign-in " + ref, Description: "alert body",
		Queue: "1", Status: "11", ExternalRef: ref,
	}
}

type feedEntry struct {
	ID           string
	Status       string
	Closed       bool
	LastModified time.Time
}

func feed(t *testing.T, c *connectwise.Connector, since time.Time) []feedEntry {
	t.Helper()
	got, err := c.TicketsChangedSince(context.Background(), since)
	if err != nil {
		t.Fatalf("TicketsChangedSince(%s): %v", since, err)
	}
	out := []feedEntry{}
	for _, tk := range got {
		out = append(out, feedEntry{tk.ID, tk.Status, tk.Closed, tk.LastModified})
	}
	return out
}

func TestTicketsChangedSince(t *testing.T) {
	t.Parallel()
	sim, srv, clk := newClockedSim(t, connectwisesim.Options{})
	ctx := context.Background()
	ours := simConnector(t, srv, sim, sim.Members()[0])
	tech := simConnector(t, srv, sim, sim.Members()[1])
	t0 := clk.Now()
	a, err := ours.CreateTicket(ctx, securityTicket("feed-a"))
	if err != nil {
		t.Fatalf("create a: %v", err)
	}
	b, err := ours.CreateTicket(ctx, securityTicket("feed-b"))
	if err != nil {
		t.Fatalf("create b: %v", err)
	}
	clk.Advance(time.Minute)
	cursor := clk.Now()
	if got := feed(t, ours, cursor); len(got) != 0 {
		t.Fatalf("before any change, feed since cursor = %v, want none", got)
	}
	clk.Advance(30 * time.Second)
	t2 := clk.Now()
	completed := "14"
	if err := tech.UpdateTicket(ctx, a.ID, psa.TicketPatch{Status: &completed}); err != nil {
		t.Fatalf("close a as technician: %v", err)
	}

	tests := []struct {
		name  string
		since time.Time
		want  []feedEntry
	}{
		{name: "status change after cursor", since: cursor, want: []feedEntry{{a.ID, "14", true, t2}}},
		{name: "bound is inclusive", since: t2, want: []feedEntry{{a.ID, "14", true, t2}}},
		{name: "sub-second bound rounds down", since: t2.Add(400 * time.Millisecond), want: []feedEntry{{a.ID, "14", true, t2}}},
		{name: "after the change", since: t2.Add(time.Second), want: []feedEntry{}},
		{name: "ordered by last modified then id", since: t0, want: []feedEntry{{b.ID, "11", false, t0}, {a.ID, "14", true, t2}}},
		{name: "zone of since does not matter", since: cursor.In(time.FixedZone("UTC+5", 5*3600)), want: []feedEntry{{a.ID, "14", true, t2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, feed(t, ours, tt.since)); diff != "" {
				t.Errorf("feed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTicketActivity(t *testing.T) {
	t.Parallel()
	sim, srv, clk := newClockedSim(t, connectwisesim.Options{})
	ctx := context.Background()
	members := sim.Members()
	ours := simConnector(t, srv, sim, members[0])
	tech := simConnector(t, srv, sim, members[1])
	inProgress, completed := "12", "14"

	tests := []struct {
		name       string
		work       func(t *testing.T, id string)
		want       bool
		wantDetail string
	}{
		{name: "only our description and notes", want: false, work: func(t *testing.T, id string) {
			if _, err := ours.AddNote(ctx, id, psa.NewNote{Title: "more", Description: "another alert"}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "our own status change", want: false, work: func(t *testing.T, id string) {
			if err := ours.UpdateTicket(ctx, id, psa.TicketPatch{Status: &inProgress}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "technician note", want: true, wantDetail: "by member jtech", work: func(t *testing.T, id string) {
			if _, err := tech.AddNote(ctx, id, psa.NewNote{Description: "looking into it"}); err != nil {
				t.Fatal(err)
			}
			// Our later note makes us the last updater; the note still counts.
			if _, err := ours.AddNote(ctx, id, psa.NewNote{Description: "alert again"}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "technician time entry", want: true, wantDetail: "time entry", work: func(t *testing.T, id string) {
			raw(t, srv, sim, members[1], http.MethodPost, "time/entries", map[string]any{
				"chargeToId": mustInt(t, id), "chargeToType": "ServiceTicket", "timeStart": "2026-03-10T09:00:00Z", "actualHours": 0.25,
			}, http.StatusCreated)
			if _, err := ours.AddNote(ctx, id, psa.NewNote{Description: "alert again"}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "technician status change", want: true, wantDetail: "last changed by member jtech", work: func(t *testing.T, id string) {
			if err := tech.UpdateTicket(ctx, id, psa.TicketPatch{Status: &inProgress}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "technician closed it, we wrote after", want: true, wantDetail: "closed by member jtech", work: func(t *testing.T, id string) {
			if err := tech.UpdateTicket(ctx, id, psa.TicketPatch{Status: &completed}); err != nil {
				t.Fatal(err)
			}
			if _, err := ours.AddNote(ctx, id, psa.NewNote{Description: "alert again"}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "customer note", want: true, wantDetail: "by contact Jane Doe", work: func(t *testing.T, id string) {
			raw(t, srv, sim, members[0], http.MethodPost, "service/tickets/"+id+"/notes", map[string]any{
				"text": "is this fixed?", "detailDescriptionFlag": true, "contact": map[string]any{"id": 31},
			}, http.StatusCreated)
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk, err := ours.CreateTicket(ctx, securityTicket("activity-"+itoa(i)))
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			clk.Advance(time.Minute)
			tt.work(t, tk.ID)
			got, err := ours.TicketActivity(ctx, tk.ID)
			if err != nil {
				t.Fatalf("TicketActivity: %v", err)
			}
			if got.TouchedByOthers != tt.want || !strings.Contains(got.Detail, tt.wantDetail) {
				t.Errorf("TicketActivity = %+v, want touched %v with detail containing %q", got, tt.want, tt.wantDetail)
			}
		})
	}
}

func TestTicketActivityIdentity(t *testing.T) {
	t.Parallel()
	sim, srv := newSim(t)
	ctx := context.Background()
	members := sim.Members()
	ours := simConnector(t, srv, sim, members[0])
	tech := simConnector(t, srv, sim, members[1])
	// A ticket without an external reference: nothing says who we are.
	tk, err := ours.CreateTicket(ctx, psa.NewTicket{CompanyID: "251", Title: "made by hand", Queue: "1", Status: "11"})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := tech.AddNote(ctx, tk.ID, psa.NewNote{Description: "on it"}); err != nil {
		t.Fatalf("note: %v", err)
	}
	_, err = ours.TicketActivity(ctx, tk.ID)
	var pe *psa.Error
	if !errors.As(err, &pe) || pe.Class != psa.Permanent || !strings.Contains(pe.Message, "Member ID") {
		t.Fatalf("without MemberIdentifier: err %v, want a permanent error naming the Member ID setting", err)
	}
	configured := simConnector(t, srv, sim, members[0], func(c *connectwise.Config) { c.MemberIdentifier = "TicketBridge" })
	got, err := configured.TicketActivity(ctx, tk.ID)
	if err != nil || !got.TouchedByOthers || !strings.Contains(got.Detail, "jtech") {
		t.Errorf("with MemberIdentifier: %+v, %v; want touched by jtech", got, err)
	}
	if _, err := ours.TicketActivity(ctx, "999999"); !errors.Is(err, psa.ErrNotFound) {
		t.Errorf("missing ticket: %v, want psa.ErrNotFound", err)
	}
}
