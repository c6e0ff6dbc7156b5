package engine

import (
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// TestWorkerStopsWhenItsIntegrationIsDeleted: once DELETE removed the
// integration, its worker's next round ends the worker (as a lost lease
// does) instead of logging a failed reload for ever.
func TestWorkerStopsWhenItsIntegrationIsDeleted(t *testing.T) {
	t.Parallel()
	var f *fakePSA
	h := newHarness(t, testSettings(), fake(&f))
	if wait := h.w.cycle(h.ctx); h.w.lease.lost.Load() {
		t.Fatalf("a live integration's round lost the lease (wait %v)", wait)
	}
	if _, err := h.st.DeleteIntegration(h.ctx, store.DefaultTenant, h.it.ID); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		h.w.run(h.ctx)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the worker of a deleted integration is still running")
	}
	if !h.w.lease.lost.Load() {
		t.Error("the worker stopped without giving its integration up")
	}
}
