package halopsa

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// CreateTicket creates a ticket (an array-body POST) and returns it as
// Halo saved it.
func (c *Connector) CreateTicket(ctx context.Context, t psa.NewTicket) (psa.Ticket, error) {
	w, err := newTicket(t)
	if err != nil {
		return psa.Ticket{}, err
	}
	var got ticketWire
	if err := c.call(ctx, http.MethodPost, "Tickets", nil, "tickets.create", []newTicketWire{w}, &got); err != nil {
		return psa.Ticket{}, err
	}
	return got.ticket(), nil
}

// newTicket builds the create element; ids must be Halo's integers, the
// team and category are names.
func newTicket(t psa.NewTicket) (newTicketWire, error) {
	w := newTicketWire{Summary: t.Title, Details: t.Description, Team: t.Queue, Category1: t.Category, SupplierReference: t.ExternalRef}
	// The sub-issue's value names its issue too.
	w.Category2 = cmp.Or(t.SubIssueType, t.IssueType)
	ids := []struct {
		what, v string
		dst     *int64
	}{
		{"company", t.CompanyID, &w.ClientID}, {"contact", t.ContactID, &w.UserID}, {"ticket type", t.Type, &w.TicketTypeID},
		{"status", t.Status, &w.StatusID}, {"priority", t.Priority, &w.PriorityID}, {"contract", t.ContractID, &w.ContractID},
	}
	for _, f := range ids {
		if f.v == "" {
			continue
		}
		n, err := atoi(f.what, f.v)
		if err != nil {
			return w, err
		}
		*f.dst = n
	}
	if !t.DueAt.IsZero() {
		w.DeadlineDate = haloTime(t.DueAt)
	}
	return w, nil
}

// Ticket reads one ticket; psa.ErrNotFound when Halo has none.
func (c *Connector) Ticket(ctx context.Context, id string) (psa.Ticket, error) {
	n, err := atoi("ticket", id)
	if err != nil {
		return psa.Ticket{}, err
	}
	var w ticketWire
	if err := c.call(ctx, http.MethodGet, "Tickets/"+strconv.FormatInt(n, 10), nil, "tickets.get", nil, &w); err != nil {
		return psa.Ticket{}, notFound(err, "ticket "+id)
	}
	return w.ticket(), nil
}

// ticketQuery lists tickets of every status: which ones Halo lists
// without includeclosed is not settled, so it is always said.
func (c *Connector) ticketQuery(ctx context.Context, q url.Values, op string) ([]psa.Ticket, error) {
	q.Set("includeclosed", "true")
	rows, err := list[ticketWire](ctx, c, "Tickets", "tickets", q, op)
	if err != nil {
		return nil, err
	}
	out := make([]psa.Ticket, len(rows))
	for i, r := range rows {
		out[i] = r.ticket()
	}
	return out, nil
}

// TicketByExternalRef finds the ticket whose supplier_reference is ref.
// Halo's filter is a search, so the answer is matched exactly here.
func (c *Connector) TicketByExternalRef(ctx context.Context, ref string) (psa.Ticket, error) {
	got, err := c.ticketQuery(ctx, url.Values{"search_supplier_reference": {ref}}, "tickets.by_ref")
	if err != nil {
		return psa.Ticket{}, err
	}
	for _, t := range got {
		if t.ExternalRef == ref {
			return t, nil
		}
	}
	return psa.Ticket{}, psa.ErrNotFound
}

// UpdateTicket sends a partial update: only the patch's fields.
func (c *Connector) UpdateTicket(ctx context.Context, id string, p psa.TicketPatch) error {
	n, err := atoi("ticket", id)
	if err != nil {
		return err
	}
	w := ticketUpdateWire{ID: n}
	if p.Status != nil {
		s, err := atoi("status", *p.Status)
		if err != nil {
			return err
		}
		w.StatusID = &s
	}
	if p.ContractID != nil {
		var k int64
		if *p.ContractID != "" {
			if k, err = atoi("contract", *p.ContractID); err != nil {
				return err
			}
		}
		w.ContractID = &k
	}
	err = c.call(ctx, http.MethodPost, "Tickets", nil, "tickets.update", []ticketUpdateWire{w}, nil)
	return notFound(err, "ticket "+id)
}

// batchIDs is how many ids one TicketsByID call asks for: a URL of 200
// ids stays far below any server's limit.
const batchIDs = 200

// TicketsByID implements psa.TicketLister with ticketids, 200 ids a call.
// The call is not paged: count bounds it to the ids asked for. Should an
// instance answer fewer rows than record_count says match (a cap on
// unpaged lists), the ids are read again page by page, since a ticket
// left out would read as deleted.
func (c *Connector) TicketsByID(ctx context.Context, ids []string) ([]psa.Ticket, error) {
	var out []psa.Ticket
	for start := 0; start < len(ids); start += batchIDs {
		chunk := ids[start:min(start+batchIDs, len(ids))]
		for _, id := range chunk {
			if _, err := atoi("ticket", id); err != nil {
				return nil, err
			}
		}
		q := url.Values{"ticketids": {strings.Join(chunk, ",")}, "includeclosed": {"true"}, "count": {strconv.Itoa(len(chunk))}}
		var raw json.RawMessage
		if err := c.call(ctx, http.MethodGet, "Tickets", q, "tickets.batch", nil, &raw); err != nil {
			return nil, err
		}
		rows, total, err := decodeList[ticketWire](raw, "tickets")
		if err != nil {
			return nil, &psa.Error{Class: psa.Retryable, Message: "tickets.batch: unreadable list", Err: err}
		}
		if total > len(rows) {
			got, err := c.ticketQuery(ctx, url.Values{"ticketids": {strings.Join(chunk, ",")}}, "tickets.batch")
			if err != nil {
				return nil, err
			}
			out = append(out, got...)
			continue
		}
		for _, r := range rows {
			out = append(out, r.ticket())
		}
	}
	return out, nil
}

// TicketsChangedSince implements psa.ChangeFeed: the ticket list by
// lastactiondate from since, compared on last_update here, ordered by
// last change then id.
func (c *Connector) TicketsChangedSince(ctx context.Context, since time.Time) ([]psa.Ticket, error) {
	since = since.UTC()
	q := url.Values{"datesearch": {"lastactiondate"}, "startdate": {haloTime(since.Truncate(time.Millisecond))}, "order": {"id"}}
	got, err := c.ticketQuery(ctx, q, "tickets.changed")
	if err != nil {
		return nil, err
	}
	out := got[:0]
	seen := map[string]bool{}
	for _, t := range got {
		if !t.LastModified.Before(since.Truncate(time.Millisecond)) && !seen[t.ID] {
			seen[t.ID] = true
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b psa.Ticket) int {
		x, _ := strconv.ParseInt(a.ID, 10, 64)
		y, _ := strconv.ParseInt(b.ID, 10, 64)
		return cmp.Or(a.LastModified.Compare(b.LastModified), cmp.Compare(x, y))
	})
	return out, nil
}
