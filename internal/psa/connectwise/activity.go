package connectwise

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

var (
	_ psa.ChangeFeed     = (*Connector)(nil)
	_ psa.ActivityReader = (*Connector)(nil)
)

// TicketsChangedSince lists the service tickets whose _info.lastUpdated is
// at or after since, every page, ordered by LastModified then id.
// ConnectWise keeps times to the second, so since is sent rounded down to
// its second: a bound can only widen the answer, never lose a change. Any
// change moves lastUpdated (a field, a note, time logged), not only the
// status; the poller drops what it has seen. Pages are read by number
// while tickets may change, so a ticket can appear twice: the later copy
// wins.
func (c *Connector) TicketsChangedSince(ctx context.Context, since time.Time) ([]psa.Ticket, error) {
	q := url.Values{
		"conditions": {"lastUpdated>=[" + formatTime(since) + "]"},
		"orderBy":    {"lastUpdated asc, id asc"},
	}
	rows, err := collect[ticketWire](ctx, c, "service/tickets", q, "tickets.changed")
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]ticketWire, len(rows))
	for _, r := range rows {
		byID[r.ID] = r
	}
	out := make([]psa.Ticket, 0, len(byID))
	for _, r := range byID {
		t, err := c.ticket(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b psa.Ticket) int {
		return cmp.Or(a.LastModified.Compare(b.LastModified), cmp.Compare(numeric(a.ID), numeric(b.ID)))
	})
	return out, nil
}

// memberRef is a member reference as notes and time entries carry it.
type memberRef struct {
	ID         int64  `json:"id"`
	Identifier string `json:"identifier"`
}

// activityNote is the part of a ServiceNote that says who wrote it.
type activityNote struct {
	ID          int64      `json:"id"`
	Member      *memberRef `json:"member"`
	Contact     *ref       `json:"contact"`
	CreatedBy   string     `json:"createdBy"`
	DateCreated string     `json:"dateCreated"`
	Info        info       `json:"_info"`
}

// timeEntry is the part of a time entry that says who logged it.
type timeEntry struct {
	ID     int64      `json:"id"`
	Member *memberRef `json:"member"`
	Info   info       `json:"_info"`
}

// activityTicket is the part of a ticket that says who worked on it last.
type activityTicket struct {
	ID           int64  `json:"id"`
	ExternalXRef string `json:"externalXRef"`
	ClosedBy     string `json:"closedBy"`
	ClosedDate   string `json:"closedDate"`
	Info         info   `json:"_info"`
}

// activity is one piece of work by someone else found on a ticket.
type activity struct {
	at     time.Time
	detail string
}

// TicketActivity tells whether anyone but our API member worked on a
// ticket. It relies on what the ticket and its children record, since
// the simulator has no audit trail and the real one's text is not
// documented:
//   - a note whose member (else createdBy, else _info.enteredBy) is not
//     ours, or that a contact wrote;
//   - a time entry on the ticket (time/entries, chargeToType ServiceTicket)
//     logged by another member;
//   - the ticket's closedBy naming another member (who closed it);
//   - the ticket's _info.updatedBy naming another member: the last change
//     of any kind, status included, was theirs. A status change by a person
//     that we later overwrite is not seen by this rule.
//
// Our member is Config.MemberIdentifier; when that is empty it is the
// member that entered the ticket, provided the ticket carries an
// externalXRef (ticketbridge sets one on every ticket it creates, and
// auto-resolve only asks about those). Nothing is cached in that case:
// the ticket is read anyway.
func (c *Connector) TicketActivity(ctx context.Context, ticketID string) (psa.TicketActivity, error) {
	tid, err := parseID("ticket", ticketID)
	if err != nil {
		return psa.TicketActivity{}, err
	}
	var t activityTicket
	path := fmt.Sprintf("service/tickets/%d", tid)
	if _, err := c.call(ctx, http.MethodGet, path, "tickets.get", nil, &t); err != nil {
		return psa.TicketActivity{}, notFound(err, "ticket "+ticketID)
	}
	self, err := c.selfMember(t)
	if err != nil {
		return psa.TicketActivity{}, err
	}
	found := ticketActivity(t, self)
	notes, err := c.noteActivity(ctx, tid, self)
	if err != nil {
		return psa.TicketActivity{}, err
	}
	entries, err := c.timeActivity(ctx, tid, self)
	if err != nil {
		return psa.TicketActivity{}, err
	}
	// Specific sources first: on a tie in time, MinFunc keeps the first.
	found = append(append(notes, entries...), found...)
	if len(found) == 0 {
		return psa.TicketActivity{}, nil
	}
	first := slices.MinFunc(found, func(a, b activity) int { return a.at.Compare(b.at) })
	return psa.TicketActivity{TouchedByOthers: true, Detail: first.detail}, nil
}

// selfMember returns our member identifier: configured, or derived from a
// ticket ticketbridge created.
func (c *Connector) selfMember(t activityTicket) (string, error) {
	if c.cfg.MemberIdentifier != "" {
		return c.cfg.MemberIdentifier, nil
	}
	if by := t.Info["enteredBy"]; t.ExternalXRef != "" && by != "" {
		return by, nil
	}
	return "", &psa.Error{Class: psa.Permanent, Message: fmt.Sprintf(
		"cannot tell our API member from people on ticket %d (not created by ticketbridge): set the API member's Member ID in the connection", t.ID)}
}

// ticketActivity reads who closed the ticket and who changed it last.
func ticketActivity(t activityTicket, self string) []activity {
	var out []activity
	if t.ClosedBy != "" && !sameMember(t.ClosedBy, self) {
		at := parseTime(t.ClosedDate)
		out = append(out, activity{at, fmt.Sprintf("closed by member %s at %s", t.ClosedBy, stamp(at))})
	}
	if by := t.Info["updatedBy"]; by != "" && !sameMember(by, self) {
		at := t.Info.time("lastUpdated")
		out = append(out, activity{at, fmt.Sprintf("last changed by member %s at %s", by, stamp(at))})
	}
	return out
}

func (c *Connector) noteActivity(ctx context.Context, tid int64, self string) ([]activity, error) {
	rows, err := collect[activityNote](ctx, c, fmt.Sprintf("service/tickets/%d/notes", tid), nil, "notes.list")
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("ticket %d", tid))
	}
	var out []activity
	for _, n := range rows {
		at := parseTime(n.DateCreated)
		if at.IsZero() {
			at = n.Info.time("dateEntered")
		}
		switch by := n.author(); {
		case n.Contact != nil && n.Member == nil:
			out = append(out, activity{at, fmt.Sprintf("note %d by contact %s at %s", n.ID, cmp.Or(n.Contact.Name, idOf(n.Contact)), stamp(at))})
		case !sameMember(by, self):
			out = append(out, activity{at, fmt.Sprintf("note %d by member %s at %s", n.ID, cmp.Or(by, "(unknown)"), stamp(at))})
		}
	}
	return out, nil
}

// author is the member who wrote a note, by the most specific field set.
func (n activityNote) author() string {
	if n.Member != nil && n.Member.Identifier != "" {
		return n.Member.Identifier
	}
	return cmp.Or(n.CreatedBy, n.Info["enteredBy"])
}

func (c *Connector) timeActivity(ctx context.Context, tid int64, self string) ([]activity, error) {
	q := url.Values{"conditions": {and(eqInt("chargeToId", tid), eqString("chargeToType", "ServiceTicket"))}}
	rows, err := collect[timeEntry](ctx, c, "time/entries", q, "timeentries.list")
	if err != nil {
		return nil, err
	}
	var out []activity
	for _, e := range rows {
		by := e.Info["enteredBy"]
		if e.Member != nil && e.Member.Identifier != "" {
			by = e.Member.Identifier
		}
		if !sameMember(by, self) {
			at := e.Info.time("dateEntered")
			out = append(out, activity{at, fmt.Sprintf("time entry %d by member %s at %s", e.ID, cmp.Or(by, "(unknown)"), stamp(at))})
		}
	}
	return out, nil
}

// sameMember compares member identifiers, which ConnectWise treats
// case-insensitively.
func sameMember(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "an unknown time"
	}
	return t.UTC().Format(time.RFC3339)
}
