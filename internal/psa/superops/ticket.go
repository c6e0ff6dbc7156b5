package superops

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// closedStatuses are the statuses SuperOps tickets end in.
var closedStatuses = []string{"Resolved", "Closed"}

// subSource names ticketbridge as the creating integration.
const subSource = "ticketbridge"

// wireTicket is TicketFields as SuperOps answers it.
type wireTicket struct {
	TicketID    string  `json:"ticketId"`
	DisplayID   string  `json:"displayId"`
	Subject     string  `json:"subject"`
	Status      *string `json:"status"`
	Priority    *string `json:"priority"`
	Category    *string `json:"category"`
	Subcategory *string `json:"subcategory"`
	Client      *struct {
		AccountID string `json:"accountId"`
	} `json:"client"`
	Requester *struct {
		UserID string `json:"userId"`
	} `json:"requester"`
	TechGroup *struct {
		GroupID string `json:"groupId"`
	} `json:"techGroup"`
	CustomFields map[string]any `json:"customFields"`
	UpdatedTime  string         `json:"updatedTime"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ticket converts a wire ticket; col is the reference field's column.
func (w wireTicket) ticket(col string) psa.Ticket {
	t := psa.Ticket{
		ID: w.TicketID, Number: w.DisplayID, Title: w.Subject, Status: deref(w.Status), Priority: deref(w.Priority),
		IssueType: deref(w.Category), SubIssueType: deref(w.Subcategory),
	}
	if w.Client != nil {
		t.CompanyID = w.Client.AccountID
	}
	if w.Requester != nil {
		t.ContactID = w.Requester.UserID
	}
	if w.TechGroup != nil {
		t.Queue = w.TechGroup.GroupID
	}
	if ref, ok := w.CustomFields[col].(string); ok {
		t.ExternalRef = ref
	}
	t.Closed = slices.ContainsFunc(closedStatuses, func(s string) bool { return strings.EqualFold(s, t.Status) })
	t.LastModified, _ = parseTime(w.UpdatedTime)
	return t
}

// parseTime reads SuperOps' zone-less UTC timestamps, with or without
// milliseconds.
func parseTime(s string) (time.Time, error) {
	var err error
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05Z07:00"} {
		var t time.Time
		if t, err = time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

// createInput is CreateTicketInput for t. The reference goes in the
// reference field and in sourceReferenceId, SuperOps' own slot for an
// integration's id, which the API does not let us read back.
func createInput(t psa.NewTicket, col string) map[string]any {
	in := map[string]any{
		"subject": t.Title, "client": map[string]any{"accountId": t.CompanyID},
		"source": "INTEGRATION", "subSource": subSource, "sourceReferenceId": t.ExternalRef,
		"customFields": map[string]any{col: t.ExternalRef},
	}
	set := func(key, v string) {
		if v != "" {
			in[key] = v
		}
	}
	set("description", t.Description)
	set("status", t.Status)
	set("priority", t.Priority)
	set("category", t.IssueType)
	set("subcategory", t.SubIssueType)
	if t.ContactID != "" {
		in["requester"] = map[string]any{"userId": t.ContactID}
	}
	if t.Queue != "" {
		in["techGroup"] = map[string]any{"groupId": t.Queue}
	}
	return in
}

// CreateTicket creates the ticket; SuperOps answers with it whole.
func (c *Connector) CreateTicket(ctx context.Context, t psa.NewTicket) (psa.Ticket, error) {
	if t.ExternalRef == "" {
		return psa.Ticket{}, &psa.Error{Class: psa.Permanent, Message: "superops: a ticket needs an external reference"}
	}
	col, err := c.refColumn(ctx)
	if err != nil {
		return psa.Ticket{}, err
	}
	var a struct {
		Ticket *wireTicket `json:"createTicket"`
	}
	if err := c.do(ctx, "ticket.create", docCreateTicket, map[string]any{"input": createInput(t, col)}, true, &a); err != nil {
		return psa.Ticket{}, err
	}
	if a.Ticket == nil {
		return psa.Ticket{}, &psa.Error{Class: psa.Retryable, Status: 200, Message: "superops ticket.create: no ticket in the answer"}
	}
	return a.Ticket.ticket(col), nil
}

// Ticket reads one ticket; entity_does_not_exist is psa.ErrNotFound.
func (c *Connector) Ticket(ctx context.Context, id string) (psa.Ticket, error) {
	col, err := c.refColumn(ctx)
	if err != nil {
		return psa.Ticket{}, err
	}
	var a struct {
		Ticket *wireTicket `json:"getTicket"`
	}
	if err := c.do(ctx, "ticket.get", docTicket, map[string]any{"input": map[string]any{"ticketId": id}}, false, &a); err != nil {
		return psa.Ticket{}, err
	}
	if a.Ticket == nil {
		return psa.Ticket{}, psa.ErrNotFound
	}
	return a.Ticket.ticket(col), nil
}

// refScanPages is how many pages of the newest tickets TicketByExternalRef
// reads when the search by the reference field finds nothing.
const refScanPages = 2

// TicketByExternalRef searches the reference field. Filtering by a custom
// field's column is not confirmed for SuperOps (only paths such as
// requester.email are), and a filter it cannot apply may just match
// nothing; so when the search finds nothing, the newest tickets, where a
// ticket created just before a crash is, are read and matched here. The
// engine asks only when retrying a create, so the extra reads are rare.
func (c *Connector) TicketByExternalRef(ctx context.Context, ref string) (psa.Ticket, error) {
	col, err := c.refColumn(ctx)
	if err != nil {
		return psa.Ticket{}, err
	}
	newest := []any{map[string]any{"attribute": "createdTime", "order": "DESC"}, map[string]any{"attribute": "ticketId", "order": "DESC"}}
	in := map[string]any{"page": 1, "pageSize": 10, "sort": newest,
		"condition": map[string]any{"attribute": "customFields." + col, "operator": "is", "value": ref}}
	for page := 0; page <= refScanPages; page++ {
		if page > 0 {
			in = map[string]any{"page": page, "pageSize": pageSize, "sort": newest}
		}
		list, more, err := c.tickets(ctx, in, col)
		if err != nil {
			return psa.Ticket{}, err
		}
		for _, t := range list {
			if t.ExternalRef == ref {
				return t, nil
			}
		}
		if page > 0 && !more {
			break
		}
	}
	return psa.Ticket{}, psa.ErrNotFound
}

// tickets runs one getTicketList page.
func (c *Connector) tickets(ctx context.Context, in map[string]any, col string) ([]psa.Ticket, bool, error) {
	var a struct {
		List struct {
			Tickets []wireTicket `json:"tickets"`
			Info    listInfo     `json:"listInfo"`
		} `json:"getTicketList"`
	}
	if err := c.do(ctx, "ticket.query", docTickets, map[string]any{"input": in}, false, &a); err != nil {
		return nil, false, err
	}
	out := make([]psa.Ticket, 0, len(a.List.Tickets))
	for _, w := range a.List.Tickets {
		out = append(out, w.ticket(col))
	}
	return out, a.List.Info.HasMore, nil
}

// UpdateTicket sets the status; SuperOps tickets carry no contract.
func (c *Connector) UpdateTicket(ctx context.Context, id string, p psa.TicketPatch) error {
	if p.ContractID != nil {
		return &psa.Error{Class: psa.Permanent, Message: "superops: tickets carry no contract"}
	}
	if p.Status == nil {
		return nil
	}
	in := map[string]any{"ticketId": id, "status": *p.Status}
	return c.do(ctx, "ticket.update", docUpdateTicket, map[string]any{"input": in}, true, nil)
}

// maxBatch is how many tickets one aliased read asks for.
const maxBatch = 50

// TicketsByID reads the tickets with aliased getTicket fields, maxBatch
// per request; unknown ids answer entity_does_not_exist for their alias
// alone and are left out.
func (c *Connector) TicketsByID(ctx context.Context, ids []string) ([]psa.Ticket, error) {
	col, err := c.refColumn(ctx)
	if err != nil {
		return nil, err
	}
	var out []psa.Ticket
	for chunk := range slices.Chunk(ids, maxBatch) {
		got, err := c.ticketBatch(ctx, chunk, col)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func (c *Connector) ticketBatch(ctx context.Context, ids []string, col string) ([]psa.Ticket, error) {
	vars := map[string]any{}
	for i, id := range ids {
		vars["t"+strconv.Itoa(i)] = map[string]any{"ticketId": id}
	}
	ans, err := c.post(ctx, "ticket.batch", docTicketsByID(len(ids)), vars, false)
	if err != nil {
		return nil, err
	}
	for _, e := range ans.Errors {
		if e.code() != codeNotFound || e.alias() == "" {
			return nil, fmt.Errorf("superops: %w", classify("ticket.batch", e))
		}
	}
	var data map[string]*wireTicket
	if err := json.Unmarshal(ans.Data, &data); err != nil {
		return nil, &psa.Error{Class: psa.Retryable, Status: 200, Message: "ticket.batch: unexpected answer", Err: err}
	}
	var out []psa.Ticket
	for i := range ids {
		if w := data["t"+strconv.Itoa(i)]; w != nil {
			out = append(out, w.ticket(col))
		}
	}
	return out, nil
}

// TicketsChangedSince reads getTicketList newest first until a page
// reaches since, and answers oldest first.
func (c *Connector) TicketsChangedSince(ctx context.Context, since time.Time) ([]psa.Ticket, error) {
	col, err := c.refColumn(ctx)
	if err != nil {
		return nil, err
	}
	since = since.UTC()
	var out []psa.Ticket
	seen := map[string]bool{}
	for page := 1; page <= maxPages; page++ {
		in := map[string]any{"page": page, "pageSize": pageSize, "sort": []any{
			map[string]any{"attribute": "updatedTime", "order": "DESC"},
			map[string]any{"attribute": "ticketId", "order": "DESC"},
		}}
		list, more, err := c.tickets(ctx, in, col)
		if err != nil {
			return nil, err
		}
		reached := false
		for _, t := range list {
			if t.LastModified.Before(since) {
				reached = true
				continue
			}
			if !seen[t.ID] {
				seen[t.ID] = true
				out = append(out, t)
			}
		}
		if reached || !more {
			break
		}
	}
	slices.SortFunc(out, compareChange)
	return out, nil
}

// compareChange orders by LastModified, then by id as a number.
func compareChange(a, b psa.Ticket) int {
	if c := a.LastModified.Compare(b.LastModified); c != 0 {
		return c
	}
	x, errA := strconv.ParseInt(a.ID, 10, 64)
	y, errB := strconv.ParseInt(b.ID, 10, 64)
	if errA == nil && errB == nil {
		return cmp.Compare(x, y)
	}
	return cmp.Compare(a.ID, b.ID)
}
