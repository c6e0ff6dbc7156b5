package syncrosim

import (
	"net/http"
	"strings"
)

// Contacts and contracts answer validation failures in their own shape:
// the record as it would have been stored, nulls included, and "errors"
// as one string.

// createContact answers POST /contacts with the bare contact.
func (s *Sim) createContact(w http.ResponseWriter, r *http.Request) {
	b, err := readBody(r)
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"record": nil, "errors": err.Error()})
		return
	}
	customerID, _, _ := b.id("customer_id")
	name, _ := b.str("name")
	email, _ := b.str("email")
	now := stamp(s.opt.Now())
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []string
	if _, ok := s.t.customer(customerID); !ok || !visible(tokenOf(r), customerID) {
		errs = append(errs, "Customer can't be blank")
	}
	if strings.TrimSpace(name) == "" {
		errs = append(errs, "Name can't be blank")
	}
	c := Contact{CustomerID: customerID, Name: name, Email: email, CreatedAt: now, UpdatedAt: now}
	if len(errs) > 0 {
		rec := c.json()
		rec["id"], rec["created_at"], rec["updated_at"] = nil, nil, nil
		if customerID == 0 {
			rec["customer_id"] = nil
		}
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"record": rec, "errors": strings.Join(errs, ", ")})
		return
	}
	c.ID = s.t.nextContact
	s.t.nextContact++
	s.t.contacts = append(s.t.contacts, c)
	writeJSON(w, http.StatusOK, c.json())
}

// createContract answers POST /contracts with the bare contract.
func (s *Sim) createContract(w http.ResponseWriter, r *http.Request) {
	b, err := readBody(r)
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"record": nil, "errors": err.Error()})
		return
	}
	customerID, _, _ := b.id("customer_id")
	name, _ := b.str("name")
	status, ok := b.str("status")
	if !ok {
		status = "Active"
	}
	start, _ := b.str("start_date")
	end, _ := b.str("end_date")
	s.mu.Lock()
	defer s.mu.Unlock()
	c := Contract{CustomerID: customerID, Name: name, Status: status, StartDate: start, EndDate: end}
	if _, ok := s.t.customer(customerID); !ok || !visible(tokenOf(r), customerID) {
		rec := c.json()
		rec["id"], rec["customer_id"] = nil, nil
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"record": rec, "errors": "Customer can't be blank"})
		return
	}
	c.ID = s.t.nextContract
	s.t.nextContract++
	s.t.contracts = append(s.t.contracts, c)
	writeJSON(w, http.StatusOK, c.json())
}

// deleteContract soft-deletes: 200 with a message, and a later GET of the
// contract answers 200 with null (live-observed).
func (s *Sim) deleteContract(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, c := range s.t.contracts {
		if c.ID == id && !c.Deleted && visible(tokenOf(r), c.CustomerID) {
			s.t.contracts[i].Deleted = true
			writeJSON(w, http.StatusOK, map[string]any{"message": "Contract was successfully deleted."})
			return
		}
	}
	notFound(w)
}
