package superops

import (
	"context"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

type idName struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type customField struct {
	ColumnName string `json:"columnName"`
	Label      string `json:"label"`
}

// picklistAnswer is docPicklists' data: six lists in one request.
type picklistAnswer struct {
	Statuses   []idName `json:"getStatusList"`
	Priorities []idName `json:"getPriorityList"`
	Categories []struct {
		idName
		Subs []idName `json:"subCategories"`
	} `json:"getCategoryList"`
	Groups []struct {
		GroupID string `json:"groupId"`
		Name    string `json:"name"`
	} `json:"getTechnicianGroupList"`
	Stages []struct {
		Name string `json:"name"`
	} `json:"getClientStageList"`
	Fields []customField `json:"getTicketCustomFieldList"`
}

// Picklists reads every list in one request and caches it; the reference
// field's column comes with it.
func (c *Connector) Picklists(ctx context.Context) (psa.Picklists, error) {
	c.pickMu.Lock()
	defer c.pickMu.Unlock()
	if c.picks != nil && c.cfg.Now().Before(c.pickExp) {
		return c.picks, nil
	}
	var a picklistAnswer
	if err := c.do(ctx, "picklists", docPicklists, nil, false, &a); err != nil {
		return nil, err
	}
	c.noteRefField(a.Fields)
	p := psa.Picklists{psa.FieldNoteType: {{ID: NoteTypeID, Label: NoteTypeLabel, Active: true}}}
	byName := func(field string, list []idName) {
		for _, v := range list {
			p[field] = append(p[field], psa.Value{ID: v.Name, Label: v.Name, Active: true})
		}
	}
	byName(psa.FieldStatus, a.Statuses)
	byName(psa.FieldPriority, a.Priorities)
	for _, cat := range a.Categories {
		p[psa.FieldIssueType] = append(p[psa.FieldIssueType], psa.Value{ID: cat.Name, Label: cat.Name, Active: true})
		for _, sub := range cat.Subs {
			p[psa.FieldSubIssueType] = append(p[psa.FieldSubIssueType], psa.Value{ID: sub.Name, Label: sub.Name, Active: true, Parent: cat.Name})
		}
	}
	for _, g := range a.Groups {
		p[psa.FieldQueue] = append(p[psa.FieldQueue], psa.Value{ID: g.GroupID, Label: g.Name, Active: true})
	}
	for _, s := range a.Stages {
		p[psa.FieldCompanyType] = append(p[psa.FieldCompanyType], psa.Value{ID: s.Name, Label: s.Name, Active: true})
	}
	c.picks, c.pickExp = p, c.cfg.Now().Add(picklistTTL)
	return p, nil
}

// Test checks the token and the subdomain with the cheapest query, and in
// the same request that the reference field exists, so a missing one is
// reported when the settings are applied rather than at the first ticket.
func (c *Connector) Test(ctx context.Context) error {
	var a struct {
		Fields []customField `json:"getTicketCustomFieldList"`
	}
	if err := c.do(ctx, "test", docTest, nil, false, &a); err != nil {
		return err
	}
	if c.noteRefField(a.Fields) == "" {
		return errNoRefField
	}
	return nil
}

// errNoRefField says what to set up when the reference field is missing.
var errNoRefField = &psa.Error{Class: psa.Permanent, Message: `superops: no ticket custom field labelled "` + RefFieldLabel +
	`": add a Text ticket custom field with that label in SuperOps, where ticketbridge keeps each ticket's reference`}

// refColumn returns the column of the reference field, looking it up
// once. Without the field the connector cannot find its tickets again
// after a crash, so creating one is refused.
func (c *Connector) refColumn(ctx context.Context) (string, error) {
	c.refMu.Lock()
	col := c.refCol
	c.refMu.Unlock()
	if col != "" {
		return col, nil
	}
	var a struct {
		Fields []customField `json:"getTicketCustomFieldList"`
	}
	if err := c.do(ctx, "ticket.fields", docRefField, nil, false, &a); err != nil {
		return "", err
	}
	if col = c.noteRefField(a.Fields); col == "" {
		return "", errNoRefField
	}
	return col, nil
}

// noteRefField remembers the reference field's column among fields.
func (c *Connector) noteRefField(fields []customField) string {
	for _, f := range fields {
		if f.Label == RefFieldLabel && f.ColumnName != "" {
			c.refMu.Lock()
			c.refCol = f.ColumnName
			c.refMu.Unlock()
			return f.ColumnName
		}
	}
	return ""
}
