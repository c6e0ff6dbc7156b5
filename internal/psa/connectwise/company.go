package connectwise

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

type companyWire struct {
	ID          int64  `json:"id"`
	Identifier  string `json:"identifier"`
	Name        string `json:"name"`
	Types       []ref  `json:"types"`
	Status      *ref   `json:"status"`
	DeletedFlag bool   `json:"deletedFlag"`
}

type contactWire struct {
	ID                 int64  `json:"id"`
	FirstName          string `json:"firstName"`
	LastName           string `json:"lastName"`
	Company            *ref   `json:"company"`
	InactiveFlag       bool   `json:"inactiveFlag"`
	CommunicationItems []struct {
		Value             string `json:"value"`
		CommunicationType string `json:"communicationType"`
		DefaultFlag       bool   `json:"defaultFlag"`
	} `json:"communicationItems"`
}

// activeCompanies are the conditions ConnectWise's own integrations use for
// "a customer we work for": not deleted, status Active.
var activeCompanies = and("deletedFlag=false", eqString("status/name", "Active"))

// Companies lists active companies, narrowed by company type ids. A company
// has several types in ConnectWise; the one reported is the first that
// matches the filter, or its first. ConnectWise has no classifications.
func (c *Connector) Companies(ctx context.Context, f psa.CompanyFilter) ([]psa.Company, error) {
	if len(f.Classifications) > 0 {
		return nil, unsupported("company classifications")
	}
	q := url.Values{
		"conditions": {activeCompanies},
		"fields":     {"id,identifier,name,types,status,deletedFlag"},
		"orderBy":    {"id asc"},
	}
	var types []int64
	if len(f.Types) > 0 {
		var err error
		if types, err = parseIDs("company type", f.Types); err != nil {
			return nil, err
		}
		q.Set("childConditions", anyInt("types/id", types))
	}
	rows, err := collect[companyWire](ctx, c, "company/companies", q, "companies.list")
	if err != nil {
		return nil, err
	}
	out := make([]psa.Company, 0, len(rows))
	for _, r := range rows {
		typ, ok := companyType(r.Types, types)
		if !ok || r.DeletedFlag {
			continue // a peer that ignored the conditions
		}
		out = append(out, psa.Company{ID: itoa(r.ID), Name: r.Name, Type: typ, Active: true})
	}
	return out, nil
}

// companyType picks the type reported for a company; ok is false when a
// filter is given and the company has none of its types.
func companyType(types []ref, want []int64) (string, bool) {
	if len(want) == 0 {
		if len(types) == 0 {
			return "", true
		}
		return itoa(types[0].ID), true
	}
	for _, t := range types {
		if slices.Contains(want, t.ID) {
			return itoa(t.ID), true
		}
	}
	return "", false
}

// Contacts lists the active contacts of one company.
func (c *Connector) Contacts(ctx context.Context, companyID string) ([]psa.Contact, error) {
	return c.contacts(ctx, companyID, "", nil)
}

// ContactByEmail finds an active contact of the company by any of its email
// communication items. ConnectWise compares case-insensitively; the match
// is checked again here so a case-sensitive peer cannot return a wrong one.
func (c *Connector) ContactByEmail(ctx context.Context, companyID, email string) (psa.Contact, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return psa.Contact{}, fmt.Errorf("connectwise contact by email: empty email: %w", psa.ErrNotFound)
	}
	found, err := c.ContactsByEmail(ctx, companyID, []string{email})
	if err != nil {
		return psa.Contact{}, err
	}
	if len(found) == 0 {
		return psa.Contact{}, fmt.Errorf("connectwise contact by email: %w", psa.ErrNotFound)
	}
	return found[0], nil
}

var _ psa.ContactBatcher = (*Connector)(nil)

// maxEmailsPerQuery keeps an or-group of email conditions well inside URL
// length limits.
const maxEmailsPerQuery = 25

// ContactsByEmail implements psa.ContactBatcher with one query per 25
// emails: the contacts holding any of them as an Email communication item.
func (c *Connector) ContactsByEmail(ctx context.Context, companyID string, emails []string) ([]psa.Contact, error) {
	want := map[string]bool{}
	var unique []string
	for _, e := range emails {
		if k := strings.ToLower(strings.TrimSpace(e)); k != "" && !want[k] {
			want[k] = true
			unique = append(unique, k)
		}
	}
	var out []psa.Contact
	for start := 0; start < len(unique); start += maxEmailsPerQuery {
		chunk := unique[start:min(start+maxEmailsPerQuery, len(unique))]
		found, err := c.contacts(ctx, companyID, and(anyString("communicationItems/value", chunk),
			eqString("communicationItems/communicationType", "Email")), want)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return out, nil
}

// contacts queries a company's active contacts, narrowed by child
// conditions when set. With emails set (lower-case) a contact is reported
// once per Email item of its in the set, with that address; others are
// dropped.
func (c *Connector) contacts(ctx context.Context, companyID, childConditions string, emails map[string]bool) ([]psa.Contact, error) {
	cid, err := parseID("company", companyID)
	if err != nil {
		return nil, err
	}
	q := url.Values{
		"conditions": {and(eqInt("company/id", cid), "inactiveFlag=false")},
		"orderBy":    {"id asc"},
	}
	if childConditions != "" {
		q.Set("childConditions", childConditions)
	}
	rows, err := collect[contactWire](ctx, c, "company/contacts", q, "contacts.list")
	if err != nil {
		return nil, err
	}
	out := make([]psa.Contact, 0, len(rows))
	for _, r := range rows {
		if r.InactiveFlag || idOf(r.Company) != itoa(cid) {
			continue
		}
		for _, addr := range r.emails(emails) {
			out = append(out, psa.Contact{
				ID: itoa(r.ID), CompanyID: idOf(r.Company),
				FirstName: r.FirstName, LastName: r.LastName, Email: addr, Active: true,
			})
		}
	}
	return out, nil
}

// emails returns the contact's Email items in the set, each once; with no
// set, its default email item or else the first (one entry, possibly "").
func (w contactWire) emails(set map[string]bool) []string {
	if set == nil {
		return []string{w.defaultEmail()}
	}
	var out []string
	seen := map[string]bool{}
	for _, it := range w.CommunicationItems {
		k := strings.ToLower(strings.TrimSpace(it.Value))
		if strings.EqualFold(it.CommunicationType, "Email") && set[k] && !seen[k] {
			seen[k] = true
			out = append(out, it.Value)
		}
	}
	return out
}

// defaultEmail returns the contact's default Email item, else the first.
func (w contactWire) defaultEmail() string {
	var first, def string
	for _, it := range w.CommunicationItems {
		if !strings.EqualFold(it.CommunicationType, "Email") || it.Value == "" {
			continue
		}
		if first == "" {
			first = it.Value
		}
		if it.DefaultFlag && def == "" {
			def = it.Value
		}
	}
	return cmp.Or(def, first)
}
