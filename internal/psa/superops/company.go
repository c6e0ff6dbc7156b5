package superops

import (
	"context"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// pageSize is SuperOps' maximum records per list request.
const pageSize = 100

// maxPages bounds a listing, so a server that always says hasMore cannot
// keep us paging forever.
const maxPages = 1000

type wireClient struct {
	AccountID string `json:"accountId"`
	Name      string `json:"name"`
	Stage     string `json:"stage"`
	Status    string `json:"status"`
}

type listInfo struct {
	HasMore bool `json:"hasMore"`
}

// Companies lists active clients; f.Types are client stages.
func (c *Connector) Companies(ctx context.Context, f psa.CompanyFilter) ([]psa.Company, error) {
	var out []psa.Company
	for page := 1; page <= maxPages; page++ {
		in := map[string]any{"page": page, "pageSize": pageSize, "sort": []any{map[string]any{"attribute": "name", "order": "ASC"}}}
		if len(f.Types) > 0 {
			in["condition"] = map[string]any{"attribute": "stage", "operator": "includes", "value": f.Types}
		}
		var a struct {
			List struct {
				Clients []wireClient `json:"clients"`
				Info    listInfo     `json:"listInfo"`
			} `json:"getClientList"`
		}
		if err := c.do(ctx, "company.query", docClients, map[string]any{"input": in}, false, &a); err != nil {
			return nil, err
		}
		for _, wc := range a.List.Clients {
			if strings.EqualFold(wc.Status, "inactive") {
				continue
			}
			out = append(out, psa.Company{ID: wc.AccountID, Name: wc.Name, Type: wc.Stage, Active: true})
		}
		if !a.List.Info.HasMore {
			break
		}
	}
	return out, nil
}

type wireUser struct {
	UserID    string `json:"userId"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Email     string `json:"email"`
	Client    *struct {
		AccountID string `json:"accountId"`
	} `json:"client"`
}

func (u wireUser) contact(companyID string) psa.Contact {
	if u.Client != nil && u.Client.AccountID != "" {
		companyID = u.Client.AccountID
	}
	return psa.Contact{ID: u.UserID, CompanyID: companyID, FirstName: u.FirstName, LastName: u.LastName, Email: u.Email, Active: true}
}

// users lists a client's requesters matching cond (nil for all). Deleted
// requesters are not listed by SuperOps, so every one is active.
func (c *Connector) users(ctx context.Context, companyID string, cond map[string]any) ([]psa.Contact, error) {
	var out []psa.Contact
	for page := 1; page <= maxPages; page++ {
		li := map[string]any{"page": page, "pageSize": pageSize}
		if cond != nil {
			li["condition"] = cond
		}
		var a struct {
			List struct {
				Users []wireUser `json:"userList"`
				Info  listInfo   `json:"listInfo"`
			} `json:"getClientUserList"`
		}
		vars := map[string]any{"input": map[string]any{"clientId": companyID, "listInfo": li}}
		if err := c.do(ctx, "contact.query", docClientUsers, vars, false, &a); err != nil {
			return nil, err
		}
		for _, u := range a.List.Users {
			if ct := u.contact(companyID); ct.CompanyID == companyID {
				out = append(out, ct)
			}
		}
		if !a.List.Info.HasMore {
			break
		}
	}
	return out, nil
}

// Contacts lists a client's requesters.
func (c *Connector) Contacts(ctx context.Context, companyID string) ([]psa.Contact, error) {
	return c.users(ctx, companyID, nil)
}

// ContactByEmail finds a requester of the client by email; SuperOps
// matches case-insensitively.
func (c *Connector) ContactByEmail(ctx context.Context, companyID, email string) (psa.Contact, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return psa.Contact{}, psa.ErrNotFound
	}
	list, err := c.users(ctx, companyID, map[string]any{"attribute": "email", "operator": "is", "value": email})
	if err != nil {
		return psa.Contact{}, err
	}
	for _, ct := range list {
		if strings.EqualFold(ct.Email, email) {
			return ct, nil
		}
	}
	return psa.Contact{}, psa.ErrNotFound
}

// ContactsByEmail finds the requesters holding any of the emails in one
// request per page: "includes" matches whole values.
func (c *Connector) ContactsByEmail(ctx context.Context, companyID string, emails []string) ([]psa.Contact, error) {
	want := map[string]bool{}
	var values []any
	for _, e := range emails {
		e = strings.ToLower(strings.TrimSpace(e))
		if e != "" && !want[e] {
			want[e] = true
			values = append(values, e)
		}
	}
	if len(values) == 0 {
		return nil, nil
	}
	list, err := c.users(ctx, companyID, map[string]any{"attribute": "email", "operator": "includes", "value": values})
	if err != nil {
		return nil, err
	}
	var out []psa.Contact
	seen := map[string]bool{}
	for _, ct := range list {
		if want[strings.ToLower(ct.Email)] && !seen[ct.ID] {
			seen[ct.ID] = true
			out = append(out, ct)
		}
	}
	return out, nil
}
