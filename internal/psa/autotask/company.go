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

// Companies lists active companies, narrowed by type, classification and
// market segment ids, and to parent or child accounts (parentCompanyID
// empty or set).
func (c *Connector) Companies(ctx context.Context, f psa.CompanyFilter) ([]psa.Company, error) {
	filters := []filter{{Op: "eq", Field: "isActive", Value: true}}
	for _, in := range []struct {
		field string
		ids   []string
	}{{"companyType", f.Types}, {"classification", f.Classifications}, {"marketSegmentID", f.MarketSegments}} {
		if len(in.ids) == 0 {
			continue
		}
		ids, err := parseIDs(in.field, in.ids)
		if err != nil {
			return nil, err
		}
		filters = append(filters, filter{Op: "in", Field: in.field, Value: ids})
	}
	switch f.Accounts {
	case psa.AccountsParent:
		filters = append(filters, filter{Op: "notExist", Field: "parentCompanyID"})
	case psa.AccountsChild:
		filters = append(filters, filter{Op: "exist", Field: "parentCompanyID"})
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
	return c.contacts(ctx, companyID, nil, nil)
}

// ContactByEmail finds an active contact of the company by any of its three
// email addresses. Autotask compares strings case-insensitively; the match
// is checked again here so a case-sensitive peer cannot return a wrong one.
func (c *Connector) ContactByEmail(ctx context.Context, companyID, email string) (psa.Contact, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return psa.Contact{}, fmt.Errorf("autotask contact by email: empty email: %w", psa.ErrNotFound)
	}
	found, err := c.ContactsByEmail(ctx, companyID, []string{email})
	if err != nil {
		return psa.Contact{}, err
	}
	if len(found) == 0 {
		return psa.Contact{}, fmt.Errorf("autotask contact by email: %w", psa.ErrNotFound)
	}
	return found[0], nil
}

var _ psa.ContactBatcher = (*Connector)(nil)

// ContactsByEmail implements psa.ContactBatcher: one query per 500 emails,
// each matched against all three address fields.
func (c *Connector) ContactsByEmail(ctx context.Context, companyID string, emails []string) ([]psa.Contact, error) {
	var out []psa.Contact
	for start := 0; start < len(emails); start += maxInValues {
		chunk := emails[start:min(start+maxInValues, len(emails))]
		want := make(map[string]bool, len(chunk))
		values := make([]any, 0, len(chunk))
		for _, e := range chunk {
			if e = strings.ToLower(strings.TrimSpace(e)); e != "" && !want[e] {
				want[e] = true
				values = append(values, e)
			}
		}
		if len(values) == 0 {
			continue
		}
		byEmail := filter{Op: "or", Items: []filter{
			{Op: "in", Field: "emailAddress", Value: values},
			{Op: "in", Field: "emailAddress2", Value: values},
			{Op: "in", Field: "emailAddress3", Value: values},
		}}
		found, err := c.contacts(ctx, companyID, &byEmail, want)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return out, nil
}

// contacts queries a company's active contacts, optionally with one more
// condition. With emails set (lower-case) a contact is reported once per
// address of its that is in the set, with that address; others are
// dropped.
func (c *Connector) contacts(ctx context.Context, companyID string, extra *filter, emails map[string]bool) ([]psa.Contact, error) {
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
		addrs := []string{firstNonEmpty(r.EmailAddress, r.EmailAddress2, r.EmailAddress3)}
		if emails != nil {
			addrs = matching(emails, r.EmailAddress, r.EmailAddress2, r.EmailAddress3)
		}
		for _, addr := range addrs {
			out = append(out, psa.Contact{
				ID:        string(r.ID),
				CompanyID: string(r.CompanyID),
				FirstName: r.FirstName,
				LastName:  r.LastName,
				Email:     addr,
				Active:    bool(r.IsActive),
			})
		}
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

// matching returns the addresses among vs that are in the lower-case set,
// each once.
func matching(emails map[string]bool, vs ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range vs {
		k := strings.ToLower(strings.TrimSpace(v))
		if emails[k] && !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}
