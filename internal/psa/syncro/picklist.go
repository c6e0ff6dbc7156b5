package syncro

import (
	"context"
	"net/http"
	"strconv"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// ticketSettings is what GET /tickets/settings carries that we read.
type ticketSettings struct {
	Statuses    []string     `json:"ticket_status_list"`
	TicketTypes []ticketType `json:"ticket_types"`
	Users       []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"users"`
}

type ticketType struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Disabled bool   `json:"disabled"`
}

// accountSettings is what GET /settings carries that we read.
type accountSettings struct {
	Ticket struct {
		ProblemTypes []string `json:"problem_types"`
		Priorities   []string `json:"priorities"`
	} `json:"ticket"`
}

// Picklists reads statuses and ticket types (/tickets/settings) and
// problem types and priorities (/settings), cached for five minutes.
func (c *Connector) Picklists(ctx context.Context) (psa.Picklists, error) {
	c.pickMu.Lock()
	defer c.pickMu.Unlock()
	if c.picks != nil && c.cfg.Now().Before(c.pickExp) {
		return c.picks, nil
	}
	var ts ticketSettings
	if err := c.call(ctx, http.MethodGet, "/tickets/settings", nil, "tickets.settings", nil, &ts); err != nil {
		return nil, err
	}
	var as accountSettings
	if err := c.call(ctx, http.MethodGet, "/settings", nil, "settings.get", nil, &as); err != nil {
		return nil, err
	}
	p := psa.Picklists{
		psa.FieldStatus:    names(ts.Statuses),
		psa.FieldPriority:  names(as.Ticket.Priorities),
		psa.FieldIssueType: names(as.Ticket.ProblemTypes),
		psa.FieldNoteType:  {{ID: NoteTypeID, Label: NoteTypeLabel, Active: true}},
		psa.FieldCompanyType: {
			{ID: TypeBusiness, Label: "Business", Active: true},
			{ID: TypeIndividual, Label: "Individual", Active: true},
		},
	}
	for _, tt := range ts.TicketTypes {
		p[psa.FieldQueue] = append(p[psa.FieldQueue], psa.Value{ID: strconv.FormatInt(tt.ID, 10), Label: tt.Name, Active: !tt.Disabled})
	}
	c.picks, c.pickExp = p, c.cfg.Now().Add(picklistTTL)
	return p, nil
}

// names makes a picklist of values whose id is their name, leaving out
// the empty entry Syncro lists first among priorities.
func names(list []string) []psa.Value {
	out := make([]psa.Value, 0, len(list))
	for _, n := range list {
		if n != "" {
			out = append(out, psa.Value{ID: n, Label: n, Active: true})
		}
	}
	return out
}

// Test reads /me: one cheap call that exercises the token.
func (c *Connector) Test(ctx context.Context) error {
	var me struct {
		UserID int64 `json:"user_id"`
	}
	return c.call(ctx, http.MethodGet, "/me", nil, "me.get", nil, &me)
}
