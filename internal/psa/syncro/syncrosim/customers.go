package syncrosim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

func (c Customer) json(contacts []map[string]any) map[string]any {
	m := map[string]any{
		"id": c.ID, "firstname": c.Firstname, "lastname": c.Lastname,
		"fullname": strings.TrimSpace(c.Firstname + " " + c.Lastname), "business_name": c.BusinessName,
		"email": c.Email, "disabled": c.Disabled, "business_then_name": c.Name(),
		"business_and_full_name": c.Name(), "properties": map[string]any{},
		"created_at": c.CreatedAt.Format(timeFormat), "updated_at": c.UpdatedAt.Format(timeFormat),
	}
	if contacts != nil {
		m["contacts"] = contacts
	}
	return m
}

func (c Contact) json() map[string]any {
	return map[string]any{
		"id": c.ID, "name": c.Name, "email": c.Email, "customer_id": c.CustomerID, "account_id": 1,
		"phone": nil, "mobile": nil, "notes": nil, "vendor_id": nil, "properties": map[string]any{}, "opt_out": false,
		"created_at": c.CreatedAt.Format(timeFormat), "updated_at": c.UpdatedAt.Format(timeFormat),
	}
}

// visible reports whether the token may see the customer's records.
func visible(tok Token, customerID int64) bool {
	return tok.CustomerID == 0 || tok.CustomerID == customerID
}

// listCustomers answers GET /customers: enabled customers unless
// include_disabled, filtered by query, business_name, email and id[],
// 25 a page.
func (s *Sim) listCustomers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tok := tokenOf(r)
	ids := q["id[]"]
	match := func(field, want string) bool {
		return want == "" || strings.Contains(strings.ToLower(field), strings.ToLower(want))
	}
	s.mu.Lock()
	var out []map[string]any
	for _, c := range s.t.customers {
		if !visible(tok, c.ID) || (c.Disabled && q.Get("include_disabled") != "true") {
			continue
		}
		if len(ids) > 0 && !slices.Contains(ids, strconv.FormatInt(c.ID, 10)) {
			continue
		}
		if !match(c.Name()+" "+c.Email, q.Get("query")) || !match(c.BusinessName, q.Get("business_name")) ||
			(q.Get("email") != "" && !strings.EqualFold(c.Email, q.Get("email"))) {
			continue
		}
		out = append(out, c.json(nil))
	}
	s.mu.Unlock()
	listPage(w, r, "customers", out, s.opt.PageSize)
}

// getCustomer answers GET /customers/{id}, wrapped, with its contacts.
func (s *Sim) getCustomer(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.t.customer(id)
	if !ok || !visible(tokenOf(r), id) {
		notFound(w)
		return
	}
	contacts := []map[string]any{}
	for _, ct := range s.t.contacts {
		if ct.CustomerID == id && !ct.Deleted {
			contacts = append(contacts, ct.json())
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"customer": c.json(contacts)})
}

// listContacts answers GET /contacts: customer_id and page are the only
// documented parameters (no email filter).
func (s *Sim) listContacts(w http.ResponseWriter, r *http.Request) {
	tok := tokenOf(r)
	customer := r.URL.Query().Get("customer_id")
	s.mu.Lock()
	var out []map[string]any
	for _, c := range s.t.contacts {
		if c.Deleted || !visible(tok, c.CustomerID) || (customer != "" && customer != strconv.FormatInt(c.CustomerID, 10)) {
			continue
		}
		out = append(out, c.json())
	}
	s.mu.Unlock()
	listPage(w, r, "contacts", out, s.opt.PageSize)
}

// getContact answers GET /contacts/{id} with the bare object.
func (s *Sim) getContact(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	s.mu.Lock()
	c, ok := s.t.contact(id)
	s.mu.Unlock()
	if !ok || !visible(tokenOf(r), c.CustomerID) {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, c.json())
}

func (c Contract) json() map[string]any {
	return map[string]any{"id": c.ID, "account_id": 1, "customer_id": c.CustomerID, "name": c.Name,
		"contract_amount": nil, "start_date": c.StartDate, "end_date": c.EndDate, "status": c.Status,
		"description": nil, "likelihood": nil, "apply_to_all": false, "sla_id": nil}
}

// listContracts answers GET /contracts, 50 a page.
func (s *Sim) listContracts(w http.ResponseWriter, r *http.Request) {
	tok := tokenOf(r)
	s.mu.Lock()
	var out []map[string]any
	for _, c := range s.t.contracts {
		if visible(tok, c.CustomerID) && !c.Deleted {
			out = append(out, c.json())
		}
	}
	s.mu.Unlock()
	listPage(w, r, "contracts", out, DefaultContractPageSize)
}

// getContract answers GET /contracts/{id} with the bare object.
func (s *Sim) getContract(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.t.contracts {
		if c.ID == id && visible(tokenOf(r), c.CustomerID) {
			if c.Deleted {
				writeJSON(w, http.StatusOK, nil)
				return
			}
			writeJSON(w, http.StatusOK, c.json())
			return
		}
	}
	notFound(w)
}

// listProducts answers GET /products, 25 a page.
func (s *Sim) listProducts(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := make([]map[string]any, 0, len(s.t.products))
	for _, p := range s.t.products {
		out = append(out, map[string]any{"id": p.ID, "name": p.Name, "description": p.Description,
			"price_retail": p.PriceRetail, "price_cost": p.PriceCost, "disabled": false, "product_category": "Services"})
	}
	s.mu.Unlock()
	listPage(w, r, "products", out, s.opt.PageSize)
}
