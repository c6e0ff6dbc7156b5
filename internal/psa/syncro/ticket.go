package syncro

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// timeFormat is how Syncro writes times, and how we send them.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// wireTicket is a ticket as the API returns it (list item or detail).
type wireTicket struct {
	ID           int64          `json:"id"`
	Number       json.Number    `json:"number"`
	Subject      string         `json:"subject"`
	CustomerID   int64          `json:"customer_id"`
	ContactID    *int64         `json:"contact_id"`
	TicketTypeID *int64         `json:"ticket_type_id"`
	ProblemType  string         `json:"problem_type"`
	Status       string         `json:"status"`
	Priority     string         `json:"priority"`
	Properties   map[string]any `json:"properties"`
	UpdatedAt    string         `json:"updated_at"`
}

func idText(p *int64) string {
	if p == nil || *p == 0 {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

// Closed reports whether Syncro considers a status finished: the
// Resolved statuses are terminal, and Invoiced comes after resolution.
func Closed(status string) bool {
	return strings.HasPrefix(status, "Resolved") || strings.EqualFold(status, "Invoiced")
}

func (w wireTicket) ticket() psa.Ticket {
	ref, _ := w.Properties[RefField].(string)
	t := psa.Ticket{
		ID: strconv.FormatInt(w.ID, 10), Number: w.Number.String(), CompanyID: strconv.FormatInt(w.CustomerID, 10),
		ContactID: idText(w.ContactID), Title: w.Subject, Status: w.Status, Priority: w.Priority,
		Queue: idText(w.TicketTypeID), IssueType: w.ProblemType, ExternalRef: ref, Closed: Closed(w.Status),
	}
	if at, err := time.Parse(time.RFC3339Nano, w.UpdatedAt); err == nil {
		t.LastModified = at.UTC()
	}
	return t
}

// commentIn is a comment as Syncro takes it.
type commentIn struct {
	Subject    string `json:"subject"`
	Body       string `json:"body"`
	Hidden     bool   `json:"hidden"`
	DoNotEmail bool   `json:"do_not_email"`
}

// ticketIn is the create body. Fields the port leaves empty are left out
// so Syncro applies its defaults.
type ticketIn struct {
	CustomerID   int64          `json:"customer_id"`
	Subject      string         `json:"subject"`
	Status       string         `json:"status,omitempty"`
	Priority     string         `json:"priority,omitempty"`
	ProblemType  string         `json:"problem_type,omitempty"`
	TicketTypeID int64          `json:"ticket_type_id,omitempty"`
	ContactID    int64          `json:"contact_id,omitempty"`
	DueDate      string         `json:"due_date,omitempty"`
	Properties   map[string]any `json:"properties,omitempty"`
	Comments     []commentIn    `json:"comments_attributes,omitempty"`
}

// optionalID parses an id the port may leave empty.
func optionalID(field, v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, &psa.Error{Class: psa.Permanent, Message: "syncro: " + field + " " + strconv.Quote(v) + " is not a Syncro id"}
	}
	return n, nil
}

func newTicketBody(t psa.NewTicket) (ticketIn, error) {
	in := ticketIn{Subject: t.Title, Status: t.Status, Priority: t.Priority, ProblemType: t.IssueType}
	var err error
	for _, f := range []struct {
		name, v string
		dst     *int64
	}{{"customer", t.CompanyID, &in.CustomerID}, {"contact", t.ContactID, &in.ContactID}, {"ticket type", t.Queue, &in.TicketTypeID}} {
		if *f.dst, err = optionalID(f.name, f.v); err != nil {
			return in, err
		}
	}
	if !t.DueAt.IsZero() {
		in.DueDate = t.DueAt.UTC().Format(time.DateOnly)
	}
	if t.ExternalRef != "" {
		in.Properties = map[string]any{RefField: t.ExternalRef}
	}
	if strings.TrimSpace(t.Description) != "" {
		in.Comments = []commentIn{{Subject: initialSubject, Body: t.Description, Hidden: true, DoNotEmail: true}}
	}
	return in, nil
}

// CreateTicket creates the ticket; Syncro answers with the whole ticket.
func (c *Connector) CreateTicket(ctx context.Context, t psa.NewTicket) (psa.Ticket, error) {
	in, err := newTicketBody(t)
	if err != nil {
		return psa.Ticket{}, err
	}
	var out struct {
		Ticket wireTicket `json:"ticket"`
	}
	if err := c.call(ctx, http.MethodPost, "/tickets", nil, "tickets.create", in, &out); err != nil {
		return psa.Ticket{}, notFoundIsPermanent(err)
	}
	tk := out.Ticket.ticket()
	c.seen.learn(tk)
	return tk, nil
}

// notFoundIsPermanent keeps a 404 from a create or a list from reading as
// "no such ticket".
func notFoundIsPermanent(err error) error {
	var pe *psa.Error
	if errors.Is(err, psa.ErrNotFound) && errors.As(err, &pe) {
		return pe
	}
	return err
}

// Ticket reads one ticket; ErrNotFound when Syncro has none.
func (c *Connector) Ticket(ctx context.Context, id string) (psa.Ticket, error) {
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return psa.Ticket{}, psa.ErrNotFound
	}
	var out struct {
		Ticket wireTicket `json:"ticket"`
	}
	if err := c.call(ctx, http.MethodGet, "/tickets/"+id, nil, "tickets.get", nil, &out); err != nil {
		return psa.Ticket{}, err
	}
	tk := out.Ticket.ticket()
	c.seen.learn(tk)
	return tk, nil
}

// UpdateTicket sends a partial PUT of the status. Syncro cannot set a
// ticket's contract through the API, so a ContractID patch is refused.
func (c *Connector) UpdateTicket(ctx context.Context, id string, p psa.TicketPatch) error {
	if p.ContractID != nil {
		return &psa.Error{Class: psa.Permanent, Message: "syncro: a ticket's contract cannot be set through the API"}
	}
	if p.Status == nil {
		return nil
	}
	var out struct {
		Ticket wireTicket `json:"ticket"`
	}
	if err := c.call(ctx, http.MethodPut, "/tickets/"+url.PathEscape(id), nil, "tickets.update", map[string]string{"status": *p.Status}, &out); err != nil {
		return err
	}
	if out.Ticket.ID != 0 {
		c.seen.learn(out.Ticket.ticket())
	}
	return nil
}

// listTickets reads every page of GET /tickets with q.
func (c *Connector) listTickets(ctx context.Context, q url.Values, op string) ([]psa.Ticket, error) {
	var out []psa.Ticket
	seen := map[string]bool{}
	err := pages(ctx, func(ctx context.Context, n int) (int, meta, error) {
		var page struct {
			Tickets []wireTicket `json:"tickets"`
			Meta    meta         `json:"meta"`
		}
		q.Set("page", strconv.Itoa(n))
		if err := c.call(ctx, http.MethodGet, "/tickets", q, op, nil, &page); err != nil {
			return 0, meta{}, notFoundIsPermanent(err)
		}
		for _, w := range page.Tickets {
			// A ticket created while paging shifts the newest-first list:
			// what reappears on the next page is read once.
			if tk := w.ticket(); !seen[tk.ID] {
				seen[tk.ID] = true
				out = append(out, tk)
			}
		}
		return len(page.Tickets), page.Meta, nil
	})
	return out, err
}

// TicketByExternalRef searches the tickets list for the reference and
// keeps the ticket whose custom field holds exactly it (the oldest when
// several do).
func (c *Connector) TicketByExternalRef(ctx context.Context, ref string) (psa.Ticket, error) {
	if strings.TrimSpace(ref) == "" {
		return psa.Ticket{}, psa.ErrNotFound
	}
	found, err := c.listTickets(ctx, url.Values{"query": {ref}}, "tickets.search")
	if err != nil {
		return psa.Ticket{}, err
	}
	found = slices.DeleteFunc(found, func(t psa.Ticket) bool { return t.ExternalRef != ref })
	if len(found) == 0 {
		return psa.Ticket{}, psa.ErrNotFound
	}
	tk := slices.MinFunc(found, func(a, b psa.Ticket) int { return compareIDs(a.ID, b.ID) })
	c.seen.learn(tk)
	return tk, nil
}

// TicketsChangedSince implements psa.ChangeFeed with since_updated_at. It
// asks from a millisecond earlier and drops what is older than since, so
// the answer is inclusive whether Syncro compares with >= or >.
func (c *Connector) TicketsChangedSince(ctx context.Context, since time.Time) ([]psa.Ticket, error) {
	since = since.UTC().Truncate(time.Millisecond)
	q := url.Values{}
	if !since.IsZero() {
		q.Set("since_updated_at", since.Add(-time.Millisecond).Format(timeFormat))
	}
	all, err := c.listTickets(ctx, q, "tickets.changed")
	if err != nil {
		return nil, err
	}
	all = slices.DeleteFunc(all, func(t psa.Ticket) bool { return t.LastModified.Before(since) })
	slices.SortFunc(all, func(a, b psa.Ticket) int {
		if c := a.LastModified.Compare(b.LastModified); c != 0 {
			return c
		}
		return compareIDs(a.ID, b.ID)
	})
	for _, t := range all {
		c.seen.learn(t)
	}
	return all, nil
}
