package engine

import (
	"context"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// TestRoutingHoldsBackBusyLinks: while a delivery round works a group's
// ticket link, routing leaves that group's new alerts unrouted (the round
// may end the link after reading its pending notes) and routes the
// others; once the round is over they are routed onto the link.
func TestRoutingHoldsBackBusyLinks(t *testing.T) {
	t.Parallel()
	var f *fakePSA
	h := newHarness(t, testSettings(), fake(&f))
	_, jane := h.openTicket(f, newAlert("a1", "jane@acme.example"), "1")
	_, bob := h.openTicket(f, newAlert("b1", "bob@acme.example"), "2")

	h.w.deliverer.busy.set([]int64{jane.ID})
	a2, b2 := h.send(newAlert("a2", "jane@acme.example")), h.send(newAlert("b2", "bob@acme.example"))
	if n, err := h.w.router.route(h.ctx); n != 1 || err != nil {
		t.Fatalf("route while jane's link is busy = %d, %v; want 1 (bob's), nil", n, err)
	}
	if r, ok := h.route(a2.Seq); ok {
		t.Errorf("a2 was routed while its link was busy: %+v", r)
	}
	if r, ok := h.route(b2.Seq); !ok || r.TicketLinkID != bob.ID {
		t.Errorf("b2: route %+v (found %v), want queued on bob's link %d", r, ok, bob.ID)
	}

	h.w.deliverer.busy.set(nil)
	if n, err := h.w.router.route(h.ctx); n != 1 || err != nil {
		t.Fatalf("route after the round = %d, %v; want 1 (a2), nil", n, err)
	}
	if r, ok := h.route(a2.Seq); !ok || r.TicketLinkID != jane.ID {
		t.Errorf("a2: route %+v (found %v), want queued on jane's link %d", r, ok, jane.ID)
	}
}

// gatedNotes holds every AddNote until the test lets it go, so that a
// test can act while a round's call is under way.
type gatedNotes struct {
	*fakePSA
	entered, release chan struct{}
}

func (g gatedNotes) AddNote(ctx context.Context, ticketID string, n psa.NewNote) (string, error) {
	g.entered <- struct{}{}
	<-g.release
	return g.fakePSA.AddNote(ctx, ticketID, n)
}

// TestRouteWhileTheRoundCalls: a nudge during a round's PSA call routes
// the new alerts then and there, so the next round finds them queued; the
// group being written to is held back and routed after the round.
func TestRouteWhileTheRoundCalls(t *testing.T) {
	t.Parallel()
	var f *fakePSA
	g := gatedNotes{entered: make(chan struct{}), release: make(chan struct{})}
	h := newHarness(t, testSettings(), func(clock func() time.Time) psa.Connector {
		f = newFakePSA(clock)
		g.fakePSA = f
		return g
	})
	_, jane := h.openTicket(f, newAlert("a1", "jane@acme.example"), "1")
	h.sendAll(newAlert("a2", "jane@acme.example")) // a note for jane's ticket

	wake := make(chan struct{}, 1)
	routed := make(chan int)
	done := make(chan error, 1)
	go func() {
		_, err := h.w.deliverer.deliver(h.ctx, wake, func() {
			n, err := h.w.router.route(h.ctx)
			h.must(err)
			routed <- n
		})
		done <- err
	}()
	<-g.entered // the note to jane's ticket is under way
	a3, c1 := h.send(newAlert("a3", "jane@acme.example")), h.send(newAlert("c1", "carol@acme.example"))
	wake <- struct{}{}
	if n := <-routed; n != 1 {
		t.Errorf("routed during the round: %d alerts, want 1 (carol's)", n)
	}
	if r, ok := h.route(c1.Seq); !ok || r.Outcome != store.RouteQueued {
		t.Errorf("c1 was not queued during the round: %+v (found %v)", r, ok)
	}
	if _, ok := h.route(a3.Seq); ok {
		t.Errorf("a3 was routed onto jane's link while the round wrote to it")
	}
	close(g.release)
	if err := <-done; err != nil {
		t.Fatalf("deliver: %v", err)
	}
	h.routeAll()
	if r, ok := h.route(a3.Seq); !ok || r.TicketLinkID != jane.ID {
		t.Errorf("a3 after the round: %+v (found %v), want on jane's link %d", r, ok, jane.ID)
	}
}
