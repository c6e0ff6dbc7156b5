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
	return c.contacts(ctx, companyID, "")
}

// ContactByEmail finds an active contact of the company by any of its email
// communication items. ConnectWise compares case-insensitively; the match
// is checked again here so a case-sensitive peer cannot return a wrong one.
func (c *Connector) ContactByEmail(ctx context.Context, companyID, email string) (psa.Contact, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return psa.Contact{}, fmt.Errorf("connectwise contact by email: empty email: %w", psa.ErrNotFound)
	}
	found, err := c.contacts(ctx, companyID, email)
	if err != nil {
		return psa.Contact{}, err
	}
	if len(found) == 0 {
		return psa.Contact{}, fmt.Errorf("connectwise contact by email: %w", psa.ErrNotFound)
	}
	return found[0], nil
}

// contacts queries a company's active contacts, those holding email when
// it is set (reported with that address).
func (c *Connector) contacts(ctx context.Context, companyID, email string) ([]psa.Contact, error) {
	cid, err := parseID("company", companyID)
	if err != nil {
		return nil, err
	}
	q := url.Values{
		"conditions": {and(eqInt("company/id", cid), "inactiveFlag=false")},
		"orderBy":    {"id asc"},
	}
	if email != "" {
		q.Set("childConditions", and(eqString("communicationItems/value", email),
			eqString("communicationItems/communicationType", "Email")))
	}
	rows, err := collect[contactWire](ctx, c, "company/contacts", q, "contacts.list")
	if err != nil {
		return nil, err
	}
	out := make([]psa.Contact, 0, len(rows))
	for _, r := range rows {
		addr, ok := r.email(email)
		if !ok || r.InactiveFlag || idOf(r.Company) != itoa(cid) {
			continue
		}
		out = append(out, psa.Contact{
			ID: itoa(r.ID), CompanyID: idOf(r.Company),
			FirstName: r.FirstName, LastName: r.LastName, Email: addr, Active: true,
		})
	}
	return out, nil
}

// email returns the contact's address: the one equal to want when want is
// set (ok false when none is), else the default email item or the first.
func (w contactWire) email(want string) (string, bool) {
	var first, def string
	for _, it := range w.CommunicationItems {
		if !strings.EqualFold(it.CommunicationType, "Email") || it.Value == "" {
			continue
		}
		if want != "" && strings.EqualFold(strings.TrimSpace(it.Value), want) {
			return it.Value, true
		}
		if first == "" {
			first = it.Value
		}
		if it.DefaultFlag && def == "" {
			def = it.Value
		}
	}
	if want != "" {
		return "", false
	}
	return cmp.Or(def, first), true
}
