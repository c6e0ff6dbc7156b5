package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// testTicketLinksOneLivePerGroup walks one group through its life: a second
// live link is refused while one is creating or open, and allowed once it
// is closed.
func testTicketLinksOneLivePerGroup(t *testing.T, s store.Store) {
	ctx := t.Context()
	it, other := mustIntegration(t, s, "t1", "psa"), mustIntegration(t, s, "t1", "other")
	first := mustLink(t, s, it, "c1", "g1")
	if first.ID == 0 || first.State != store.LinkCreating {
		t.Fatalf("created link = %+v, want an id and state creating", first)
	}
	got, err := s.TicketLink(ctx, first.ID)
	must(t, err)
	diff(t, "link by id", first, got)

	second := first
	second.ID, second.ExternalRef = 0, "tb-second"
	_, err = s.CreateTicketLink(ctx, second)
	wantErr(t, err, store.ErrConflict)

	// Other company, other integration: other groups.
	mustLink(t, s, it, "c2", "g1")
	mustLink(t, s, other, "c1", "g1")

	live, err := s.OpenTicketLink(ctx, it.ID, "c1", "g1")
	must(t, err)
	diff(t, "creating link is live", first, live)

	open := setLinkState(t, s, first, store.LinkOpen)
	live, err = s.OpenTicketLink(ctx, it.ID, "c1", "g1")
	must(t, err)
	diff(t, "open link is live", open, live)
	_, err = s.CreateTicketLink(ctx, second)
	wantErr(t, err, store.ErrConflict)

	closed := setLinkState(t, s, open, store.LinkClosed)
	_, err = s.OpenTicketLink(ctx, it.ID, "c1", "g1")
	wantErr(t, err, store.ErrNotFound)
	next, err := s.CreateTicketLink(ctx, second)
	must(t, err)

	reopen := closed
	reopen.State = store.LinkOpen
	wantErr(t, s.UpdateTicketLink(ctx, reopen), store.ErrConflict)

	dupRef := second
	dupRef.GroupKey = "g2"
	_, err = s.CreateTicketLink(ctx, dupRef)
	wantErr(t, err, store.ErrConflict)

	links, err := s.TicketLinks(ctx, it.ID)
	must(t, err)
	if len(links) != 3 || links[0].ID != first.ID || links[2].ID != next.ID {
		t.Errorf("TicketLinks = %+v, want 3 links from %d to %d", links, first.ID, next.ID)
	}
	diff(t, "closed link", closed, links[0])

	ghost := next
	ghost.ID = next.ID + 1000
	wantErr(t, s.UpdateTicketLink(ctx, ghost), store.ErrNotFound)
	_, err = s.TicketLink(ctx, ghost.ID)
	wantErr(t, err, store.ErrNotFound)
}

// testTicketLinksConcurrentCreate races writers for one group: the schema,
// not the caller, decides that exactly one wins.
func testTicketLinksConcurrentCreate(t *testing.T, s store.Store) {
	it := mustIntegration(t, s, "t1", "psa")
	const racers = 20
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			_, errs[i] = s.CreateTicketLink(t.Context(), store.TicketLink{
				TenantID: "t1", IntegrationID: it.ID, CompanyID: "c1", GroupKey: "storm",
				State: store.LinkCreating, ExternalRef: fmt.Sprintf("tb-race-%d", i), CreatedAt: t0, UpdatedAt: t0,
			})
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("racer %d: %v, want nil or ErrConflict", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d racers created a link, want exactly 1", won)
	}
	links, err := s.TicketLinks(t.Context(), it.ID)
	must(t, err)
	if len(links) != 1 {
		t.Errorf("%d links stored, want 1", len(links))
	}
}

// testLastClosedTicketLink finds the group's link closed last, only when
// it closed within the window, and never a live or another group's link.
func testLastClosedTicketLink(t *testing.T, s store.Store) {
	ctx := t.Context()
	it := mustIntegration(t, s, "t1", "psa")
	_, err := s.LastClosedTicketLink(ctx, it.ID, "c1", "g1", t0)
	wantErr(t, err, store.ErrNotFound)

	older := setLinkState(t, s, setLinkState(t, s, mustLink(t, s, it, "c1", "g1"), store.LinkOpen), store.LinkClosed)
	newer := setLinkState(t, s, mustLink(t, s, it, "c1", "g1"), store.LinkOpen)
	closedLater := t0.Add(2 * time.Hour)
	newer.State, newer.ClosedAt = store.LinkClosed, &closedLater
	must(t, s.UpdateTicketLink(ctx, newer))
	mustLink(t, s, it, "c1", "g1") // live: never the answer
	other := setLinkState(t, s, setLinkState(t, s, mustLink(t, s, it, "c2", "g1"), store.LinkOpen), store.LinkClosed)

	got, err := s.LastClosedTicketLink(ctx, it.ID, "c1", "g1", t0)
	must(t, err)
	if got.ID != newer.ID {
		t.Errorf("LastClosedTicketLink = link %d, want %d (closed last; %d closed earlier)", got.ID, newer.ID, older.ID)
	}
	got, err = s.LastClosedTicketLink(ctx, it.ID, "c1", "g1", closedLater)
	must(t, err)
	diff(t, "closed exactly at since", newer, got)
	_, err = s.LastClosedTicketLink(ctx, it.ID, "c1", "g1", closedLater.Add(time.Second))
	wantErr(t, err, store.ErrNotFound)
	got, err = s.LastClosedTicketLink(ctx, it.ID, "c2", "g1", t0)
	must(t, err)
	if got.ID != other.ID {
		t.Errorf("LastClosedTicketLink of c2 = link %d, want %d", got.ID, other.ID)
	}
}
