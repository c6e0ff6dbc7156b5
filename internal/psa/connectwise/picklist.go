package connectwise

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

type boardWire struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	InactiveFlag bool   `json:"inactiveFlag"`
}

type statusWire struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Inactive     bool   `json:"inactive"`
	ClosedStatus bool   `json:"closedStatus"`
}

type typeWire struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	InactiveFlag bool   `json:"inactiveFlag"`
}

type subtypeWire struct {
	ID                 int64   `json:"id"`
	Name               string  `json:"name"`
	InactiveFlag       bool    `json:"inactiveFlag"`
	TypeAssociationIDs []int64 `json:"typeAssociationIds"`
}

// namedWire is any list entry with an id and a name (priorities, sources,
// company types).
type namedWire struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Test checks the credentials with the cheapest authenticated call.
func (c *Connector) Test(ctx context.Context) error {
	_, err := c.call(ctx, http.MethodGet, "system/info", "system.info", nil, nil)
	return err
}

// Picklists reads boards with their statuses, types and subtypes, and the
// priorities, sources and company types, reusing them for a few minutes.
// The returned map is a copy; its slices are shared and must not be
// modified.
func (c *Connector) Picklists(ctx context.Context) (psa.Picklists, error) {
	c.pickMu.Lock()
	defer c.pickMu.Unlock()
	if c.picks != nil && c.now().Before(c.pickExp) {
		return maps.Clone(c.picks), nil
	}
	out := psa.Picklists{
		psa.FieldNoteType: {{ID: NoteTypeID, Label: NoteTypeLabel, Active: true}},
	}
	if err := c.boardPicklists(ctx, out); err != nil {
		return nil, err
	}
	for _, l := range []struct{ field, path, op string }{
		{psa.FieldPriority, "service/priorities", "priorities.list"},
		{psa.FieldSource, "service/sources", "sources.list"},
		{psa.FieldCompanyType, "company/companies/types", "companytypes.list"},
	} {
		rows, err := collect[namedWire](ctx, c, l.path, nil, l.op)
		if err != nil {
			return nil, err
		}
		vals := make([]psa.Value, 0, len(rows))
		for _, r := range rows {
			vals = append(vals, psa.Value{ID: itoa(r.ID), Label: r.Name, Active: true})
		}
		out[l.field] = vals
	}
	c.picks, c.pickExp = out, c.now().Add(picklistTTL)
	return maps.Clone(out), nil
}

// boardPicklists fills queues, statuses, issue types and sub-issue types,
// three calls per board.
func (c *Connector) boardPicklists(ctx context.Context, out psa.Picklists) error {
	boards, err := collect[boardWire](ctx, c, "service/boards", nil, "boards.list")
	if err != nil {
		return err
	}
	for _, b := range boards {
		bid := itoa(b.ID)
		out[psa.FieldQueue] = append(out[psa.FieldQueue], psa.Value{ID: bid, Label: b.Name, Active: !b.InactiveFlag})
		statuses, err := c.fetchStatuses(ctx, b.ID)
		if err != nil {
			return err
		}
		for _, s := range statuses {
			out[psa.FieldStatus] = append(out[psa.FieldStatus], psa.Value{ID: itoa(s.ID), Label: s.Name, Active: !s.Inactive, Parent: bid})
		}
		types, err := collect[typeWire](ctx, c, fmt.Sprintf("service/boards/%d/types", b.ID), nil, "boardtypes.list")
		if err != nil {
			return err
		}
		for _, t := range types {
			out[psa.FieldIssueType] = append(out[psa.FieldIssueType], psa.Value{ID: itoa(t.ID), Label: t.Name, Active: !t.InactiveFlag, Parent: bid})
		}
		subs, err := collect[subtypeWire](ctx, c, fmt.Sprintf("service/boards/%d/subtypes", b.ID), nil, "boardsubtypes.list")
		if err != nil {
			return err
		}
		out[psa.FieldSubIssueType] = append(out[psa.FieldSubIssueType], subtypeValues(subs)...)
	}
	return nil
}

// subtypeValues lists a subtype once per type it is associated with, so a
// sub-issue type resolves under its issue type; one without associations
// has no parent.
func subtypeValues(subs []subtypeWire) []psa.Value {
	var vals []psa.Value
	for _, s := range subs {
		v := psa.Value{ID: itoa(s.ID), Label: s.Name, Active: !s.InactiveFlag}
		if len(s.TypeAssociationIDs) == 0 {
			vals = append(vals, v)
			continue
		}
		for _, tid := range s.TypeAssociationIDs {
			v.Parent = itoa(tid)
			vals = append(vals, v)
		}
	}
	return vals
}

// statusesOf returns a board's statuses, cached for a few minutes: every
// ticket read needs them to tell whether the ticket is closed. fresh says
// they were read just now.
func (c *Connector) statusesOf(ctx context.Context, boardID int64) (statuses []statusWire, fresh bool, err error) {
	if s, ok := c.boards.get(boardID, c.now()); ok {
		return s, false, nil
	}
	statuses, err = c.fetchStatuses(ctx, boardID)
	return statuses, true, err
}

// fetchStatuses reads a board's statuses and caches them.
func (c *Connector) fetchStatuses(ctx context.Context, boardID int64) ([]statusWire, error) {
	rows, err := collect[statusWire](ctx, c, fmt.Sprintf("service/boards/%d/statuses", boardID), nil, "boardstatuses.list")
	if err != nil {
		return nil, err
	}
	c.boards.put(boardID, rows, c.now())
	return rows, nil
}

// boardCache keeps each board's statuses for ttl.
type boardCache struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[int64]boardEntry
}

type boardEntry struct {
	statuses []statusWire
	exp      time.Time
}

func (b *boardCache) get(board int64, now time.Time) ([]statusWire, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.m[board]
	if !ok || !now.Before(e.exp) {
		return nil, false
	}
	return e.statuses, true
}

func (b *boardCache) put(board int64, statuses []statusWire, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[int64]boardEntry{}
	}
	b.m[board] = boardEntry{statuses: statuses, exp: now.Add(b.ttl)}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
