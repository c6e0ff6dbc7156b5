package syncro

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// maxSeen bounds the tickets the connector remembers.
const maxSeen = 20000

// ticketCache remembers the tickets the connector has seen, each with the
// time (Syncro's clock) up to which it is known to be current: its own
// updated_at when read, later the newest change a change-feed read that
// covered it returned. A ticket that changed after that time shows up in
// the next change-feed read from it.
type ticketCache struct {
	mu    sync.Mutex
	known map[string]seenTicket
}

type seenTicket struct {
	t     psa.Ticket
	valid time.Time
}

func (tc *ticketCache) learn(t psa.Ticket) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.known == nil {
		tc.known = map[string]seenTicket{}
	}
	if old, ok := tc.known[t.ID]; ok && old.t.LastModified.After(t.LastModified) {
		return // an older answer arriving late
	}
	tc.known[t.ID] = seenTicket{t: t, valid: t.LastModified}
	if len(tc.known) > maxSeen {
		tc.evict()
	}
}

// evict drops the tickets known for the longest. Callers hold mu.
func (tc *ticketCache) evict() {
	var cut time.Time
	n := 0
	for _, s := range tc.known {
		if n == 0 || s.valid.Before(cut) {
			cut = s.valid
		}
		n++
	}
	for id, s := range tc.known {
		if !s.valid.After(cut) {
			delete(tc.known, id)
		}
	}
}

// split returns the known ids' oldest validity and the ids not known.
func (tc *ticketCache) split(ids []string) (from time.Time, known int, missing []string) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	for _, id := range ids {
		s, ok := tc.known[id]
		if !ok {
			missing = append(missing, id)
			continue
		}
		if known == 0 || s.valid.Before(from) {
			from = s.valid
		}
		known++
	}
	return from, known, missing
}

// covered records that a change-feed read from `from` returned nothing
// newer than horizon for every ticket it does not name: those known from
// `from` on are current up to horizon.
func (tc *ticketCache) covered(from, horizon time.Time) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	for id, s := range tc.known {
		if !s.valid.Before(from) && s.valid.Before(horizon) {
			s.valid = horizon
			tc.known[id] = s
		}
	}
}

func (tc *ticketCache) get(id string) (psa.Ticket, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	s, ok := tc.known[id]
	return s.t, ok
}

// TicketsByID implements psa.TicketLister. Syncro cannot list tickets by
// id, so the tickets the connector has seen are refreshed by one change
// feed read from the oldest time they are known to be current at (under
// a storm: the changes since the last round, a page or two), and only
// tickets never seen are read one by one.
func (c *Connector) TicketsByID(ctx context.Context, ids []string) ([]psa.Ticket, error) {
	from, known, missing := c.seen.split(ids)
	if known > 0 {
		changed, err := c.TicketsChangedSince(ctx, from)
		if err != nil {
			return nil, err
		}
		horizon := from
		for _, t := range changed {
			if t.LastModified.After(horizon) {
				horizon = t.LastModified
			}
		}
		c.seen.covered(from, horizon)
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
