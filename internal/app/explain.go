package app

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/engine"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Explanation is what would happen to an alert under one integration.
type Explanation struct {
	Integration string
	Lines       []string
}

// Explain shows, for a sample alert, what ticketbridge would do and why.
// It reads from the PSA (companies, contact lookup, picklists) but never
// calls a write endpoint, and stores nothing.
func (a *App) Explain(ctx context.Context, sourceID string, al alert.Alert) ([]Explanation, error) {
	its, err := a.Store.Integrations(ctx, a.Tenant)
	if err != nil {
		return nil, fmt.Errorf("list integrations: %w", err)
	}
	if len(its) == 0 {
		return nil, errors.New("no integration is configured: run apply first")
	}
	al.Normalize()
	var out []Explanation
	for _, it := range its {
		ex, err := a.explainOne(ctx, it, sourceID, al)
		if err != nil {
			return nil, fmt.Errorf("integration %s: %w", it.Name, err)
		}
		out = append(out, ex)
	}
	return out, nil
}

func (a *App) explainOne(ctx context.Context, it store.Integration, sourceID string, al alert.Alert) (Explanation, error) {
	ex := Explanation{Integration: it.Name}
	s, err := decodeStored(it)
	if err != nil {
		return ex, err
	}
	rs, err := rules.Compile(s)
	if err != nil {
		return ex, err
	}
	conn, err := a.connector(ctx, it, s)
	if err != nil {
		return ex, err
	}
	in := rules.Input{}
	if s.Sync.SinceTime != "" {
		in.Since, _ = time.Parse(time.RFC3339Nano, s.Sync.SinceTime)
	}
	if s.Companies.AutoMatch {
		if in.Companies, err = conn.Companies(ctx, psa.CompanyFilter{}); err != nil {
			return ex, fmt.Errorf("list companies: %w", err)
		}
	}
	dec := rs.Decide(al, in, engine.AlertKey(store.StoredAlert{SourceID: sourceID, Alert: al}))
	ex.Lines = append(ex.Lines, dec.Reasons...)
	if dec.Skip != nil {
		ex.Lines = append(ex.Lines, "no ticket: "+dec.Skip.Reason)
		return ex, nil
	}
	pl, err := conn.Picklists(ctx)
	if err != nil {
		return ex, fmt.Errorf("read picklists: %w", err)
	}
	ex.Lines = append(ex.Lines, describeTicket(pl, dec)...)
	ex.Lines = append(ex.Lines, a.describeContact(ctx, conn, dec))
	link, err := a.Store.OpenTicketLink(ctx, it.ID, dec.CompanyID, dec.GroupKey)
	switch {
	case err == nil && link.State == store.LinkOpen:
		ex.Lines = append(ex.Lines, fmt.Sprintf("would add a note %q to open ticket %s (group %s), unless the PSA has closed it, in which case a new ticket", dec.Note.Title, link.TicketNumber, dec.GroupKey))
	case err == nil:
		ex.Lines = append(ex.Lines, "would add a note to the ticket being created for group "+dec.GroupKey)
	default:
		ex.Lines = append(ex.Lines, "would create a new ticket: no open ticket for group "+dec.GroupKey)
	}
	return ex, nil
}

func describeTicket(pl psa.Picklists, dec rules.Decision) []string {
	t := dec.Ticket
	field := func(label, f, id string) string {
		if id == "" {
			return label + ": (PSA default)"
		}
		return label + ": " + pl.Label(f, id)
	}
	return []string{
		fmt.Sprintf("company: %s (id %s)", dec.CompanyName, dec.CompanyID),
		"subject: " + t.Title,
		strings.Join([]string{
			field("queue", psa.FieldQueue, t.Queue), field("priority", psa.FieldPriority, t.Priority),
			field("status", psa.FieldStatus, t.Status), field("type", psa.FieldType, t.Type),
			field("category", psa.FieldCategory, t.Category), field("source", psa.FieldSource, t.Source),
			field("issue type", psa.FieldIssueType, t.IssueType), field("sub-issue type", psa.FieldSubIssueType, t.SubIssueType),
		}, "; "),
	}
}

func (a *App) describeContact(ctx context.Context, conn psa.Connector, dec rules.Decision) string {
	p := dec.Contact
	if !p.Attach {
		return "contact: none (attach_contacts is off)"
	}
	if p.Email != "" {
		c, err := conn.ContactByEmail(ctx, dec.CompanyID, p.Email)
		if err == nil {
			return fmt.Sprintf("contact: %s (found by email %s)", c.Name(), p.Email)
		}
		if !errors.Is(err, psa.ErrNotFound) {
			return "contact: lookup failed: " + err.Error()
		}
	}
	switch {
	case p.FallbackID != "":
		return "contact: fallback contact " + cmp.Or(p.FallbackName, "id "+p.FallbackID) + " (no contact with the alert's email)"
	case p.CompanyDefault:
		return "contact: the company's first contact (no contact with the alert's email, none mapped)"
	}
	return "contact: none found"
}

func decodeStored(it store.Integration) (integration.Settings, error) {
	var s integration.Settings
	err := json.Unmarshal(it.Settings, &s)
	if err != nil {
		return s, fmt.Errorf("decode settings of %s: %w", it.Name, err)
	}
	return s, nil
}
