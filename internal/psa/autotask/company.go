package autotask

import (
	"context"
	"fmt"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

type companyWire struct {
	ID             flexString `json:"id"`
	CompanyName    string     `json:"companyName"`
	CompanyType    flexString `json:"companyType"`
	Classification flexString `json:"classification"`
	IsActive       flexBool   `json:"isActive"`
}

type contactWire struct {
	ID            flexString `json:"id"`
	CompanyID     flexString `json:"companyID"`
	FirstName     string     `json:"firstName"`
	LastName      string     `json:"lastName"`
	EmailAddress  string     `json:"emailAddress"`
	EmailAddress2 string     `json:"emailAddress2"`
	EmailAddress3 string     `json:"emailAddress3"`
	IsActive      flexBool   `json:"isActive"`
}

// Companies lists active companies, narrowed by type and classification ids.
func (c *Connector) Companies(ctx context.Context, f psa.CompanyFilter) ([]psa.Company, error) {
	filters := []filter{{Op: "eq", Field: "isActive", Value: true}}
	for _, in := range []struct {
		field string
		ids   []string
	}{{"companyType", f.Types}, {"classification", f.Classifications}} {
		if len(in.ids) == 0 {
			continue
		}
		ids, err := parseIDs(in.field, in.ids)
		if err != nil {
			return nil, err
		}
		filters = append(filters, filter{Op: "in", Field: in.field, Value: ids})
	}
	rows, err := queryAll[companyWire](ctx, c, "Companies", "companies.query", filters)
	if err != nil {
		return nil, err
	}
	out := make([]psa.Company, 0, len(rows))
	for _, r := range rows {
		out = append(out, psa.Company{
			ID:             string(r.ID),
			Name:           r.CompanyName,
			Type:           string(r.CompanyType),
			Classification: string(r.Classification),
			Active:         bool(r.IsActive),
		})
	}
	return out, nil
}

// Contacts lists the active contacts of one company.
func (c *Connector) Contacts(ctx context.Context, companyID string) ([]psa.Contact, error) {
	return c.contacts(ctx, companyID, nil, "")
}

// ContactByEmail finds an active contact of the company by any of its three
// email addresses. Autotask compares strings case-insensitively; the match
// is checked again here so a case-sensitive peer cannot return a wrong one.
func (c *Connector) ContactByEmail(ctx context.Context, companyID, email string) (psa.Contact, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return psa.Contact{}, fmt.Errorf("autotask contact by email: empty email: %w", psa.ErrNotFound)
	}
	byEmail := filter{Op: "or", Items: []filter{
		{Op: "eq", Field: "emailAddress", Value: email},
		{Op: "eq", Field: "emailAddress2", Value: email},
		{Op: "eq", Field: "emailAddress3", Value: email},
	}}
	found, err := c.contacts(ctx, companyID, &byEmail, email)
	if err != nil {
		return psa.Contact{}, err
	}
	if len(found) == 0 {
		return psa.Contact{}, fmt.Errorf("autotask contact by email: %w", psa.ErrNotFound)
	}
	return found[0], nil
}

// contacts queries a company's active contacts, optionally with one more
// condition. With email set only contacts holding that address are kept
// and reported with it.
func (c *Connector) contacts(ctx context.Context, companyID string, extra *filter, email string) ([]psa.Contact, error) {
	cid, err := parseID("company", companyID)
	if err != nil {
		return nil, err
	}
	filters := []filter{
		{Op: "eq", Field: "companyID", Value: cid},
		{Op: "eq", Field: "isActive", Value: 1},
	}
	if extra != nil {
		filters = append(filters, *extra)
	}
	rows, err := queryAll[contactWire](ctx, c, "Contacts", "contacts.query", filters)
	if err != nil {
		return nil, err
	}
	out := make([]psa.Contact, 0, len(rows))
	for _, r := range rows {
		addr := firstNonEmpty(r.EmailAddress, r.EmailAddress2, r.EmailAddress3)
		if email != "" {
			if addr = matching(email, r.EmailAddress, r.EmailAddress2, r.EmailAddress3); addr == "" {
				continue
			}
		}
		out = append(out, psa.Contact{
			ID:        string(r.ID),
			CompanyID: string(r.CompanyID),
			FirstName: r.FirstName,
			LastName:  r.LastName,
			Email:     addr,
			Active:    bool(r.IsActive),
		})
	}
	return out, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func matching(email string, vs ...string) string {
	for _, v := range vs {
		if strings.EqualFold(strings.TrimSpace(v), email) {
			return v
		}
	}
	return ""
}
