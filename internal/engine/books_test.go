package engine

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// TestBooksFail: a failed attempt is recorded on its deliveries by the
// error's class, for every part that calls the PSA.
func TestBooksFail(t *testing.T) {
	t.Parallel()
	rateLimited := &psa.Error{Class: psa.RateLimited, Message: "429", RetryAfter: 30 * time.Second}
	tests := []struct {
		name         string
		cause        error
		attempts     int // counted before the call
		pendingFor   time.Duration
		wantState    store.DeliveryState
		wantAttempts int
		// wantWait bounds the next attempt, from now.
		minWait, maxWait time.Duration
		wantEvent        string // prefix of the alert's last timeline line
		wantNote         store.DeliveryState
	}{
		{
			name: "a retryable error backs off", cause: &psa.Error{Class: psa.Retryable, Message: "503"}, attempts: 2,
			wantState: store.DeliveryPending, wantAttempts: 2, minWait: time.Second, maxWait: 2 * time.Second,
			wantEvent: "retry: attempt 2 failed (retryable), next attempt at ", wantNote: store.DeliveryPending,
		},
		{
			name: "a rate limit waits as asked", cause: rateLimited, attempts: 1,
			wantState: store.DeliveryPending, wantAttempts: 1, minWait: 30 * time.Second, maxWait: 30 * time.Second,
			wantEvent: "retry: attempt 1 failed (rate_limited)", wantNote: store.DeliveryPending,
		},
		{
			name: "a rate limit without Retry-After waits RateLimitWait", cause: &psa.Error{Class: psa.RateLimited, Message: "429"}, attempts: 1,
			wantState: store.DeliveryPending, wantAttempts: 1, minWait: time.Minute, maxWait: time.Minute,
			wantEvent: "retry: attempt 1 failed (rate_limited)", wantNote: store.DeliveryPending,
		},
		{
			name: "a call our budget refused was no attempt", cause: &psa.Error{Class: psa.RateLimited, Message: "budget spent", NotSent: true}, attempts: 1,
			wantState: store.DeliveryPending, wantAttempts: 0, minWait: time.Minute, maxWait: time.Minute,
			wantEvent: "retry: attempt 0 failed (rate_limited)", wantNote: store.DeliveryPending,
		},
		{
			name: "a permanent error fails the create and the notes behind it", cause: &psa.Error{Class: psa.Permanent, Message: "no such queue"}, attempts: 1,
			wantState: store.DeliveryFailed, wantAttempts: 1, wantEvent: "failed: PSA refused: no such queue", wantNote: store.DeliveryFailed,
		},
		{
			name: "too many attempts over a day fail it", cause: errors.New("connection reset"), attempts: 20, pendingFor: 25 * time.Hour,
			wantState: store.DeliveryFailed, wantAttempts: 20, wantEvent: "failed: connection reset", wantNote: store.DeliveryFailed,
		},
		{
			name: "too many attempts within a day keep it waiting", cause: errors.New("connection reset"), attempts: 20, pendingFor: 23 * time.Hour,
			wantState: store.DeliveryPending, wantAttempts: 20, minWait: time.Second, maxWait: 10 * time.Minute,
			wantEvent: "retry: attempt 20 failed (retryable)", wantNote: store.DeliveryPending,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f *fakePSA
			h := newHarness(t, testSettings(), fake(&f))
			seqs := h.sendAll(newAlert("a1", "jane@acme.example"), newAlert("a2", "jane@acme.example"))
			create := h.deliveriesOf(seqs[0])[0]
			create.Attempts = tt.attempts
			create.CreatedAt = h.clock().Add(-tt.pendingFor)
			h.must(h.w.fail(h.ctx, []store.Delivery{create}, tt.cause))
			got, err := h.st.Delivery(h.ctx, create.ID)
			h.must(err)
			if got.State != tt.wantState || got.Attempts != tt.wantAttempts {
				t.Errorf("create = %s after %d attempts, want %s after %d", got.State, got.Attempts, tt.wantState, tt.wantAttempts)
			}
			if wait := got.NextAttemptAt.Sub(h.clock()); got.State == store.DeliveryPending && (wait < tt.minWait || wait > tt.maxWait) {
				t.Errorf("next attempt in %v, want within [%v, %v]", wait, tt.minWait, tt.maxWait)
			}
			if ev := lastEvent(h.events(seqs[0])); !strings.HasPrefix(ev, tt.wantEvent) {
				t.Errorf("last timeline line = %q, want it to start %q", ev, tt.wantEvent)
			}
			note := h.deliveriesOf(seqs[1])[0]
			if note.State != tt.wantNote {
				t.Errorf("the note behind the create is %s, want %s", note.State, tt.wantNote)
			}
			if note.State == store.DeliveryFailed && !strings.HasPrefix(note.LastError, waitingPrefix) {
				t.Errorf("the failed note says %q, want it to start %q", note.LastError, waitingPrefix)
			}
		})
	}
}

// TestBooksResumeWaitingNotes: once a failed create succeeds, the notes
// failed behind it wait again; notes failed for their own reasons stay.
func TestBooksResumeWaitingNotes(t *testing.T) {
	t.Parallel()
	var f *fakePSA
	h := newHarness(t, testSettings(), fake(&f))
	seqs := h.sendAll(newAlert("a1", "jane@acme.example"), newAlert("a2", "jane@acme.example"), newAlert("a3", "jane@acme.example"))
	create := h.deliveriesOf(seqs[0])[0]
	h.must(h.w.fail(h.ctx, []store.Delivery{create}, &psa.Error{Class: psa.Permanent, Message: "no such queue"}))
	own := h.deliveriesOf(seqs[2])[0]
	own.LastError = "psa permanent: note too long"
	h.must(h.st.UpdateDelivery(h.ctx, own))
	h.must(h.st.InTx(h.ctx, func(q store.Queries) error {
		return h.w.resumeWaitingNotes(h.ctx, q, create.TicketLinkID, h.clock())
	}))
	for i, want := range map[int]store.DeliveryState{1: store.DeliveryPending, 2: store.DeliveryFailed} {
		if d := h.deliveriesOf(seqs[i])[0]; d.State != want {
			t.Errorf("note of alert %d is %s, want %s", i, d.State, want)
		}
	}
}
