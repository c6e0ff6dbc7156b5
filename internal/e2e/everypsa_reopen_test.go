package e2e

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/engine"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// reopenSettings are the scenarios' settings with ticket.reopen_within.
func reopenSettings(base string) string {
	return strings.Replace(psaSettings(base, "user"), "  group_by: user\n", "  group_by: user\n  reopen_within: 24h\n", 1)
}

// With reopen_within on, a group's ticket closed in the PSA is reopened
// for the group's next alert, on every PSA that allows it: whether the
// alert finds the close itself (it was queued as a note on the open
// ticket) or reconcile found it first (the link was ended). One ticket in
// the PSA, open again, with each alert as a note; the timeline says why.
// A PSA whose profile has no reopen refuses the setting at apply.
func TestReopenWindowOnEveryPSA(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			if lacks(p, "ticket.reopen_within") {
				e := start(t, "", func(o *demo.Options) { o.PSA, o.SkipApply = p, true })
				_, err := e.Apply(ctx, reopenSettings(e.DefaultSettings()))
				if err == nil || !strings.Contains(err.Error(), "ticket.reopen_within") {
					t.Fatalf("apply of reopen_within on %s: err = %v, want it refused naming the setting", p, err)
				}
				return
			}
			e := start(t, "", func(o *demo.Options) { o.PSA, o.SkipApply = p, true })
			if _, err := e.Apply(ctx, reopenSettings(e.DefaultSettings())); err != nil {
				t.Fatalf("apply: %v", err)
			}
			e.send(testAlert{ID: "o1", Type: "X", Email: "jane@acme.example"})
			first := e.ticketIDOf("o1")
			if first == "" {
				t.Fatal("o1: no ticket")
			}

			// Closed, and the next alert finds it closed itself.
			if err := e.CloseTicket(ctx, first); err != nil {
				t.Fatal(err)
			}
			e.send(testAlert{ID: "o2", Type: "Y", Email: "jane@acme.example"})
			e.assertReopened(first, "o2")

			// Closed again, and reconcile ends the link before the next alert.
			if err := e.CloseTicket(ctx, first); err != nil {
				t.Fatal(err)
			}
			e.adminDo("POST", "/api/v1/reconcile")
			eventually(t, 10*time.Second, "reconcile ends the closed ticket's link", func() bool {
				links, _ := e.links()
				return len(links) == 1 && links[0].State == store.LinkClosed
			})
			o3 := testAlert{ID: "o3", Type: "Z", Email: "jane@acme.example"}
			if ex := e.explain(o3); ex.NoteOn != first || !strings.Contains(strings.Join(ex.Lines, "\n"), "would reopen ticket") {
				t.Errorf("explain of o3 = %q (note on %q), want it to reopen %s", ex.Lines, ex.NoteOn, first)
			}
			e.send(o3)
			e.assertReopened(first, "o3")
			if tl := e.timelineText("o3"); !strings.Contains(tl, "reopen queued for ticket") || !strings.Contains(tl, "within reopen_within (24h0m0s)") {
				t.Errorf("o3's timeline does not say routing queued a reopen:\n%s", tl)
			}
			// Another group is not reopened into it.
			e.send(testAlert{ID: "o4", Type: "X", Email: "bob@acme.example"})
			if id := e.ticketIDOf("o4"); id == "" || id == first {
				t.Errorf("o4 (another user) is on ticket %q, want a new one", id)
			}

			// Closed, its link ended, then deleted in the PSA: the reopen
			// finds it gone and the group gets a new ticket instead.
			if err := e.CloseTicket(ctx, first); err != nil {
				t.Fatal(err)
			}
			e.adminDo("POST", "/api/v1/reconcile")
			eventually(t, 10*time.Second, "reconcile ends the closed ticket's link again", func() bool {
				l, err := e.App.Store.TicketLink(ctx, e.route("o1").TicketLinkID)
				return err == nil && l.State == store.LinkClosed
			})
			if err := e.DeleteTicket(first); err != nil {
				t.Fatal(err)
			}
			e.send(testAlert{ID: "o5", Type: "X", Email: "jane@acme.example"})
			if id := e.ticketIDOf("o5"); id == "" || id == first {
				t.Errorf("o5 is on ticket %q, want a new one beside the deleted %s", id, first)
			}
		})
	}
}

// assertReopened checks that the alert landed on ticket id as a note,
// that the ticket is open in the PSA and the only one of its group, and
// that the alert's timeline says it was reopened.
func (e *env) assertReopened(id, alertID string) {
	e.t.Helper()
	if got := e.ticketIDOf(alertID); got != id {
		e.t.Fatalf("%s is on ticket %q, want the reopened %s\n%s", alertID, got, id, e.timelineText(alertID))
	}
	v := e.viewOf(alertID)
	if v.Closed || !v.noted(alertID) {
		e.t.Errorf("ticket %s after %s: closed %v, noted %v; want open with the alert as a note", id, alertID, v.Closed, v.noted(alertID))
	}
	if n := len(e.psaTickets()); n != 1 {
		e.t.Errorf("the PSA holds %d tickets, want the one reopened", n)
	}
	if tl := e.timelineText(alertID); !strings.Contains(tl, "reopened ticket") || !strings.Contains(tl, "within reopen_within 24h0m0s") {
		e.t.Errorf("%s's timeline does not say the ticket was reopened:\n%s", alertID, tl)
	}
}

// A crash after the PSA reopened the ticket and took the note, before the
// link was recorded open: after the restart the retry finds the ticket
// open and the note by its marker, so the PSA holds one ticket with the
// alert's note once.
func TestReopenCrashOnEveryPSA(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		if lacks(p, "ticket.reopen_within") {
			continue
		}
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dir := t.TempDir()
			var calls atomic.Int32
			hook := func(ctx context.Context, _ psa.Ticket) error {
				if calls.Add(1) == 1 {
					return nil // the group's first ticket
				}
				<-ctx.Done()
				return engine.ErrSimulatedCrash
			}
			d, err := lookupPSA(p)
			if err != nil {
				t.Fatal(err)
			}
			sim := d.Simulate(driver.SimOptions{})
			srv := httptest.NewServer(sim)
			t.Cleanup(srv.Close)
			t.Cleanup(sim.Close)
			reuse := func(o *demo.Options) { o.Sim, o.SimURL = sim, srv.URL }
			e1 := start(t, "", reuse, func(o *demo.Options) {
				o.PSA, o.SkipApply, o.DataDir, o.AppOpts.AfterCreate = p, true, dir, hook
			})
			if _, err := e1.Apply(ctx, reopenSettings(e1.DefaultSettings())); err != nil {
				t.Fatalf("apply: %v", err)
			}
			e1.send(testAlert{ID: "k1", Type: "X", Email: "jane@acme.example"})
			first := e1.ticketIDOf("k1")
			if err := e1.CloseTicket(ctx, first); err != nil {
				t.Fatal(err)
			}
			e1.send0(testAlert{ID: "k2", Type: "Y", Email: "jane@acme.example"})
			e1.App.Engine.Nudge()
			eventually(t, 10*time.Second, "the reopen reached the PSA", func() bool { return calls.Load() == 2 })
			token := e1.Token
			e1.Close()

			e2 := start(t, "", reuse, func(o *demo.Options) { o.PSA, o.DataDir, o.SkipApply, o.SourceToken = p, dir, true, token })
			if err := e2.WaitIdle(ctx, 15*time.Second); err != nil {
				t.Fatal(err)
			}
			e2.noFailedDeliveries()
			ts := e2.psaTickets()
			if len(ts) != 1 || ts[0].ID != first || ts[0].Closed {
				t.Fatalf("after the restart the PSA holds %+v, want only ticket %s, open", ts, first)
			}
			notes := 0
			for _, n := range ts[0].Notes {
				if n.Title != "" && strings.Contains(n.Description, "saas-alerts/k2") {
					notes++
				}
			}
			if notes != 1 {
				t.Errorf("k2 is in %d notes of the reopened ticket, want 1", notes)
			}
			if got := e2.ticketIDOf("k2"); got != first {
				t.Errorf("k2 is on ticket %q, want %s", got, first)
			}
		})
	}
}
