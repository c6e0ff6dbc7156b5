package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// A ticket deleted in the PSA ends its group: the group's next alert
// opens a new ticket instead of failing on the missing one, and its
// timeline says why.
func TestDeletedTicketOnEveryPSA(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			e := startPSA(t, p, "user")
			e.send(testAlert{ID: "d1", Type: "Too Many Downloads", Email: "jane@acme.example"})
			first, ok := e.ticketOf("d1")
			if !ok {
				t.Fatal("d1: no ticket")
			}
			if err := e.DeleteTicket(first.PSATicketID); err != nil {
				t.Fatal(err)
			}
			e.send(testAlert{ID: "d2", Type: "Too Many Uploads", Email: "jane@acme.example"})
			e.noFailedDeliveries()
			second, ok := e.ticketOf("d2")
			if !ok || second.PSATicketID == "" || second.PSATicketID == first.PSATicketID {
				t.Fatalf("d2's ticket = %+v (ok %v), want a new one beside deleted %s", second, ok, first.PSATicketID)
			}
			if ts := e.psaTickets(); len(ts) != 1 || ts[0].ID != second.PSATicketID {
				t.Fatalf("PSA holds %d tickets, want only the new %s", len(ts), second.PSATicketID)
			}
			if tl := e.timelineText("d2"); !strings.Contains(tl, "deleted in the PSA") {
				t.Errorf("d2's timeline does not say the ticket was deleted:\n%s", tl)
			}
			e.send(testAlert{ID: "d3", Type: "Multiple MFA Failures", Email: "jane@acme.example"})
			if v := e.viewOf("d3"); v.ID != second.PSATicketID || !v.noted("d3") {
				t.Errorf("d3 is not a note on the new ticket %s", second.PSATicketID)
			}
		})
	}
}

// With status sync off, tickets the PSA closed or deleted are only found
// by reconcile: it ends their links, so the groups' next alerts open new
// tickets at once.
func TestReconcileEndsGoneLinksOnEveryPSA(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			e := startPSA(t, p, "user")
			e.send(testAlert{ID: "g1", Type: "X", Email: "jane@acme.example"},
				testAlert{ID: "g2", Type: "X", Email: "bob@acme.example"},
				testAlert{ID: "g3", Type: "X", Email: "carol@acme.example"})
			closed, _ := e.ticketOf("g1")
			deleted, _ := e.ticketOf("g2")
			kept, _ := e.ticketOf("g3")
			if err := e.CloseTicket(context.Background(), closed.PSATicketID); err != nil {
				t.Fatal(err)
			}
			if err := e.DeleteTicket(deleted.PSATicketID); err != nil {
				t.Fatal(err)
			}
			e.adminDo("POST", "/api/v1/reconcile")
			eventually(t, 10*time.Second, "reconcile ends the two links and counts them", func() bool {
				links, _ := e.links()
				ended := 0
				for _, l := range links {
					if l.State == store.LinkClosed {
						ended++
					}
				}
				drift, err := e.App.DriftReports(context.Background())
				return ended == 2 && err == nil && drift[0].LinksEnded == 2
			})
			l, err := e.App.Store.TicketLink(context.Background(), kept.ID)
			if err != nil || l.State != store.LinkOpen {
				t.Errorf("the open ticket's link = %+v (%v), want it still open", l, err)
			}
		})
	}
}
