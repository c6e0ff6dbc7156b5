package autotask

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

var (
	_ psa.ChangeFeed     = (*Connector)(nil)
	_ psa.ActivityReader = (*Connector)(nil)
)

// feedTime is how a change-feed bound is sent: UTC without a zone, the way
// Autotask stores and returns datetimes, to the millisecond it keeps.
const feedTime = "2006-01-02T15:04:05.000"

// personContact is lastActivityPersonType for a customer contact.
const personContact = "2"

// TicketsChangedSince lists the tickets whose tracked fields changed at or
// after since (lastTrackedModificationDateTime gte), every page, ordered by
// LastModified then id. Notes and time entries do not move that field; the
// status poller only needs field changes.
func (c *Connector) TicketsChangedSince(ctx context.Context, since time.Time) ([]psa.Ticket, error) {
	rows, err := queryAll[ticketWire](ctx, c, "Tickets", "tickets.changed", []filter{
		{Op: "gte", Field: "lastTrackedModificationDateTime", Value: since.UTC().Format(feedTime)},
	})
	if err != nil {
		return nil, err
	}
	out := make([]psa.Ticket, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.ticket())
	}
	slices.SortStableFunc(out, func(a, b psa.Ticket) int {
		if c := a.LastModified.Compare(b.LastModified); c != 0 {
			return c
		}
		return cmp.Compare(numeric(a.ID), numeric(b.ID))
	})
	return out, nil
}

// selfResourceID returns the resource id of our API user, looked up once
// by userName: everything we write carries it, which is how our work is
// told from people's.
func (c *Connector) selfResourceID(ctx context.Context) (string, error) {
	c.selfMu.Lock()
	defer c.selfMu.Unlock()
	if c.self != "" {
		return c.self, nil
	}
	rows, err := queryAll[struct {
		ID       flexString `json:"id"`
		UserName string     `json:"userName"`
	}](ctx, c, "Resources", "resources.query", []filter{{Op: "eq", Field: "userName", Value: c.cfg.Username}})
	if err != nil {
		return "", err
	}
	for _, r := range rows {
		if strings.EqualFold(r.UserName, c.cfg.Username) && r.ID != "" {
			c.self = string(r.ID)
			return c.self, nil
		}
	}
	return "", &psa.Error{Class: psa.Permanent, Message: "the API user has no resource record (Resources userName " + c.cfg.Username + ")"}
}

// activity is one piece of human work found on a ticket.
type activity struct {
	at     time.Time
	detail string
}

// TicketActivity tells whether anyone but our API user worked on a ticket:
//   - a note whose creatorResourceID is not ours (or made by a contact);
//   - any time entry (ticketbridge never logs time);
//   - a status change by another resource in TicketHistory;
//   - the ticket's lastActivityResourceID naming another resource, or
//     lastActivityPersonType a contact. This catches any field edit by a
//     person, not only status, as long as it was the last activity.
//
// TicketHistory is the only source that remembers a person's status change
// after we touched the ticket again, but its wording is undocumented, so
// rows are matched loosely (action or detail mentions "status"). A tenant
// that refuses TicketHistory to the API user (a permanent error) falls back
// on the other three sources.
func (c *Connector) TicketActivity(ctx context.Context, ticketID string) (psa.TicketActivity, error) {
	tid, err := parseID("ticket", ticketID)
	if err != nil {
		return psa.TicketActivity{}, err
	}
	self, err := c.selfResourceID(ctx)
	if err != nil {
		return psa.TicketActivity{}, err
	}
	var found []activity
	for _, source := range []func(context.Context, int64, string) ([]activity, error){
		// Specific sources first: on a tie in time, MinFunc keeps the first.
		c.noteActivity, c.timeActivity, c.statusHistory, c.ticketLastActivity,
	} {
		acts, err := source(ctx, tid, self)
		if err != nil {
			return psa.TicketActivity{}, err
		}
		found = append(found, acts...)
	}
	if len(found) == 0 {
		return psa.TicketActivity{}, nil
	}
	first := slices.MinFunc(found, func(a, b activity) int { return a.at.Compare(b.at) })
	return psa.TicketActivity{TouchedByOthers: true, Detail: first.detail}, nil
}

func (c *Connector) ticketLastActivity(ctx context.Context, tid int64, self string) ([]activity, error) {
	var res struct {
		Item *struct {
			LastActivityDate   wireTime   `json:"lastActivityDate"`
			LastActivityBy     flexString `json:"lastActivityResourceID"`
			LastActivityPerson flexString `json:"lastActivityPersonType"`
		} `json:"item"`
	}
	err := c.call(ctx, http.MethodGet, fmt.Sprintf("V1.0/Tickets/%d", tid), "tickets.get", nil, &res)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("ticket %d", tid))
	}
	if res.Item == nil {
		return nil, fmt.Errorf("autotask ticket %d: %w", tid, psa.ErrNotFound)
	}
	it := res.Item
	at := time.Time(it.LastActivityDate)
	switch {
	case string(it.LastActivityPerson) == personContact:
		return []activity{{at, "last activity by a customer contact at " + stamp(at)}}, nil
	case it.LastActivityBy != "" && string(it.LastActivityBy) != self:
		return []activity{{at, fmt.Sprintf("last activity by resource %s at %s", it.LastActivityBy, stamp(at))}}, nil
	}
	return nil, nil
}

func (c *Connector) noteActivity(ctx context.Context, tid int64, self string) ([]activity, error) {
	rows, err := queryAll[struct {
		ID        flexString `json:"id"`
		Creator   flexString `json:"creatorResourceID"`
		Contact   flexString `json:"createdByContactID"`
		CreatedAt wireTime   `json:"createDateTime"`
	}](ctx, c, "TicketNotes", "notes.query", []filter{{Op: "eq", Field: "ticketID", Value: tid}})
	if err != nil {
		return nil, err
	}
	var out []activity
	for _, r := range rows {
		at := time.Time(r.CreatedAt)
		switch {
		case r.Contact != "":
			out = append(out, activity{at, fmt.Sprintf("note %s by contact %s at %s", r.ID, r.Contact, stamp(at))})
		case string(r.Creator) != self:
			out = append(out, activity{at, fmt.Sprintf("note %s by resource %s at %s", r.ID, orUnknown(r.Creator), stamp(at))})
		}
	}
	return out, nil
}

func (c *Connector) timeActivity(ctx context.Context, tid int64, _ string) ([]activity, error) {
	rows, err := queryAll[struct {
		ID        flexString `json:"id"`
		Resource  flexString `json:"resourceID"`
		CreatedAt wireTime   `json:"createDateTime"`
	}](ctx, c, "TimeEntries", "timeentries.query", []filter{{Op: "eq", Field: "ticketID", Value: tid}})
	if err != nil {
		return nil, err
	}
	out := make([]activity, 0, len(rows))
	for _, r := range rows {
		at := time.Time(r.CreatedAt)
		out = append(out, activity{at, fmt.Sprintf("time entry %s by resource %s at %s", r.ID, orUnknown(r.Resource), stamp(at))})
	}
	return out, nil
}

func (c *Connector) statusHistory(ctx context.Context, tid int64, self string) ([]activity, error) {
	rows, err := queryAll[struct {
		Action   string     `json:"action"`
		Detail   string     `json:"detail"`
		Resource flexString `json:"resourceID"`
		Date     wireTime   `json:"date"`
	}](ctx, c, "TicketHistory", "tickethistory.query", []filter{{Op: "eq", Field: "ticketID", Value: tid}})
	var pe *psa.Error
	if errors.As(err, &pe) && pe.Class == psa.Permanent {
		c.log.DebugContext(ctx, "autotask ticket history unavailable; relying on notes, time entries and last activity", "psa_ticket", tid)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []activity
	for _, r := range rows {
		text := strings.ToLower(r.Action + " " + r.Detail)
		if strings.Contains(text, "status") && r.Resource != "" && string(r.Resource) != self {
			at := time.Time(r.Date)
			out = append(out, activity{at, fmt.Sprintf("status changed by resource %s at %s (%s)", r.Resource, stamp(at), cut(r.Detail, 200))})
		}
	}
	return out, nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "an unknown time"
	}
	return t.UTC().Format(time.RFC3339)
}

func orUnknown(s flexString) string {
	if s == "" {
		return "(unknown)"
	}
	return string(s)
}
