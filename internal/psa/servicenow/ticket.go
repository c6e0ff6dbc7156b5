package servicenow

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// ticketFields are the fields a ticket is read with.
func (c *Connector) ticketFields() string {
	return fields("sys_id", "number", c.table.company, c.table.contact, "short_description", "state", "priority",
		"assignment_group", "category", "subcategory", "correlation_id", "sys_updated_on")
}

// readQuery is the query of every ticket read: raw values, plain sys_ids.
func (c *Connector) readQuery() url.Values {
	return url.Values{"sysparm_fields": {c.ticketFields()}, "sysparm_exclude_reference_link": {"true"}}
}

// ticketOf converts a ticket record.
func (c *Connector) ticketOf(r row) psa.Ticket {
	return psa.Ticket{
		ID: r.get("sys_id"), Number: r.get("number"), CompanyID: r.get(c.table.company), ContactID: r.get(c.table.contact),
		Title: r.get("short_description"), Status: r.get("state"), Priority: r.get("priority"),
		Queue: r.get("assignment_group"), IssueType: r.get("category"), SubIssueType: r.get("subcategory"),
		ExternalRef: r.get("correlation_id"), Closed: slices.Contains(c.table.closed, r.get("state")),
		LastModified: parseTime(r.get("sys_updated_on")),
	}
}

// Test implements psa.Connector: one row of the ticket table.
func (c *Connector) Test(ctx context.Context) error {
	var rows []row
	return c.call(ctx, http.MethodGet, c.table.name, url.Values{"sysparm_limit": {"1"}, "sysparm_fields": {"sys_id"}}, nil, &rows, c.table.name+".test")
}

// CreateTicket implements psa.Connector with one POST, which answers with
// the created record.
func (c *Connector) CreateTicket(ctx context.Context, t psa.NewTicket) (psa.Ticket, error) {
	body, err := c.newTicketBody(ctx, t)
	if err != nil {
		return psa.Ticket{}, err
	}
	var r row
	if err := c.call(ctx, http.MethodPost, c.table.name, c.readQuery(), body, &r, "ticket.create"); err != nil {
		return psa.Ticket{}, err
	}
	if r.get("sys_id") == "" {
		return psa.Ticket{}, &psa.Error{Class: psa.Retryable, Message: "ticket.create: answer has no sys_id (a retry checks first)"}
	}
	return c.ticketOf(r), nil
}

// newTicketBody builds a create body after checking every picklist value.
func (c *Connector) newTicketBody(ctx context.Context, t psa.NewTicket) (map[string]string, error) {
	switch {
	case t.ContractID != "":
		return nil, permanent("ServiceNow tickets carry no contract here: leave contracts.attach_to_tickets off")
	case t.Category != "" || t.Type != "":
		return nil, permanent("ServiceNow has no ticket category or type beside category (ticket.issue_type): leave them unset")
	case t.IssueType == "" && t.SubIssueType != "":
		return nil, permanent("a subcategory needs its category: set ticket.issue_type")
	}
	pair, ok := priorityPairs[t.Priority]
	if t.Priority != "" && !ok {
		return nil, permanent("priority %q is not one of ServiceNow's priorities 1 to 5", t.Priority)
	}
	if err := c.check(ctx, map[string][2]string{
		psa.FieldStatus: {t.Status}, psa.FieldPriority: {t.Priority}, psa.FieldQueue: {t.Queue},
		psa.FieldIssueType: {t.IssueType}, psa.FieldSubIssueType: {t.SubIssueType, t.IssueType}, psa.FieldSource: {t.Source},
	}); err != nil {
		return nil, err
	}
	if slices.Contains(c.table.resolve, t.Status) {
		return nil, permanent("a ticket cannot be created resolved: choose an open state for ticket.status")
	}
	body := map[string]string{
		"short_description": t.Title, "description": t.Description, "correlation_id": t.ExternalRef,
		"correlation_display": CorrelationDisplay,
	}
	set := func(k, v string) {
		if v != "" {
			body[k] = v
		}
	}
	set(c.table.company, t.CompanyID)
	set(c.table.contact, t.ContactID)
	set("state", t.Status)
	set("assignment_group", t.Queue)
	set("category", t.IssueType)
	set("subcategory", t.SubIssueType)
	set("contact_type", t.Source)
	if ok {
		body["impact"], body["urgency"] = pair[0], pair[1]
	}
	return body, nil
}

// TicketByExternalRef implements psa.Connector: correlation_id, oldest
// first should two ever carry it.
func (c *Connector) TicketByExternalRef(ctx context.Context, ref string) (psa.Ticket, error) {
	if ref == "" || !safe(ref) {
		return psa.Ticket{}, permanent("invalid external reference %q", ref)
	}
	q := c.readQuery()
	q.Set("sysparm_query", "correlation_id="+ref+"^ORDERBYsys_created_on")
	q.Set("sysparm_limit", "1")
	var rows []row
	if err := c.call(ctx, http.MethodGet, c.table.name, q, nil, &rows, "ticket.query"); err != nil {
		return psa.Ticket{}, err
	}
	for _, r := range rows {
		if r.get("correlation_id") == ref {
			return c.ticketOf(r), nil
		}
	}
	return psa.Ticket{}, psa.ErrNotFound
}

// Ticket implements psa.Connector.
func (c *Connector) Ticket(ctx context.Context, id string) (psa.Ticket, error) {
	if !isSysID(id) {
		return psa.Ticket{}, psa.ErrNotFound // no record has such an id
	}
	var r row
	if err := c.call(ctx, http.MethodGet, c.table.name+"/"+id, c.readQuery(), nil, &r, "ticket.get"); err != nil {
		return psa.Ticket{}, notFound(err, "ticket "+id)
	}
	return c.ticketOf(r), nil
}

// TicketsByID implements psa.TicketLister: sys_idIN, 100 ids a call.
func (c *Connector) TicketsByID(ctx context.Context, ids []string) ([]psa.Ticket, error) {
	var valid []string
	for _, id := range ids {
		if isSysID(id) && !slices.Contains(valid, id) {
			valid = append(valid, id)
		}
	}
	var out []psa.Ticket
	for chunk := range slices.Chunk(valid, 100) {
		q := c.readQuery()
		q.Set("sysparm_query", "sys_idIN"+strings.Join(chunk, ","))
		rows, err := list[row](ctx, c, c.table.name, q, 100, "ticket.query")
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, c.ticketOf(r))
		}
	}
	return out, nil
}

// TicketsChangedSince implements psa.ChangeFeed: our tickets
// (correlation_display) by sys_updated_on, which keeps whole seconds in
// UTC, so since is widened to its second.
func (c *Connector) TicketsChangedSince(ctx context.Context, since time.Time) ([]psa.Ticket, error) {
	q := c.readQuery()
	q.Set("sysparm_query", "sys_updated_on>="+since.UTC().Format(dateTime)+"^correlation_display="+CorrelationDisplay+"^ORDERBYsys_updated_on^ORDERBYsys_id")
	rows, err := list[row](ctx, c, c.table.name, q, 500, "ticket.query")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []psa.Ticket
	for _, r := range rows {
		t := c.ticketOf(r)
		if !seen[t.ID] { // rows can shift between pages while data changes
			seen[t.ID] = true
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b psa.Ticket) int {
		return cmp.Or(a.LastModified.Compare(b.LastModified), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// closeNotes is what a resolution says when ticketbridge resolves.
const closeNotes = "Resolved by ticketbridge: the alerts on this ticket are resolved or ignored at their source."

// UpdateTicket implements psa.Connector. A resolving state carries the
// close code and close notes the resolve data policy requires; On Hold
// carries a hold reason.
func (c *Connector) UpdateTicket(ctx context.Context, id string, p psa.TicketPatch) error {
	if !isSysID(id) {
		return psa.ErrNotFound
	}
	if p.ContractID != nil && *p.ContractID != "" {
		return permanent("ServiceNow tickets carry no contract here: leave contracts.attach_to_tickets off")
	}
	if p.Status == nil {
		return nil
	}
	state := *p.Status
	if err := c.check(ctx, map[string][2]string{psa.FieldStatus: {state}}); err != nil {
		return err
	}
	body := map[string]string{"state": state}
	picks, err := c.picklists(ctx, false)
	if err != nil {
		return err
	}
	if slices.Contains(c.table.resolve, state) {
		body["close_code"] = closeCode(picks.closeCodes)
		body["close_notes"] = closeNotes
	}
	if state == "3" && c.table.name == "incident" && len(picks.holdReasons) > 0 {
		body["hold_reason"] = holdReason(picks.holdReasons)
	}
	q := url.Values{"sysparm_fields": {"sys_id"}}
	if err := c.call(ctx, http.MethodPatch, c.table.name+"/"+id, q, body, nil, "ticket.update"); err != nil {
		return notFound(err, "ticket "+id)
	}
	return nil
}

// preferredCloseCodes are tried in order; the instance's first close
// code is the fallback, and a fixed one the last resort when the list
// cannot be read.
var preferredCloseCodes = []string{"Solved Remotely (Permanently)", "Solution provided", "Solved (Permanently)", "Resolved by caller"}

func closeCode(codes []string) string {
	for _, want := range preferredCloseCodes {
		if slices.Contains(codes, want) {
			return want
		}
	}
	if len(codes) > 0 {
		return codes[0]
	}
	return "Solved (Permanently)"
}

// holdReason prefers Awaiting Vendor (4): a security tool is the vendor.
func holdReason(reasons []string) string {
	if slices.Contains(reasons, "4") {
		return "4"
	}
	return reasons[0]
}
