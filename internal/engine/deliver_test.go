package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// routeAll routes every stored alert.
func (h *harness) routeAll() {
	h.t.Helper()
	for {
		n, err := h.w.router.route(h.ctx)
		h.must(err)
		if n == 0 {
			return
		}
	}
}

// rounds runs n delivery rounds.
func (h *harness) rounds(n int) {
	h.t.Helper()
	for range n {
		if _, err := h.w.deliverer.deliver(h.ctx, nil, nil); err != nil {
			h.t.Fatalf("deliver: %v", err)
		}
	}
}

// sendAll sends and routes alerts, returning their seqs.
func (h *harness) sendAll(as ...alert.Alert) []int64 {
	h.t.Helper()
	var seqs []int64
	for _, a := range as {
		seqs = append(seqs, h.send(a).Seq)
	}
	h.routeAll()
	return seqs
}

func withContacts(s integration.Settings) integration.Settings {
	s.Companies.AttachContacts = true
	s.Companies.Map[0].Contact = integration.Pick{Name: "helpdesk@acme.example", ID: "32"}
	return s
}

// TestDelivererRounds: what a round asks the PSA for, and what it
// records. The call counts are the storm economy in small: creates before
// notes, a group's waiting alerts in one note, one batched read for what
// many links need.
func TestDelivererRounds(t *testing.T) {
	t.Parallel()
	jane, bob, carol := "jane@acme.example", "bob@acme.example", "carol@acme.example"
	tests := []struct {
		name     string
		settings integration.Settings
		batch    bool // the PSA reads in batches and creates bare
		// setup sends and routes alerts (opening tickets as it likes) and
		// returns the seqs wantEvents indexes.
		setup      func(h *harness, f *fakePSA) []int64
		rounds     int
		wantCalls  map[string]int // made by the rounds
		wantEvents map[int]string // in the alert's last timeline line
	}{
		{
			name: "a lone alert: one create", settings: testSettings(), rounds: 1,
			setup:      func(h *harness, _ *fakePSA) []int64 { return h.sendAll(newAlert("a1", jane)) },
			wantCalls:  map[string]int{"CreateTicket": 1},
			wantEvents: map[int]string{0: "ticket_created: ticket T1 (id 1) for Acme Corp: created"},
		},
		{
			name: "a group's alerts: the create, then one coalesced note", settings: testSettings(), rounds: 2,
			setup: func(h *harness, _ *fakePSA) []int64 {
				return h.sendAll(newAlert("a1", jane), newAlert("a2", jane), newAlert("a3", jane))
			},
			wantCalls: map[string]int{"CreateTicket": 1, "Ticket": 1, "AddNote": 1},
			wantEvents: map[int]string{
				0: "ticket_created: ticket T1 (id 1) for Acme Corp: created",
				1: "note_added: added as note N2 to ticket T1: group open; coalesced with 1 other alerts",
				2: "note_added: added as note N2 to ticket T1: group open; coalesced with 1 other alerts",
			},
		},
		{
			name: "a note for a ticket closed in the PSA starts a new ticket", settings: testSettings(), rounds: 2,
			setup: func(h *harness, f *fakePSA) []int64 {
				h.openTicket(f, newAlert("a1", jane), "1")
				f.setStatus("1", "5", true)
				return h.sendAll(newAlert("a2", jane))
			},
			wantCalls:  map[string]int{"Ticket": 1, "CreateTicket": 1},
			wantEvents: map[int]string{0: "ticket_created: ticket T2 (id 2) for Acme Corp: created"},
		},
		{
			name: "a note for a ticket deleted in the PSA starts a new ticket", settings: testSettings(), rounds: 2,
			setup: func(h *harness, f *fakePSA) []int64 {
				h.openTicket(f, newAlert("a1", jane), "1")
				delete(f.tickets, "1")
				return h.sendAll(newAlert("a2", jane))
			},
			wantCalls:  map[string]int{"Ticket": 1, "CreateTicket": 1},
			wantEvents: map[int]string{0: "ticket_created: ticket T2 (id 2) for Acme Corp: created"},
		},
		{
			name: "notes the PSA refuses as not found, a read confirming it, start new tickets", settings: testSettings(), batch: true, rounds: 2,
			setup: func(h *harness, f *fakePSA) []int64 {
				h.openTicket(f, newAlert("a1", jane), "1")
				h.openTicket(f, newAlert("b1", bob), "2")
				f.failWith("AddNote", psa.ErrNotFound)
				f.failWith("Ticket", psa.ErrNotFound) // the batched read still finds them
				return h.sendAll(newAlert("a2", jane), newAlert("b2", bob))
			},
			wantCalls: map[string]int{"TicketsByID": 2, "AddNote": 2, "Ticket": 2, "CreateTicketID": 2},
			wantEvents: map[int]string{
				0: "ticket_created: ticket",
				1: "ticket_created: ticket",
			},
		},
		{
			name: "notes on many tickets: one batched read", settings: testSettings(), batch: true, rounds: 1,
			setup: func(h *harness, f *fakePSA) []int64 {
				h.openTicket(f, newAlert("a1", jane), "1")
				h.openTicket(f, newAlert("b1", bob), "2")
				return h.sendAll(newAlert("a2", jane), newAlert("b2", bob))
			},
			wantCalls: map[string]int{"TicketsByID": 1, "AddNote": 2},
			wantEvents: map[int]string{
				0: "note_added: added as note N",
				1: "note_added: added as note N",
			},
		},
		{
			name: "creates in a storm go bare; their numbers are read in one call", settings: testSettings(), batch: true, rounds: 1,
			setup: func(h *harness, _ *fakePSA) []int64 {
				return h.sendAll(newAlert("a1", jane), newAlert("b1", bob), newAlert("c1", carol))
			},
			wantCalls:  map[string]int{"CreateTicketID": 3, "TicketsByID": 1},
			wantEvents: map[int]string{0: "for Acme Corp: created", 1: "for Acme Corp: created", 2: "for Acme Corp: created"},
		},
		{
			name: "contacts: one lookup per company and round", settings: withContacts(testSettings()), batch: true, rounds: 1,
			setup: func(h *harness, f *fakePSA) []int64 {
				f.contacts["175"] = []psa.Contact{{ID: "31", CompanyID: "175", FirstName: "Jane", LastName: "Doe", Email: jane}}
				return h.sendAll(newAlert("a1", jane), newAlert("b1", bob), newAlert("c1", carol))
			},
			wantCalls: map[string]int{"ContactsByEmail": 1, "CreateTicketID": 3, "TicketsByID": 1},
			wantEvents: map[int]string{
				0: "for Acme Corp: created with contact Jane Doe (found by email)",
				1: "for Acme Corp: created with fallback contact helpdesk@acme.example (no contact with the alert's email)",
				2: "for Acme Corp: created with fallback contact helpdesk@acme.example (no contact with the alert's email)",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f *fakePSA
			h := newHarness(t, tt.settings, func(clock func() time.Time) psa.Connector {
				f = newFakePSA(clock)
				if tt.batch {
					return batchPSA{f}
				}
				return f
			})
			seqs := tt.setup(h, f)
			before := f.callsMade()
			h.rounds(tt.rounds)
			got := f.callsMade()
			for m, n := range before {
				if got[m] -= n; got[m] == 0 {
					delete(got, m)
				}
			}
			if diff := cmp.Diff(tt.wantCalls, got); diff != "" {
				t.Errorf("PSA calls (-want +got):\n%s", diff)
			}
			for i, want := range tt.wantEvents {
				if ev := lastEvent(h.events(seqs[i])); !strings.Contains(ev, want) {
					t.Errorf("alert %d: last timeline line = %q, want it to hold %q", i, ev, want)
				}
			}
			for _, d := range h.pendingOrFailed() {
				t.Errorf("delivery %d (%s, alert %d) still %s: %s", d.ID, d.Kind, d.AlertSeq, d.State, d.LastError)
			}
			for _, l := range h.links() {
				if l.State == store.LinkOpen && l.TicketNumber == "" {
					t.Errorf("link %d is open without its ticket's number", l.ID)
				}
			}
		})
	}
}

func (h *harness) pendingOrFailed() []store.Delivery {
	h.t.Helper()
	return append(h.deliveries(store.DeliveryPending), h.deliveries(store.DeliveryFailed)...)
}

func (h *harness) deliveries(state store.DeliveryState) []store.Delivery {
	h.t.Helper()
	ds, err := h.st.Deliveries(h.ctx, store.DeliveryFilter{TenantID: store.DefaultTenant, IntegrationID: h.it.ID, State: state})
	h.must(err)
	return ds
}

func (h *harness) links() []store.TicketLink {
	h.t.Helper()
	ls, err := h.st.TicketLinks(h.ctx, h.it.ID)
	h.must(err)
	return ls
}

// retried marks the alert's deliveries of kind as attempted once: an
// earlier attempt counted itself, called the PSA and was killed before it
// recorded the answer.
func (h *harness) retried(seq int64, kind store.DeliveryKind) store.Delivery {
	h.t.Helper()
	for _, d := range h.deliveriesOf(seq) {
		if d.Kind == kind {
			d.Attempts = 1
			h.must(h.st.UpdateDelivery(h.ctx, d))
			return d
		}
	}
	h.t.Fatalf("alert %d has no %s delivery", seq, kind)
	return store.Delivery{}
}

// TestDelivererExactlyOnce: an attempt that may have written before a
// crash looks for its write in the PSA first, and a first attempt, which
// cannot have, spends no call looking.
func TestDelivererExactlyOnce(t *testing.T) {
	t.Parallel()
	jane := "jane@acme.example"
	tests := []struct {
		name string
		// setup leaves the alert at seqs[0] to deliver, as a crashed
		// earlier attempt (or none) left it.
		setup      func(h *harness, f *fakePSA) []int64
		rounds     int
		wantCalls  map[string]int
		wantEvent  string // the first alert's last timeline line
		wantWrites int    // tickets plus notes in the PSA, after
	}{
		{
			name:   "a first create does not search",
			setup:  func(h *harness, _ *fakePSA) []int64 { return h.sendAll(newAlert("a1", jane)) },
			rounds: 1, wantCalls: map[string]int{"CreateTicket": 1}, wantWrites: 1,
			wantEvent: "ticket_created: ticket T1 (id 1) for Acme Corp: created",
		},
		{
			name: "a retried create finds the ticket the crashed attempt made",
			setup: func(h *harness, f *fakePSA) []int64 {
				seqs := h.sendAll(newAlert("a1", jane))
				h.retried(seqs[0], store.DeliveryCreateTicket)
				f.put(psa.Ticket{ID: "9", Number: "T9", Status: "1", ExternalRef: h.linkOfAlert(seqs[0]).ExternalRef})
				return seqs
			},
			rounds: 1, wantCalls: map[string]int{"TicketByExternalRef": 1}, wantWrites: 1,
			wantEvent: "ticket_created: ticket T9 (id 9) for Acme Corp: recovered (found by external reference)",
		},
		{
			name: "a retried create that finds nothing creates",
			setup: func(h *harness, _ *fakePSA) []int64 {
				seqs := h.sendAll(newAlert("a1", jane))
				h.retried(seqs[0], store.DeliveryCreateTicket)
				return seqs
			},
			rounds: 1, wantCalls: map[string]int{"TicketByExternalRef": 1, "CreateTicket": 1}, wantWrites: 1,
			wantEvent: "ticket_created: ticket T1 (id 1) for Acme Corp: created",
		},
		{
			name: "a crash between the PSA's create and our record: one ticket",
			setup: func(h *harness, _ *fakePSA) []int64 {
				crashed := false
				h.w.cfg.AfterCreate = func(context.Context, psa.Ticket) error {
					if crashed {
						return nil
					}
					crashed = true
					return ErrSimulatedCrash
				}
				return h.sendAll(newAlert("a1", jane))
			},
			rounds: 2, wantCalls: map[string]int{"CreateTicket": 1, "TicketByExternalRef": 1}, wantWrites: 1,
			wantEvent: "ticket_created: ticket T1 (id 1) for Acme Corp: recovered (found by external reference)",
		},
		{
			name: "a retried note already on the ticket is recorded, not written again",
			setup: func(h *harness, f *fakePSA) []int64 {
				h.openTicket(f, newAlert("a0", jane), "1")
				seqs := h.sendAll(newAlert("a1", jane))
				d := h.retried(seqs[0], store.DeliveryAddNote)
				dec, _, err := decodePayload(d)
				h.must(err)
				_, err = f.AddNote(h.ctx, "1", dec.Note)
				h.must(err)
				return seqs
			},
			rounds: 1, wantCalls: map[string]int{"Ticket": 1, "Notes": 1}, wantWrites: 2,
			wantEvent: "note_added: added as note N2 to ticket T1: found after restart",
		},
		{
			name: "a retried note not on the ticket is written",
			setup: func(h *harness, f *fakePSA) []int64 {
				h.openTicket(f, newAlert("a0", jane), "1")
				seqs := h.sendAll(newAlert("a1", jane))
				h.retried(seqs[0], store.DeliveryAddNote)
				return seqs
			},
			rounds: 1, wantCalls: map[string]int{"Ticket": 1, "Notes": 1, "AddNote": 1}, wantWrites: 2,
			wantEvent: "note_added: added as note N2 to ticket T1: group open",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f *fakePSA
			h := newHarness(t, testSettings(), fake(&f))
			seqs := tt.setup(h, f)
			before := f.callsMade()
			for range tt.rounds {
				h.rounds(1)
				h.advance(time.Minute) // past any backoff
			}
			got := f.callsMade()
			for m, n := range before {
				if got[m] -= n; got[m] == 0 {
					delete(got, m)
				}
			}
			if diff := cmp.Diff(tt.wantCalls, got); diff != "" {
				t.Errorf("PSA calls (-want +got):\n%s", diff)
			}
			if ev := lastEvent(h.events(seqs[0])); ev != tt.wantEvent {
				t.Errorf("last timeline line = %q, want %q", ev, tt.wantEvent)
			}
			if n := f.writes(); n != tt.wantWrites {
				t.Errorf("PSA holds %d tickets and notes, want %d", n, tt.wantWrites)
			}
			for _, d := range h.pendingOrFailed() {
				t.Errorf("delivery %d (%s) still %s: %s", d.ID, d.Kind, d.State, d.LastError)
			}
		})
	}
}

// writes counts the tickets and notes the PSA holds.
func (f *fakePSA) writes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.tickets)
	for _, ns := range f.notes {
		n += len(ns)
	}
	return n
}

// A permanent note failure on a ticket the PSA still holds is a failure,
// not a deletion, even a not found: one read tells them apart, and the
// group keeps its ticket.
func TestNoteRefusedOnLiveTicketFails(t *testing.T) {
	t.Parallel()
	for _, cause := range []error{
		&psa.Error{Class: psa.Permanent, Status: 400, Message: "note type is inactive"},
		&psa.Error{Class: psa.Permanent, Status: 404, Message: "no such note type", Err: psa.ErrNotFound},
	} {
		noteRefusedOnLiveTicket(t, cause)
	}
}

func noteRefusedOnLiveTicket(t *testing.T, cause error) {
	var f *fakePSA
	h := newHarness(t, testSettings(), fake(&f))
	_, link := h.openTicket(f, newAlert("a1", "jane@acme.example"), "1")
	f.failWith("AddNote", cause)
	h.sendAll(newAlert("a2", "jane@acme.example"))
	h.rounds(1)
	if got := f.count("Ticket"); got != 2 {
		t.Errorf("ticket reads = %d, want 2 (before the note, and after its refusal)", got)
	}
	if failed := h.deliveries(store.DeliveryFailed); len(failed) != 1 || failed[0].Kind != store.DeliveryAddNote {
		t.Errorf("failed deliveries = %+v, want the note", failed)
	}
	if l, err := h.st.TicketLink(h.ctx, link.ID); err != nil || l.State != store.LinkOpen {
		t.Errorf("link = %+v (%v), want it still open", l, err)
	}
}
