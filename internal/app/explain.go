package app

import (
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

// Explanation is what would happen to an alert under one integration:
// Lines for people, the rest for callers that compare the prediction with
// what the engine then does.
type Explanation struct {
	Integration string
	Lines       []string

	// Decision is the rules' decision; Decision.Skip is set when the alert
	// would make no ticket.
	Decision rules.Decision
	// NewTicket is set when the alert would open a new ticket, which would
	// get Contact. Otherwise (and not skipped) it would be a note on
	// NoteOn, the PSA id of its group's open ticket, or "" while that
	// ticket is still being created.
	NewTicket bool
	Contact   engine.ContactChoice
	NoteOn    string
	// Queue and Priority are the new ticket's, by the PSA's label, or
	// "(PSA default)" when the settings leave them to the PSA.
	Queue, Priority string
	// Err is why this integration could not decide (its PSA unreachable
	// or refusing, its settings unusable); the others still explain.
	Err error
}

// errNoIntegrations says the tenant has nothing to explain against.
var errNoIntegrations = errors.New("no integration is configured: run apply first")

// Explain shows, for a sample alert, what ticketbridge would do and why.
// It reads from the PSA (companies, contact lookup, picklists, the
// group's open ticket) but never calls a write endpoint, and stores
// nothing. It decides through the engine's own Plan, so what it says is
// what the engine would do, except that the engine reuses its company list
// and contact lookups for up to Config.CompaniesTTL where explain reads
// them fresh.
func (a *App) Explain(ctx context.Context, sourceID string, al alert.Alert) ([]Explanation, error) {
	its, err := a.Store.Integrations(ctx, a.tenantOf(ctx))
	if err != nil {
		return nil, fmt.Errorf("list integrations: %w", err)
	}
	if len(its) == 0 {
		return nil, errNoIntegrations
	}
	al.Normalize()
	var out []Explanation
	for _, it := range its {
		claims, err := engine.NewClaims(its, it.ID)
		if err != nil {
			return nil, err
		}
		ex, err := a.explainOne(ctx, it, sourceID, al, claims)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// One PSA down must not hide what the others would do.
			ex = Explanation{Integration: it.Name, Err: err, Lines: []string{"could not decide: " + err.Error()}}
		}
		out = append(out, ex)
	}
	return out, nil
}

func (a *App) explainOne(ctx context.Context, it store.Integration, sourceID string, al alert.Alert, claims *engine.Claims) (Explanation, error) {
	ex := Explanation{Integration: it.Name}
	profile, _ := a.Profiles().Lookup(it.PSA)
	plan, err := engine.NewPlan(it, profile.Limits)
	if err != nil {
		return ex, err
	}
	conn, err := a.connector(ctx, it, plan.Settings)
	if err != nil {
		return ex, err
	}
	companies, err := plan.Companies(ctx, conn)
	if err != nil {
		return ex, err
	}
	dec := plan.Decide(store.StoredAlert{SourceID: sourceID, Alert: al}, companies, claims)
	ex.Decision = dec
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
	ex.Queue, ex.Priority = pickLabel(pl, psa.FieldQueue, dec.Ticket.Queue), pickLabel(pl, psa.FieldPriority, dec.Ticket.Priority)
	target, err := a.explainTarget(ctx, it.ID, plan, conn, dec, &ex)
	if err != nil {
		return ex, err
	}
	if ex.NewTicket {
		ex.Lines = append(ex.Lines, explainContact(ctx, conn, dec, &ex))
	}
	ex.Lines = append(ex.Lines, target)
	return ex, nil
}

// explainTarget says whether the alert would open a ticket or be a note,
// as the engine decides it: a note when its group has a ticket being
// created or open, unless the PSA has closed that ticket, in which case
// the engine opens a new one when it delivers the note.
func (a *App) explainTarget(ctx context.Context, itID int64, plan *engine.Plan, conn psa.Connector, dec rules.Decision, ex *Explanation) (string, error) {
	link, err := a.Store.OpenTicketLink(ctx, itID, dec.CompanyID, dec.GroupKey)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return a.explainNoOpenTicket(ctx, itID, plan, dec, ex)
	case err != nil:
		return "", fmt.Errorf("find open ticket link: %w", err)
	case link.State != store.LinkOpen:
		return "would add a note to the ticket being created for group " + dec.GroupKey, nil
	}
	t, err := conn.Ticket(ctx, link.PSATicketID)
	switch {
	case errors.Is(err, psa.ErrNotFound):
		ex.NewTicket = true
		return fmt.Sprintf("would create a new ticket: ticket %s of group %s was deleted in the PSA", link.TicketNumber, dec.GroupKey), nil
	case err != nil:
		ex.NoteOn = link.PSATicketID
		return fmt.Sprintf("would add a note %q to open ticket %s (group %s), unless the PSA has closed it (reading it failed: %v)",
			dec.Note.Title, link.TicketNumber, dec.GroupKey, err), nil
	case plan.Closed(t) && plan.ReopenWithin > 0:
		ex.NoteOn = link.PSATicketID
		return fmt.Sprintf("would reopen ticket %s of group %s, closed in the PSA (within reopen_within %s), and add a note %q",
			link.TicketNumber, dec.GroupKey, plan.ReopenWithin, dec.Note.Title), nil
	case plan.Closed(t):
		ex.NewTicket = true
		return fmt.Sprintf("would create a new ticket: ticket %s of group %s was closed in the PSA", link.TicketNumber, dec.GroupKey), nil
	}
	ex.NoteOn = link.PSATicketID
	return fmt.Sprintf("would add a note %q to open ticket %s (group %s)", dec.Note.Title, link.TicketNumber, dec.GroupKey), nil
}

// explainNoOpenTicket says what a group without a live ticket link gets:
// its ticket closed within ticket.reopen_within reopened, as routing
// would reopen it, or a new ticket.
func (a *App) explainNoOpenTicket(ctx context.Context, itID int64, plan *engine.Plan, dec rules.Decision, ex *Explanation) (string, error) {
	if plan.ReopenWithin > 0 {
		now := a.now()
		l, err := a.Store.LastClosedTicketLink(ctx, itID, dec.CompanyID, dec.GroupKey, now.Add(-plan.ReopenWithin))
		switch {
		case err == nil && l.PSATicketID != "" && l.ClosedAt != nil:
			ex.NoteOn = l.PSATicketID
			return fmt.Sprintf("would reopen ticket %s of group %s (closed %s ago, within reopen_within %s) and add a note %q",
				l.TicketNumber, dec.GroupKey, now.Sub(*l.ClosedAt).Round(time.Second), plan.ReopenWithin, dec.Note.Title), nil
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return "", fmt.Errorf("find closed ticket link: %w", err)
		}
	}
	ex.NewTicket = true
	return "would create a new ticket: no open ticket for group " + dec.GroupKey, nil
}

// pickLabel names a ticket field's value by the PSA's label.
func pickLabel(pl psa.Picklists, field, id string) string {
	if id == "" {
		return "(PSA default)"
	}
	return pl.Label(field, id)
}

func describeTicket(pl psa.Picklists, dec rules.Decision) []string {
	t := dec.Ticket
	field := func(label, f, id string) string { return label + ": " + pickLabel(pl, f, id) }
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

// explainContact chooses the new ticket's contact as the engine would
// and describes it. A failed lookup is a line, not an error: the rest of
// the explanation still holds.
func explainContact(ctx context.Context, conn psa.Connector, dec rules.Decision, ex *Explanation) string {
	c, err := engine.ChooseContact(ctx, conn, dec)
	if err != nil {
		return "contact: lookup failed: " + err.Error()
	}
	ex.Contact = c
	switch c.Source {
	case engine.ContactOff:
		return "contact: none (attach_contacts is off)"
	case engine.ContactByEmail:
		return fmt.Sprintf("contact: %s (found by email %s)", c.Name, dec.Contact.Email)
	case engine.ContactFallback:
		return "contact: fallback contact " + c.Name + " (no contact with the alert's email)"
	case engine.ContactCompanyFirst:
		return "contact: the company's first contact " + c.Name + " (no contact with the alert's email, none mapped)"
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
