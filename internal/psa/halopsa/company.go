package halopsa

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

type clientWire struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Inactive   bool   `json:"inactive"`
	TopLevelID int64  `json:"toplevel_id"`
}

// Companies lists active clients; a type filter is their top level.
func (c *Connector) Companies(ctx context.Context, f psa.CompanyFilter) ([]psa.Company, error) {
	q := url.Values{"includeinactive": {"false"}}
	if len(f.Types) == 1 {
		q.Set("toplevel_id", f.Types[0])
	}
	rows, err := list[clientWire](ctx, c, "Client", "clients", q, "clients.query")
	if err != nil {
		return nil, err
	}
	var out []psa.Company
	for _, r := range rows {
		typ := itoa(r.TopLevelID)
		if r.Inactive || (len(f.Types) > 0 && !slices.Contains(f.Types, typ)) {
			continue
		}
		out = append(out, psa.Company{ID: itoa(r.ID), Name: r.Name, Type: typ, Active: true})
	}
	return out, nil
}

// users lists the client's active users, narrowed by search when set.
func (c *Connector) users(ctx context.Context, companyID, search string) ([]userWire, error) {
	cid, err := atoi("company", companyID)
	if err != nil {
		return nil, err
	}
	q := url.Values{"client_id": {strconv.FormatInt(cid, 10)}}
	if search != "" {
		q.Set("search", search)
	}
	rows, err := list[userWire](ctx, c, "Users", "users", q, "users.query")
	if err != nil {
		return nil, err
	}
	out := rows[:0]
	for _, u := range rows {
		if !u.Inactive && itoa(u.ClientID) == companyID {
			out = append(out, u)
		}
	}
	return out, nil
}

// Contacts lists the client's active users.
func (c *Connector) Contacts(ctx context.Context, companyID string) ([]psa.Contact, error) {
	rows, err := c.users(ctx, companyID, "")
	if err != nil {
		return nil, err
	}
	out := make([]psa.Contact, len(rows))
	for i, u := range rows {
		out[i] = u.contact("")
	}
	return out, nil
}

// ContactByEmail searches the client's users for the address and
// matches it exactly (any case, any of the user's three addresses).
func (c *Connector) ContactByEmail(ctx context.Context, companyID, email string) (psa.Contact, error) {
	rows, err := c.users(ctx, companyID, strings.TrimSpace(email))
	if err != nil {
		return psa.Contact{}, err
	}
	for _, u := range rows {
		if e := u.holds(email); e != "" {
			return u.contact(e), nil
		}
	}
	return psa.Contact{}, psa.ErrNotFound
}

// ContactsByEmail implements psa.ContactBatcher: the client's users in
// one listing, matched here.
func (c *Connector) ContactsByEmail(ctx context.Context, companyID string, emails []string) ([]psa.Contact, error) {
	if len(emails) == 0 {
		return nil, nil
	}
	rows, err := c.users(ctx, companyID, "")
	if err != nil {
		return nil, err
	}
	var out []psa.Contact
	seen := map[string]bool{}
	for _, u := range rows {
		for _, email := range emails {
			key := u.ID
			e := u.holds(email)
			if e == "" || seen[strconv.FormatInt(key, 10)+"\x00"+strings.ToLower(e)] {
				continue
			}
			seen[strconv.FormatInt(key, 10)+"\x00"+strings.ToLower(e)] = true
			out = append(out, u.contact(e))
		}
	}
	return out, nil
}
