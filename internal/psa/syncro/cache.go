package syncro

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// maxSeen bounds the tickets the connector remembers.
const maxSeen = 20000

// ticketCache remembers the tickets the connector has seen and which
// stretch of Syncro's time its change-feed reads have covered without a
// gap: [from, horizon]. A ticket learned at or after from (its updated_at
// when read) is current up to horizon: had it changed since, a covering
// read would have returned it and it would have been learned again.
type ticketCache struct {
	mu      sync.Mutex
	known   map[string]psa.Ticket
	from    time.Time // start of the covered stretch; zero: nothing covered
	horizon time.Time // newest change a covering read returned
}

func (tc *ticketCache) learn(t psa.Ticket) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.known == nil {
		tc.known = map[string]psa.Ticket{}
	}
	if old, ok := tc.known[t.ID]; ok && old.LastModified.After(t.LastModified) {
		return // an older answer arriving late
	}
	tc.known[t.ID] = t
	if len(tc.known) > maxSeen {
		tc.evict()
	}
}

// evict drops the half of the tickets changed longest ago. Callers hold
// mu.
func (tc *ticketCache) evict() {
	times := make([]time.Time, 0, len(tc.known))
	for _, t := range tc.known {
		times = append(times, t.LastModified)
	}
	slices.SortFunc(times, time.Time.Compare)
	cut := times[len(times)/2]
	for id, t := range tc.known {
		if t.LastModified.Before(cut) {
			delete(tc.known, id)
		}
	}
}

// since returns where a covering read for ids must start, and the ids
// never seen. A ticket learned before the covered stretch needs the read
// to start at its own time; the read never starts after the horizon, so
// the covered stretch stays without a gap.
func (tc *ticketCache) since(ids []string) (from time.Time, known int, missing []string) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	from = tc.horizon
	for _, id := range ids {
		t, ok := tc.known[id]
		if !ok {
			missing = append(missing, id)
			continue
		}
		known++
		if at := t.LastModified; tc.from.IsZero() || at.Before(tc.from) {
			if from.IsZero() || at.Before(from) {
				from = at
			}
		}
	}
	return from, known, missing
}

// covered records a read of every change from `from` on, the newest of
// which was at newest (zero when there was none).
func (tc *ticketCache) covered(from, newest time.Time) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.from.IsZero() || from.Before(tc.from) {
		tc.from = from
	}
	if newest.After(tc.horizon) {
		tc.horizon = newest
	}
	if tc.horizon.Before(from) {
		tc.horizon = from
	}
}

func (tc *ticketCache) get(id string) (psa.Ticket, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	t, ok := tc.known[id]
	return t, ok
}

// TicketsByID implements psa.TicketLister. Syncro cannot list tickets by
// id, so the tickets the connector has seen are refreshed by one change
// feed read from the oldest time they are known to be current at (under
// a storm: the changes since the last round, a page or two), and only
// tickets never seen are read one by one.
func (c *Connector) TicketsByID(ctx context.Context, ids []string) ([]psa.Ticket, error) {
	from, known, missing := c.seen.since(ids)
	if known > 0 {
		changed, err := c.TicketsChangedSince(ctx, from)
		if err != nil {
			return nil, err
		}
		var newest time.Time
		if len(changed) > 0 {
			newest = changed[len(changed)-1].LastModified
		}
		c.seen.covered(from, newest)
	}
	for _, id := range missing {
		if _, err := c.Ticket(ctx, id); err != nil && !errors.Is(err, psa.ErrNotFound) {
			return nil, err
		}
	}
	out := make([]psa.Ticket, 0, len(ids))
	done := map[string]bool{}
	for _, id := range ids {
		if t, ok := c.seen.get(id); ok && !done[id] {
			done[id] = true
			out = append(out, t)
		}
	}
	return out, nil
}
