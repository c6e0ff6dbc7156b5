package connectwise

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// maxSummary is the ticket summary length ConnectWise enforces; longer
// titles are cut rather than refused, since a truncated alert ticket is
// better than none.
const maxSummary = 100

type ticketWire struct {
	ID           int64  `json:"id"`
	Summary      string `json:"summary"`
	Company      *ref   `json:"company"`
	Contact      *ref   `json:"contact"`
	Board        *ref   `json:"board"`
	Status       *ref   `json:"status"`
	Priority     *ref   `json:"priority"`
	Type         *ref   `json:"type"`
	SubType      *ref   `json:"subType"`
	Agreement    *ref   `json:"agreement"`
	ExternalXRef string `json:"externalXRef"`
	ClosedFlag   bool   `json:"closedFlag"`
	Info         info   `json:"_info"`
}

// patchOp is one JSON-Patch operation.
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// ticket converts the wire form, reading the board's statuses to tell
// whether the ticket is closed.
func (c *Connector) ticket(ctx context.Context, w ticketWire) (psa.Ticket, error) {
	closed, err := c.closed(ctx, w)
	if err != nil {
		return psa.Ticket{}, err
	}
	id := itoa(w.ID)
	return psa.Ticket{
		ID:           id,
		Number:       id,
		CompanyID:    idOf(w.Company),
		ContactID:    idOf(w.Contact),
		Title:        w.Summary,
		Status:       idOf(w.Status),
		Priority:     idOf(w.Priority),
		Queue:        idOf(w.Board),
		IssueType:    idOf(w.Type),
		SubIssueType: idOf(w.SubType),
		ContractID:   idOf(w.Agreement),
		ExternalRef:  w.ExternalXRef,
		Closed:       closed,
		LastModified: w.Info.time("lastUpdated"),
	}, nil
}

// closed reports whether the ticket is closed: its closedFlag, or a status
// its board marks closedStatus. A status missing from the cached list is
// looked up once more, in case it was added since.
func (c *Connector) closed(ctx context.Context, w ticketWire) (bool, error) {
	if w.ClosedFlag {
		return true, nil
	}
	if w.Board == nil || w.Status == nil {
		return false, nil
	}
	statuses, fresh, err := c.statusesOf(ctx, w.Board.ID)
	if err != nil {
		return false, err
	}
	if s, ok := findStatus(statuses, w.Status.ID); ok || fresh {
		return s.ClosedStatus, nil
	}
	if statuses, err = c.fetchStatuses(ctx, w.Board.ID); err != nil {
		return false, err
	}
	s, _ := findStatus(statuses, w.Status.ID)
	return s.ClosedStatus, nil
}

func findStatus(statuses []statusWire, id int64) (statusWire, bool) {
	for _, s := range statuses {
		if s.ID == id {
			return s, true
		}
	}
	return statusWire{}, false
}

// CreateTicket creates a service ticket. ConnectWise answers with the
// stored ticket, so no read-back is needed.
func (c *Connector) CreateTicket(ctx context.Context, t psa.NewTicket) (psa.Ticket, error) {
	body, err := c.ticketBody(ctx, t)
	if err != nil {
		return psa.Ticket{}, err
	}
	var w ticketWire
	if _, err := c.call(ctx, http.MethodPost, "service/tickets", "tickets.create", body, &w); err != nil {
		return psa.Ticket{}, err
	}
	if w.ID == 0 {
		return psa.Ticket{}, &psa.Error{Class: psa.Permanent, Message: "tickets.create: answer has no id"}
	}
	got, err := c.ticket(ctx, w)
	if err != nil {
		return psa.Ticket{ID: itoa(w.ID), Number: itoa(w.ID), ExternalRef: t.ExternalRef},
			fmt.Errorf("connectwise read statuses of created ticket %d: %w", w.ID, err)
	}
	return got, nil
}

// ticketBody builds the create request; ids must be integers.
func (c *Connector) ticketBody(ctx context.Context, t psa.NewTicket) (map[string]any, error) {
	switch {
	case t.CompanyID == "":
		return nil, &psa.Error{Class: psa.Permanent, Message: "ticket has no company"}
	case t.Category != "":
		return nil, unsupported("ticket category")
	case t.Type != "":
		return nil, unsupported("ticket type apart from the board's types (set the issue type)")
	}
	status, err := c.statusOnBoard(ctx, t.Queue, t.Status)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"summary": cut(t.Title, maxSummary), "recordType": "ServiceTicket"}
	for _, f := range []struct{ key, what, val string }{
		{"company", "company", t.CompanyID},
		{"contact", "contact", t.ContactID},
		{"agreement", "agreement", t.ContractID},
		{"board", "board", t.Queue},
		{"status", "status", status},
		{"priority", "priority", t.Priority},
		{"source", "source", t.Source},
		{"type", "type", t.IssueType},
		{"subType", "subtype", t.SubIssueType},
	} {
		if f.val == "" {
			continue
		}
		n, err := parseID(f.what, f.val)
		if err != nil {
			return nil, err
		}
		body[f.key] = idRef(n)
	}
	if t.Description != "" {
		body["initialDescription"] = t.Description
	}
	if !t.DueAt.IsZero() {
		body["requiredDate"] = formatTime(t.DueAt)
	}
	if t.ExternalRef != "" {
		body["externalXRef"] = t.ExternalRef
	}
	return body, nil
}

// statusOnBoard returns status, or the status of the same name on board
// when status belongs to another board. Statuses are per board in
// ConnectWise while the settings hold one default status: an override that
// moves alerts to another board keeps "New" meaning that board's New.
func (c *Connector) statusOnBoard(ctx context.Context, board, status string) (string, error) {
	if board == "" || status == "" {
		return status, nil
	}
	bid, err := parseID("board", board)
	if err != nil {
		return "", err
	}
	sid, err := parseID("status", status)
	if err != nil {
		return "", err
	}
	statuses, _, err := c.statusesOf(ctx, bid)
	if err != nil {
		return "", err
	}
	if _, ok := findStatus(statuses, sid); ok {
		return status, nil
	}
	picks, err := c.Picklists(ctx)
	if err != nil {
		return "", err
	}
	name := picks.Label(psa.FieldStatus, status)
	if v, ok := picks.Lookup(psa.FieldStatus, name, board); ok {
		return v.ID, nil
	}
	return status, nil // ConnectWise's own answer names the problem
}

// Ticket reads one ticket; psa.ErrNotFound when ConnectWise has none.
func (c *Connector) Ticket(ctx context.Context, id string) (psa.Ticket, error) {
	n, err := parseID("ticket", id)
	if err != nil {
		return psa.Ticket{}, err
	}
	var w ticketWire
	if _, err := c.call(ctx, http.MethodGet, fmt.Sprintf("service/tickets/%d", n), "tickets.get", nil, &w); err != nil {
		return psa.Ticket{}, notFound(err, "ticket "+id)
	}
	if w.ID == 0 {
		return psa.Ticket{}, fmt.Errorf("connectwise ticket %s: %w", id, psa.ErrNotFound)
	}
	return c.ticket(ctx, w)
}

// TicketByExternalRef finds the ticket whose externalXRef is ref. Should
// several carry it, the oldest (lowest id) wins, the one recovery would
// have recorded first.
func (c *Connector) TicketByExternalRef(ctx context.Context, ref string) (psa.Ticket, error) {
	if strings.TrimSpace(ref) == "" {
		return psa.Ticket{}, fmt.Errorf("connectwise ticket by external ref: empty ref: %w", psa.ErrNotFound)
	}
	q := url.Values{
		"conditions": {eqString("externalXRef", ref)},
		"orderBy":    {"id asc"},
	}
	rows, err := collect[ticketWire](ctx, c, "service/tickets", q, "tickets.list")
	if err != nil {
		return psa.Ticket{}, err
	}
	for _, r := range rows {
		if r.ExternalXRef == ref { // guard against a peer matching loosely
			return c.ticket(ctx, r)
		}
	}
	return psa.Ticket{}, fmt.Errorf("connectwise ticket by external ref %q: %w", ref, psa.ErrNotFound)
}

// UpdateTicket sends a JSON-Patch of the fields set; an empty ContractID
// removes the agreement.
func (c *Connector) UpdateTicket(ctx context.Context, id string, p psa.TicketPatch) error {
	n, err := parseID("ticket", id)
	if err != nil {
		return err
	}
	ops, err := ticketPatch(p)
	if err != nil || len(ops) == 0 {
		return err
	}
	_, err = c.call(ctx, http.MethodPatch, fmt.Sprintf("service/tickets/%d", n), "tickets.update", ops, nil)
	return notFound(err, "ticket "+id)
}

// ticketPatch builds the JSON-Patch operations of p.
func ticketPatch(p psa.TicketPatch) ([]patchOp, error) {
	var ops []patchOp
	if p.Status != nil {
		s, err := parseID("status", *p.Status)
		if err != nil {
			return nil, err
		}
		ops = append(ops, patchOp{Op: "replace", Path: "status", Value: idRef(s)})
	}
	if p.ContractID != nil {
		if *p.ContractID == "" {
			ops = append(ops, patchOp{Op: "remove", Path: "agreement"})
		} else {
			a, err := parseID("agreement", *p.ContractID)
			if err != nil {
				return nil, err
			}
			ops = append(ops, patchOp{Op: "replace", Path: "agreement", Value: idRef(a)})
		}
	}
	return ops, nil
}
