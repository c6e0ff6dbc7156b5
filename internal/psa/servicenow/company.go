package servicenow

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// Companies implements psa.Connector: core_company, typed by its flags.
// core_company has no active flag, so every company is listed active.
func (c *Connector) Companies(ctx context.Context, f psa.CompanyFilter) ([]psa.Company, error) {
	if len(f.Classifications) > 0 {
		return nil, permanent("ServiceNow companies have no classification: filter by type")
	}
	rows, err := list[row](ctx, c, "core_company", url.Values{
		"sysparm_query":  {"ORDERBYname"},
		"sysparm_fields": {fields("sys_id", "name", "customer", "vendor", "manufacturer")},
	}, 1000, "core_company.query")
	if err != nil {
		return nil, err
	}
	out := make([]psa.Company, 0, len(rows))
	for _, r := range rows {
		co := psa.Company{ID: r.get("sys_id"), Name: r.get("name"), Type: companyType(r), Active: true}
		if len(f.Types) == 0 || slices.Contains(f.Types, co.Type) {
			out = append(out, co)
		}
	}
	return out, nil
}

// companyType names a company's kind from its flags, customer first.
func companyType(r row) string {
	for _, t := range []string{"customer", "vendor", "manufacturer"} {
		if r.get(t) == "true" {
			return t
		}
	}
	return "other"
}

var contactFields = fields("sys_id", "first_name", "last_name", "email", "company", "active")

// Contacts implements psa.Connector: the company's active users.
func (c *Connector) Contacts(ctx context.Context, companyID string) ([]psa.Contact, error) {
	if !safe(companyID) {
		return nil, permanent("invalid company id %q", companyID)
	}
	rows, err := list[row](ctx, c, "sys_user", url.Values{
		"sysparm_query":  {"company=" + companyID + "^active=true^ORDERBYlast_name^ORDERBYfirst_name"},
		"sysparm_fields": {contactFields},
	}, 1000, "sys_user.query")
	if err != nil {
		return nil, err
	}
	out := make([]psa.Contact, 0, len(rows))
	for _, r := range rows {
		out = append(out, contactOf(r))
	}
	return out, nil
}

func contactOf(r row) psa.Contact {
	return psa.Contact{ID: r.get("sys_id"), CompanyID: r.get("company"), FirstName: r.get("first_name"),
		LastName: r.get("last_name"), Email: r.get("email"), Active: r.get("active") == "true"}
}

// ContactByEmail implements psa.Connector. The address is sent in lower
// case and compared here without regard to case: the docs call query
// values case-sensitive, instances mostly compare them without case.
func (c *Connector) ContactByEmail(ctx context.Context, companyID, email string) (psa.Contact, error) {
	found, err := c.ContactsByEmail(ctx, companyID, []string{email})
	if err != nil {
		return psa.Contact{}, err
	}
	if len(found) == 0 {
		return psa.Contact{}, psa.ErrNotFound
	}
	return found[0], nil
}

// ContactsByEmail implements psa.ContactBatcher with one emailIN query.
func (c *Connector) ContactsByEmail(ctx context.Context, companyID string, emails []string) ([]psa.Contact, error) {
	if !safe(companyID) {
		return nil, permanent("invalid company id %q", companyID)
	}
	var want []string
	for _, e := range emails {
		e = strings.ToLower(strings.TrimSpace(e))
		if e != "" && safe(e) && !slices.Contains(want, e) {
			want = append(want, e)
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	rows, err := list[row](ctx, c, "sys_user", url.Values{
		"sysparm_query":  {"company=" + companyID + "^active=true^emailIN" + strings.Join(want, ",") + "^ORDERBYsys_created_on"},
		"sysparm_fields": {contactFields},
	}, 1000, "sys_user.query")
	if err != nil {
		return nil, err
	}
	var out []psa.Contact
	seen := map[string]bool{}
	for _, r := range rows {
		ct := contactOf(r)
		email := strings.ToLower(ct.Email)
		if !slices.Contains(want, email) || seen[email] || ct.CompanyID != companyID || !ct.Active {
			continue
		}
		seen[email] = true
		ct.Email = email
		out = append(out, ct)
	}
	return out, nil
}
