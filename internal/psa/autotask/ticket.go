package autotask

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// statusComplete is Autotask's system status "Complete"; every tenant has it
// with this id.
const statusComplete = "5"

// Field lengths Autotask enforces; longer text is cut rather than refused,
// since a truncated alert ticket is better than none.
const (
	maxTitle       = 255
	maxDescription = 8000
)

type ticketWire struct {
	ID           flexString `json:"id"`
	TicketNumber string     `json:"ticketNumber"`
	CompanyID    flexString `json:"companyID"`
	ContactID    flexString `json:"contactID"`
	Title        string     `json:"title"`
	Status       flexString `json:"status"`
	Priority     flexString `json:"priority"`
	QueueID      flexString `json:"queueID"`
	IssueType    flexString `json:"issueType"`
	SubIssueType flexString `json:"subIssueType"`
	ContractID   flexString `json:"contractID"`
	ExternalID   string     `json:"externalID"`
	LastModified wireTime   `json:"lastTrackedModificationDateTime"`
}

func (w ticketWire) ticket() psa.Ticket {
	return psa.Ticket{
		ID:           string(w.ID),
		Number:       w.TicketNumber,
		CompanyID:    string(w.CompanyID),
		ContactID:    string(w.ContactID),
		Title:        w.Title,
		Status:       string(w.Status),
		Priority:     string(w.Priority),
		Queue:        string(w.QueueID),
		IssueType:    string(w.IssueType),
		SubIssueType: string(w.SubIssueType),
		ContractID:   string(w.ContractID),
		ExternalRef:  w.ExternalID,
		Closed:       string(w.Status) == statusComplete,
		LastModified: time.Time(w.LastModified),
	}
}

// CreateTicket creates the ticket, then reads it back: the ticket number,
// the PSA's defaults and its modification time only exist once stored, and
// one extra read is cheap next to a ticket reported wrongly. If the create
// succeeded but the read fails, the error is returned with the new id in the
// ticket; the engine's retry finds the ticket by its external reference.
func (c *Connector) CreateTicket(ctx context.Context, t psa.NewTicket) (psa.Ticket, error) {
	id, err := c.CreateTicketID(ctx, t)
	if err != nil {
		return psa.Ticket{}, err
	}
	got, err := c.Ticket(ctx, id)
	if err != nil {
		return psa.Ticket{ID: id, ExternalRef: t.ExternalRef},
			fmt.Errorf("autotask read back created ticket %s: %w", id, err)
	}
	return got, nil
}

var _ psa.BareCreator = (*Connector)(nil)

// CreateTicketID implements psa.BareCreator: Autotask answers a create
// with {"itemId": N} and nothing else.
func (c *Connector) CreateTicketID(ctx context.Context, t psa.NewTicket) (string, error) {
	body, err := c.ticketBody(t)
	if err != nil {
		return "", err
	}
	var res itemResult
	if err := c.call(ctx, http.MethodPost, "V1.0/Tickets", "tickets.create", body, &res); err != nil {
		return "", err
	}
	if res.ItemID == "" {
		return "", &psa.Error{Class: psa.Permanent, Message: "tickets.create: answer has no itemId"}
	}
	return string(res.ItemID), nil
}

// ticketBody builds the create request; ids must be integers.
func (c *Connector) ticketBody(t psa.NewTicket) (map[string]any, error) {
	if t.CompanyID == "" {
		return nil, &psa.Error{Class: psa.Permanent, Message: "ticket has no company"}
	}
	body := map[string]any{"title": cut(t.Title, maxTitle)}
	ids := []struct{ key, what, val string }{
		{"companyID", "company", t.CompanyID},
		{"contactID", "contact", t.ContactID},
		{"contractID", "contract", t.ContractID},
		{"status", "status", t.Status},
		{"priority", "priority", t.Priority},
		{"queueID", "queue", t.Queue},
		{"ticketCategory", "category", t.Category},
		{"ticketType", "ticket type", t.Type},
		{"source", "source", t.Source},
		{"issueType", "issue type", t.IssueType},
		{"subIssueType", "sub-issue type", t.SubIssueType},
	}
	for _, f := range ids {
		if f.val == "" {
			continue
		}
		n, err := parseID(f.what, f.val)
		if err != nil {
			return nil, err
		}
		body[f.key] = n
	}
	if t.Description != "" {
		body["description"] = cut(t.Description, maxDescription)
	}
	due := t.DueAt
	if due.IsZero() {
		due = c.now().Add(c.cfg.DueIn)
	}
	body["dueDateTime"] = formatTime(due)
	if t.ExternalRef != "" {
		body["externalID"] = t.ExternalRef
	}
	return body, nil
}

// Ticket reads one ticket; psa.ErrNotFound when Autotask has none.
func (c *Connector) Ticket(ctx context.Context, id string) (psa.Ticket, error) {
	n, err := parseID("ticket", id)
	if err != nil {
		return psa.Ticket{}, err
	}
	var res struct {
		Item *ticketWire `json:"item"`
	}
	err = c.call(ctx, http.MethodGet, fmt.Sprintf("V1.0/Tickets/%d", n), "tickets.get", nil, &res)
	if err != nil {
		return psa.Ticket{}, notFound(err, "ticket "+id)
	}
	if res.Item == nil {
		return psa.Ticket{}, fmt.Errorf("autotask ticket %s: %w", id, psa.ErrNotFound)
	}
	return res.Item.ticket(), nil
}

// TicketByExternalRef finds the ticket whose externalID is ref. Should
// several carry it, the oldest (lowest id) wins, the one recovery would
// have recorded first.
func (c *Connector) TicketByExternalRef(ctx context.Context, ref string) (psa.Ticket, error) {
	if ref == "" {
		return psa.Ticket{}, fmt.Errorf("autotask ticket by external ref: empty ref: %w", psa.ErrNotFound)
	}
	rows, err := queryAll[ticketWire](ctx, c, "Tickets", "tickets.query",
		[]filter{{Op: "eq", Field: "externalID", Value: ref}})
	if err != nil {
		return psa.Ticket{}, err
	}
	for _, r := range rows {
		if r.ExternalID == ref { // guard against a peer matching loosely
			return r.ticket(), nil
		}
	}
	return psa.Ticket{}, fmt.Errorf("autotask ticket by external ref %q: %w", ref, psa.ErrNotFound)
}

// UpdateTicket PATCHes only the fields set; an empty ContractID clears the
// contract.
func (c *Connector) UpdateTicket(ctx context.Context, id string, p psa.TicketPatch) error {
	n, err := parseID("ticket", id)
	if err != nil {
		return err
	}
	body := map[string]any{"id": n}
	if p.Status != nil {
		s, err := parseID("status", *p.Status)
		if err != nil {
			return err
		}
		body["status"] = s
	}
	if p.ContractID != nil {
		body["contractID"] = nil
		if *p.ContractID != "" {
			cid, err := parseID("contract", *p.ContractID)
			if err != nil {
				return err
			}
			body["contractID"] = cid
		}
	}
	if len(body) == 1 {
		return nil
	}
	err = c.call(ctx, http.MethodPatch, "V1.0/Tickets", "tickets.update", body, nil)
	return notFound(err, "ticket "+id)
}

// cut shortens s to at most n runes.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
