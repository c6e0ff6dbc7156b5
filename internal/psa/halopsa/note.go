package halopsa

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// AddNote adds an action to the ticket: outcome n.Type, the title as the
// note's first line, internal notes hidden from the end user, no email.
func (c *Connector) AddNote(ctx context.Context, ticketID string, n psa.NewNote) (string, error) {
	tid, err := atoi("ticket", ticketID)
	if err != nil {
		return "", err
	}
	oid, err := atoi("note type", n.Type)
	if err != nil {
		return "", err
	}
	a := actionWire{TicketID: tid, OutcomeID: oid, Note: noteText(n.Title, n.Description), HiddenFromUser: n.Visibility != psa.VisibilityExternal}
	var got actionWire
	if err := c.call(ctx, http.MethodPost, "Actions", nil, "actions.create", []actionWire{a}, &got); err != nil {
		return "", notFound(err, "ticket "+ticketID)
	}
	if got.ID == 0 {
		return "", &psa.Error{Class: psa.Retryable, Message: "actions.create: the answer names no action id (the note may exist; a retry checks first)"}
	}
	return strconv.FormatInt(got.ID, 10), nil
}

// noteText puts the title on the first line: actions have no title.
func noteText(title, desc string) string { return title + "\n" + desc }

// splitNote reads noteText back; a note without a line break (a
// technician's one-liner) is all description.
func splitNote(text string) (title, desc string) {
	title, desc, ok := strings.Cut(text, "\n")
	if !ok {
		return "", text
	}
	return title, desc
}

// actions lists a ticket's actions, system ones included when sys.
func (c *Connector) actions(ctx context.Context, ticketID string, sys bool) ([]actionWire, error) {
	tid, err := atoi("ticket", ticketID)
	if err != nil {
		return nil, err
	}
	q := url.Values{"ticket_id": {strconv.FormatInt(tid, 10)}}
	if !sys {
		q.Set("excludesys", "true")
	}
	// The action list takes no paging parameters: one call has them all.
	rows, err := lookup[actionWire](ctx, c, "Actions", "actions", q, "actions.query")
	if err != nil {
		return nil, notFound(err, "ticket "+ticketID)
	}
	slices.SortStableFunc(rows, func(a, b actionWire) int {
		return cmp.Or(parseTime(a.DateTime).Compare(parseTime(b.DateTime)), cmp.Compare(a.ID, b.ID))
	})
	return rows, nil
}

// Notes lists the ticket's actions (system ones left out), oldest first.
func (c *Connector) Notes(ctx context.Context, ticketID string) ([]psa.Note, error) {
	rows, err := c.actions(ctx, ticketID, false)
	if err != nil {
		return nil, err
	}
	out := make([]psa.Note, 0, len(rows))
	for _, r := range rows {
		title, desc := splitNote(r.Note)
		vis := psa.VisibilityExternal
		if r.HiddenFromUser {
			vis = psa.VisibilityInternal
		}
		out = append(out, psa.Note{ID: strconv.FormatInt(r.ID, 10), Title: title, Description: desc,
			Type: itoa(r.OutcomeID), Visibility: vis, CreatedAt: parseTime(r.DateTime)})
	}
	return out, nil
}

// TicketActivity implements psa.ActivityReader: any action, system ones
// (status changes) included, by an agent other than the API
// application's own.
func (c *Connector) TicketActivity(ctx context.Context, ticketID string) (psa.TicketActivity, error) {
	me, err := c.agentID(ctx)
	if err != nil {
		return psa.TicketActivity{}, err
	}
	rows, err := c.actions(ctx, ticketID, true)
	if err != nil {
		return psa.TicketActivity{}, err
	}
	for _, r := range rows {
		if who := itoa(r.WhoAgentID); who != me {
			what := "note"
			if r.NewStatus != 0 {
				what = "status change"
			}
			return psa.TicketActivity{TouchedByOthers: true,
				Detail: fmt.Sprintf("%s (%s) by %s at %s", what, r.Outcome, cmp.Or(r.Who, "agent "+who), r.DateTime)}, nil
		}
	}
	return psa.TicketActivity{}, nil
}

// agentID is the API application's agent, read once from /api/Agent/me.
func (c *Connector) agentID(ctx context.Context) (string, error) {
	c.meMu.Lock()
	defer c.meMu.Unlock()
	if c.me != "" {
		return c.me, nil
	}
	var me struct {
		ID int64 `json:"id"`
	}
	if err := c.call(ctx, http.MethodGet, "Agent/me", nil, "agent.me", nil, &me); err != nil {
		return "", err
	}
	c.me = strconv.FormatInt(me.ID, 10)
	return c.me, nil
}

// Test fetches a token and reads the API application's own agent.
func (c *Connector) Test(ctx context.Context) error {
	c.meMu.Lock()
	c.me = ""
	c.meMu.Unlock()
	_, err := c.agentID(ctx)
	return err
}
