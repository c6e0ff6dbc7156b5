package syncro

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// meta is the paging block of every list answer.
type meta struct {
	TotalPages int `json:"total_pages"`
	Page       int `json:"page"`
}

// maxPages bounds a listing, so a server that always claims more pages
// cannot keep the connector paging forever.
const maxPages = 2000

// pages reads every page of a list: fetch decodes page n and returns how
// many items it held and the meta; paging stops at meta.total_pages or an
// empty page.
func pages(ctx context.Context, fetch func(ctx context.Context, page int) (int, meta, error)) error {
	for n := 1; n <= maxPages; n++ {
		got, m, err := fetch(ctx, n)
		if err != nil {
			return err
		}
		if got == 0 || n >= m.TotalPages {
			return nil
		}
	}
	return nil
}

type wireCustomer struct {
	ID           int64  `json:"id"`
	BusinessName string `json:"business_name"`
	Fullname     string `json:"fullname"`
	BusinessThen string `json:"business_then_name"`
	Disabled     bool   `json:"disabled"`
}

func (w wireCustomer) company() psa.Company {
	name := w.BusinessThen
	if name == "" {
		name = w.BusinessName
	}
	if name == "" {
		name = w.Fullname
	}
	typ := TypeBusiness
	if strings.TrimSpace(w.BusinessName) == "" {
		typ = TypeIndividual
	}
	return psa.Company{ID: strconv.FormatInt(w.ID, 10), Name: name, Type: typ, Active: !w.Disabled}
}

// Companies lists the enabled customers, filtered by type (business or
// individual) here: the API has no such filter.
func (c *Connector) Companies(ctx context.Context, f psa.CompanyFilter) ([]psa.Company, error) {
	var out []psa.Company
	err := pages(ctx, func(ctx context.Context, n int) (int, meta, error) {
		var page struct {
			Customers []wireCustomer `json:"customers"`
			Meta      meta           `json:"meta"`
		}
		q := url.Values{"page": {strconv.Itoa(n)}, "sort": {"business_name ASC"}}
		if err := c.call(ctx, http.MethodGet, "/customers", q, "customers.list", nil, &page); err != nil {
			return 0, meta{}, err
		}
		for _, w := range page.Customers {
			co := w.company()
			if co.Active && (len(f.Types) == 0 || slices.Contains(f.Types, co.Type)) && !slices.ContainsFunc(out, func(o psa.Company) bool { return o.ID == co.ID }) {
				out = append(out, co)
			}
		}
		return len(page.Customers), page.Meta, nil
	})
	return out, err
}

type wireContact struct {
	ID         int64  `json:"id"`
	CustomerID int64  `json:"customer_id"`
	Name       string `json:"name"`
	Email      string `json:"email"`
}

func (w wireContact) contact() psa.Contact {
	first, last, _ := strings.Cut(strings.TrimSpace(w.Name), " ")
	return psa.Contact{ID: strconv.FormatInt(w.ID, 10), CompanyID: strconv.FormatInt(w.CustomerID, 10),
		FirstName: first, LastName: strings.TrimSpace(last), Email: w.Email, Active: true}
}

// Contacts lists a customer's contacts. Syncro contacts have no active
// flag: a contact that left is deleted, and gone from the API.
func (c *Connector) Contacts(ctx context.Context, companyID string) ([]psa.Contact, error) {
	if _, err := strconv.ParseInt(companyID, 10, 64); err != nil {
		return nil, &psa.Error{Class: psa.Permanent, Message: "syncro: customer id " + strconv.Quote(companyID) + " is not a number"}
	}
	var out []psa.Contact
	err := pages(ctx, func(ctx context.Context, n int) (int, meta, error) {
		var page struct {
			Contacts []wireContact `json:"contacts"`
			Meta     meta          `json:"meta"`
		}
		q := url.Values{"customer_id": {companyID}, "page": {strconv.Itoa(n)}}
		if err := c.call(ctx, http.MethodGet, "/contacts", q, "contacts.list", nil, &page); err != nil {
			return 0, meta{}, err
		}
		for _, w := range page.Contacts {
			ct := w.contact()
			if ct.CompanyID == companyID && !slices.ContainsFunc(out, func(o psa.Contact) bool { return o.ID == ct.ID }) {
				out = append(out, ct)
			}
		}
		return len(page.Contacts), page.Meta, nil
	})
	return out, err
}

// ContactByEmail pages the customer's contacts and matches the email
// here: /contacts has no email filter.
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

// ContactsByEmail implements psa.ContactBatcher with one listing of the
// customer's contacts for every email.
func (c *Connector) ContactsByEmail(ctx context.Context, companyID string, emails []string) ([]psa.Contact, error) {
	if len(emails) == 0 {
		return nil, nil
	}
	all, err := c.Contacts(ctx, companyID)
	if err != nil {
		return nil, err
	}
	var out []psa.Contact
	for _, ct := range all {
		for _, e := range emails {
			if e != "" && strings.EqualFold(strings.TrimSpace(ct.Email), strings.TrimSpace(e)) {
				out = append(out, ct)
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b psa.Contact) int { return compareIDs(a.ID, b.ID) })
	return out, nil
}

// compareIDs orders integer ids numerically.
func compareIDs(a, b string) int {
	x, _ := strconv.ParseInt(a, 10, 64)
	y, _ := strconv.ParseInt(b, 10, 64)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return strings.Compare(a, b)
}
