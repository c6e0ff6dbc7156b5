package engine

import (
	"context"
	"fmt"
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
	rt := roundUnderWay(t)
	a3, c1 := rt.send(newAlert("a3", "jane@acme.example")), rt.send(newAlert("c1", "carol@acme.example"))
	rt.wake <- struct{}{}
	if n := <-rt.routed; n != 1 {
		t.Errorf("routed during the round: %d alerts, want 1 (carol's)", n)
	}
	if r, ok := rt.route(c1.Seq); !ok || r.Outcome != store.RouteQueued {
		t.Errorf("c1 was not queued during the round: %+v (found %v)", r, ok)
	}
	if _, ok := rt.route(a3.Seq); ok {
		t.Errorf("a3 was routed onto jane's link while the round wrote to it")
	}
	close(rt.release)
	if r := <-rt.done; r.err != nil {
		t.Fatalf("deliver: %v", r.err)
	}
	rt.routeAll()
	if r, ok := rt.route(a3.Seq); !ok || r.TicketLinkID != rt.jane {
		t.Errorf("a3 after the round: %+v (found %v), want on jane's link %d", r, ok, rt.jane)
	}
}

// announcedCreates tells created of each ticket it creates, so that a
// test can see a create happen while another call of the round is held.
type announcedCreates struct {
	gatedNotes
	created chan string
}

func (a announcedCreates) CreateTicket(ctx context.Context, nt psa.NewTicket) (psa.Ticket, error) {
	t, err := a.gatedNotes.CreateTicket(ctx, nt)
	a.created <- nt.ExternalRef
	return t, err
}

// roundTest is a delivery round under way whose note call to jane's
// ticket is held until release is closed. Each signal on wake routes,
// and the count goes to routed; the round's result goes to done.
type roundTest struct {
	*harness
	announcedCreates
	jane   int64 // jane's ticket link
	wake   chan struct{}
	routed chan int
	done   chan roundResult
}

func roundUnderWay(t *testing.T) *roundTest {
	var f *fakePSA
	rt := &roundTest{
		announcedCreates: announcedCreates{gatedNotes{entered: make(chan struct{}), release: make(chan struct{})}, make(chan string, 100)},
		wake:             make(chan struct{}, 1), routed: make(chan int), done: make(chan roundResult, 1),
	}
	rt.harness = newHarness(t, testSettings(), func(clock func() time.Time) psa.Connector {
		f = newFakePSA(clock)
		rt.fakePSA = f
		return rt.announcedCreates
	})
	_, jane := rt.openTicket(f, newAlert("a1", "jane@acme.example"), "1")
	rt.jane = jane.ID
	rt.sendAll(newAlert("a2", "jane@acme.example"))
	go func() {
		n, err := rt.w.deliverer.deliver(rt.ctx, rt.wake, func(int) int {
			n, err := rt.w.router.route(rt.ctx)
			rt.must(err)
			rt.routed <- n
			return n
		})
		rt.done <- roundResult{n, err}
	}()
	<-rt.entered // the note to jane's ticket is under way
	return rt
}

type roundResult struct {
	links int
	err   error
}

// TestRoundTakesOnLightWork: an alert routed while a round's call is
// under way is delivered by that round when a call slot is free, instead
// of waiting for the round's last call and the next cycle.
func TestRoundTakesOnLightWork(t *testing.T) {
	t.Parallel()
	rt := roundUnderWay(t)
	rt.send(newAlert("c1", "carol@acme.example"))
	rt.wake <- struct{}{}
	if n := <-rt.routed; n != 1 {
		t.Fatalf("routed during the round: %d, want 1", n)
	}
	select {
	case <-rt.created: // carol's ticket, while jane's note is still held
	case <-time.After(10 * time.Second):
		t.Fatal("carol's ticket was not created while the round's note call was held")
	}
	close(rt.release)
	r := <-rt.done
	if r.err != nil || r.links != 2 {
		t.Fatalf("deliver = %d links, %v; want 2 (jane's and carol's), nil", r.links, r.err)
	}
}

// TestRoundLeavesABacklogForTheNextRound: when routing during a round
// makes more work due than one short listing holds, the round does not
// take it on; the next round serves it with its batched reads, which is
// what keeps a storm within its request budget. Nor does a round take
// on work once it has run for joinFor.
func TestRoundLeavesABacklogForTheNextRound(t *testing.T) {
	t.Parallel()
	t.Run("backlog", func(t *testing.T) {
		t.Parallel()
		rt := roundUnderWay(t)
		for i := range joinList {
			rt.send(newAlert(fmt.Sprintf("u%d", i), fmt.Sprintf("user%d@acme.example", i)))
		}
		rt.wake <- struct{}{}
		if n := <-rt.routed; n != joinList {
			t.Fatalf("routed during the round: %d, want %d", n, joinList)
		}
		close(rt.release)
		if r := <-rt.done; r.err != nil || r.links != 1 {
			t.Fatalf("deliver = %d links, %v; want 1 (jane's only), nil", r.links, r.err)
		}
		if n := len(rt.created); n != 0 {
			t.Errorf("%d tickets created by the round; want the backlog left for the next round", n)
		}
	})
	t.Run("after joinFor", func(t *testing.T) {
		t.Parallel()
		rt := roundUnderWay(t)
		rt.advanceWall(joinFor + time.Millisecond)
		rt.send(newAlert("c1", "carol@acme.example"))
		rt.wake <- struct{}{}
		if n := <-rt.routed; n != 1 {
			t.Fatalf("routed during the round: %d, want 1", n)
		}
		close(rt.release)
		if r := <-rt.done; r.err != nil || r.links != 1 {
			t.Fatalf("deliver = %d links, %v; want 1 (jane's only), nil", r.links, r.err)
		}
	})
}

// TestRoundKeepsRoutingABacklog: a batch routed during a round that came
// back full is followed by another while the round's calls are out, so a
// storm's backlog is routed beside the calls instead of holding up the
// next round; one wake is enough.
func TestRoundKeepsRoutingABacklog(t *testing.T) {
	t.Parallel()
	rt := roundUnderWay(t)
	for i := range routeBatch + 1 {
		rt.send(newAlert(fmt.Sprintf("u%d", i), fmt.Sprintf("user%d@acme.example", i%50)))
	}
	rt.wake <- struct{}{}
	if n := <-rt.routed; n != routeBatch {
		t.Fatalf("first batch routed during the round: %d, want %d", n, routeBatch)
	}
	select {
	case n := <-rt.routed:
		if n != 1 {
			t.Errorf("second batch routed during the round: %d, want 1", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the round stopped routing after a full batch while its call was still out")
	}
	close(rt.release)
	if r := <-rt.done; r.err != nil || r.links != 1 {
		t.Fatalf("deliver = %d links, %v; want 1 (jane's only: the rest is a backlog), nil", r.links, r.err)
	}
}

// TestRoundHoldsNotesWhileRoutingIsBehind: while alerts wait to be
// routed, a round writes tickets but holds notes queued less than
// noteHold ago, so a group's follow-ups routed batch after batch leave as
// one note; held longer, a note goes whatever routing's state.
func TestRoundHoldsNotesWhileRoutingIsBehind(t *testing.T) {
	t.Parallel()
	var f *fakePSA
	h := newHarness(t, testSettings(), fake(&f))
	h.openTicket(f, newAlert("a1", "jane@acme.example"), "1")
	h.sendAll(newAlert("a2", "jane@acme.example"), newAlert("b1", "bob@acme.example"))

	h.w.deliverer.routingBehind = true
	h.rounds(1)
	if got := f.count("CreateTicket"); got != 1 {
		t.Errorf("bob's ticket: %d creates while routing was behind, want 1", got)
	}
	if got := f.count("AddNote"); got != 0 {
		t.Fatalf("%d notes written while routing was behind, want jane's held", got)
	}
	h.advance(noteHold + time.Second)
	h.rounds(1)
	if got := f.count("AddNote"); got != 1 {
		t.Errorf("%d notes after noteHold, want jane's written though routing is still behind", got)
	}
}
