package halopsa

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// Picklists reads the lookups names resolve against, cached for a while.
func (c *Connector) Picklists(ctx context.Context) (psa.Picklists, error) {
	c.pickMu.Lock()
	defer c.pickMu.Unlock()
	if c.picks != nil && c.now().Before(c.pickExp) {
		return c.picks, nil
	}
	p, err := c.readPicklists(ctx)
	if err != nil {
		return nil, err
	}
	c.picks, c.pickExp = p, c.now().Add(picklistTTL)
	return p, nil
}

type namedWire struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Inactive bool   `json:"inactive"`
}

type priorityWire struct {
	PriorityID int64  `json:"priorityid"`
	Name       string `json:"name"`
}

type outcomeWire struct {
	ID      int64  `json:"id"`
	Outcome string `json:"outcome"`
}

type categoryWire struct {
	Value string `json:"value"`
}

func (c *Connector) readPicklists(ctx context.Context) (psa.Picklists, error) {
	p := psa.Picklists{}
	named := []struct {
		field, path, key string
		q                url.Values
		byName           bool
	}{
		{psa.FieldStatus, "Status", "", nil, false},
		{psa.FieldType, "TicketType", "", nil, false},
		{psa.FieldQueue, "Team", "teams", nil, true},
		{psa.FieldCompanyType, "TopLevel", "tree", nil, false},
	}
	for _, n := range named {
		rows, err := lookup[namedWire](ctx, c, n.path, n.key, n.q, "picklist."+n.field)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			id := strconv.FormatInt(r.ID, 10)
			if n.byName {
				id = r.Name
			}
			p[n.field] = append(p[n.field], psa.Value{ID: id, Label: r.Name, Active: !r.Inactive})
		}
	}
	prios, err := lookup[priorityWire](ctx, c, "Priority", "", nil, "picklist.priority")
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	for _, r := range prios {
		if !seen[r.PriorityID] {
			seen[r.PriorityID] = true
			p[psa.FieldPriority] = append(p[psa.FieldPriority], psa.Value{ID: strconv.FormatInt(r.PriorityID, 10), Label: r.Name, Active: true})
		}
	}
	outcomes, err := lookup[outcomeWire](ctx, c, "Outcome", "", url.Values{"excludesystemactions": {"true"}}, "picklist.note_type")
	if err != nil {
		return nil, err
	}
	for _, r := range outcomes {
		p[psa.FieldNoteType] = append(p[psa.FieldNoteType], psa.Value{ID: strconv.FormatInt(r.ID, 10), Label: r.Outcome, Active: true})
	}
	cats, err := lookup[categoryWire](ctx, c, "Category", "", url.Values{"type_id": {"1"}}, "picklist.category")
	if err != nil {
		return nil, err
	}
	for _, r := range cats {
		p[psa.FieldCategory] = append(p[psa.FieldCategory], psa.Value{ID: r.Value, Label: r.Value, Active: true})
	}
	issues, err := lookup[categoryWire](ctx, c, "Category", "", url.Values{"type_id": {"2"}}, "picklist.issue_type")
	if err != nil {
		return nil, err
	}
	for _, r := range issues {
		parent, label, sub := strings.Cut(r.Value, ">")
		if !sub {
			p[psa.FieldIssueType] = append(p[psa.FieldIssueType], psa.Value{ID: r.Value, Label: r.Value, Active: true})
			continue
		}
		p[psa.FieldSubIssueType] = append(p[psa.FieldSubIssueType], psa.Value{ID: r.Value, Label: label, Active: true, Parent: parent})
	}
	return p, nil
}
