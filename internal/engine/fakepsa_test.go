package engine

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// fakePSA is an in-memory PSA for the part tests: companies, contacts,
// tickets and notes in maps, every call counted by method, and an error
// to answer a chosen method with. It is a psa.Connector and a
// psa.ChangeFeed and nothing more, so no batched path is taken unless a
// test wraps it (see batchPSA, contractPSA).
type fakePSA struct {
	mu        sync.Mutex
	calls     map[string]int
	errs      map[string]error // by method, answered until cleared
	companies []psa.Company
	contacts  map[string][]psa.Contact // by company id
	tickets   map[string]psa.Ticket
	notes     map[string][]psa.Note // by ticket id
	seq       int
	clock     func() time.Time // stamps LastModified
	sinces    []time.Time      // what TicketsChangedSince was asked
}

func newFakePSA(clock func() time.Time) *fakePSA {
	return &fakePSA{
		calls: map[string]int{}, errs: map[string]error{}, contacts: map[string][]psa.Contact{},
		tickets: map[string]psa.Ticket{}, notes: map[string][]psa.Note{}, clock: clock,
	}
}

// call counts a call of method and returns the error set for it.
func (f *fakePSA) call(method string) error {
	f.calls[method]++
	return f.errs[method]
}

// callsMade returns the calls made so far by method.
func (f *fakePSA) callsMade() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.calls)
}

// count returns how often method was called.
func (f *fakePSA) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// total returns how many calls were made, of any method.
func (f *fakePSA) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

// failWith makes method answer err (nil: answer normally again).
func (f *fakePSA) failWith(method string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs[method] = err
}

// put stores a ticket as if a person or an earlier run had created it.
func (f *fakePSA) put(t psa.Ticket) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tickets[t.ID] = t
	if n, err := strconv.Atoi(t.ID); err == nil {
		f.seq = max(f.seq, n) // ids the fake hands out stay unique
	}
}

// setStatus changes a ticket's status in the PSA, as a person would.
func (f *fakePSA) setStatus(id, status string, closed bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.tickets[id]
	t.Status, t.Closed, t.LastModified = status, closed, f.clock()
	f.tickets[id] = t
}

func (f *fakePSA) ticket(id string) psa.Ticket {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tickets[id]
}

func (f *fakePSA) Test(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.call("Test")
}

func (f *fakePSA) Picklists(context.Context) (psa.Picklists, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return psa.Picklists{psa.FieldStatus: {{ID: "1", Label: "New"}, {ID: "5", Label: "Complete"}, {ID: "8", Label: "In Progress"}}}, f.call("Picklists")
}

func (f *fakePSA) Companies(context.Context, psa.CompanyFilter) ([]psa.Company, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.companies), f.call("Companies")
}

func (f *fakePSA) Contacts(_ context.Context, companyID string) ([]psa.Contact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.contacts[companyID]), f.call("Contacts")
}

func (f *fakePSA) ContactByEmail(_ context.Context, companyID, email string) (psa.Contact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("ContactByEmail"); err != nil {
		return psa.Contact{}, err
	}
	for _, c := range f.contacts[companyID] {
		if strings.EqualFold(c.Email, email) {
			return c, nil
		}
	}
	return psa.Contact{}, psa.ErrNotFound
}

func (f *fakePSA) CreateTicket(_ context.Context, nt psa.NewTicket) (psa.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("CreateTicket"); err != nil {
		return psa.Ticket{}, err
	}
	return f.create(nt), nil
}

func (f *fakePSA) create(nt psa.NewTicket) psa.Ticket {
	f.seq++
	id := strconv.Itoa(f.seq)
	t := psa.Ticket{
		ID: id, Number: "T" + id, CompanyID: nt.CompanyID, ContactID: nt.ContactID, Title: nt.Title,
		Status: cmp.Or(nt.Status, "1"), ExternalRef: nt.ExternalRef, LastModified: f.clock(),
	}
	f.tickets[id] = t
	return t
}

func (f *fakePSA) TicketByExternalRef(_ context.Context, ref string) (psa.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("TicketByExternalRef"); err != nil {
		return psa.Ticket{}, err
	}
	for _, t := range f.tickets {
		if t.ExternalRef == ref {
			return t, nil
		}
	}
	return psa.Ticket{}, psa.ErrNotFound
}

func (f *fakePSA) Ticket(_ context.Context, id string) (psa.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Ticket"); err != nil {
		return psa.Ticket{}, err
	}
	t, ok := f.tickets[id]
	if !ok {
		return t, psa.ErrNotFound
	}
	return t, nil
}

func (f *fakePSA) UpdateTicket(_ context.Context, id string, p psa.TicketPatch) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("UpdateTicket"); err != nil {
		return err
	}
	t, ok := f.tickets[id]
	if !ok {
		return psa.ErrNotFound
	}
	if p.Status != nil {
		t.Status = *p.Status
	}
	t.LastModified = f.clock()
	f.tickets[id] = t
	return nil
}

func (f *fakePSA) AddNote(_ context.Context, ticketID string, n psa.NewNote) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("AddNote"); err != nil {
		return "", err
	}
	f.seq++
	id := "N" + strconv.Itoa(f.seq)
	f.notes[ticketID] = append(f.notes[ticketID], psa.Note{ID: id, Title: n.Title, Description: n.Description, Type: n.Type, Visibility: n.Visibility})
	return id, nil
}

func (f *fakePSA) Notes(_ context.Context, ticketID string) ([]psa.Note, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.notes[ticketID]), f.call("Notes")
}

// TicketsChangedSince answers from the tickets' LastModified, in the
// order the port promises.
func (f *fakePSA) TicketsChangedSince(_ context.Context, since time.Time) ([]psa.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sinces = append(f.sinces, since)
	if err := f.call("TicketsChangedSince"); err != nil {
		return nil, err
	}
	var out []psa.Ticket
	for _, t := range f.tickets {
		if !t.LastModified.Before(since) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b psa.Ticket) int {
		return cmp.Or(a.LastModified.Compare(b.LastModified), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// batchPSA is a fakePSA that also reads tickets and contacts in batches
// and creates tickets bare, as the storm paths of a round expect.
type batchPSA struct{ *fakePSA }

func (b batchPSA) TicketsByID(_ context.Context, ids []string) ([]psa.Ticket, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.call("TicketsByID"); err != nil {
		return nil, err
	}
	var out []psa.Ticket
	for _, id := range ids {
		if t, ok := b.tickets[id]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

func (b batchPSA) ContactsByEmail(_ context.Context, companyID string, emails []string) ([]psa.Contact, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.call("ContactsByEmail"); err != nil {
		return nil, err
	}
	var out []psa.Contact
	for _, c := range b.contacts[companyID] {
		if slices.ContainsFunc(emails, func(e string) bool { return strings.EqualFold(e, c.Email) }) {
			out = append(out, c)
		}
	}
	return out, nil
}

func (b batchPSA) CreateTicketID(_ context.Context, nt psa.NewTicket) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.call("CreateTicketID"); err != nil {
		return "", err
	}
	return b.create(nt).ID, nil
}
