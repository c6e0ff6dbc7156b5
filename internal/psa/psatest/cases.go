package psatest

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

func (s *suite) testConnection(t *testing.T) {
	if err := s.f.Connector.Test(s.ctx); err != nil {
		t.Fatalf("Test: %v", err)
	}
}

func (s *suite) testPicklists(t *testing.T) {
	p, err := s.f.Connector.Picklists(s.ctx)
	if err != nil {
		t.Fatalf("Picklists: %v", err)
	}
	for _, field := range []string{psa.FieldStatus, psa.FieldPriority, psa.FieldQueue, psa.FieldNoteType} {
		if len(p[field]) == 0 {
			t.Errorf("picklist %q is empty", field)
		}
		for _, v := range p[field] {
			if v.ID == "" || v.Label == "" {
				t.Errorf("picklist %q has a value without id or label: %+v", field, v)
			}
		}
	}
	wants := map[string]string{
		psa.FieldStatus:   s.f.TicketDefaults.Status,
		psa.FieldPriority: s.f.TicketDefaults.Priority,
		psa.FieldQueue:    s.f.TicketDefaults.Queue,
		psa.FieldNoteType: s.f.NoteType,
	}
	for field, id := range wants {
		if id != "" && !slices.ContainsFunc(p[field], func(v psa.Value) bool { return v.ID == id }) {
			t.Errorf("picklist %q lacks the fixture's id %q", field, id)
		}
	}
}

func (s *suite) testCompanies(t *testing.T) {
	all, err := s.f.Connector.Companies(s.ctx, psa.CompanyFilter{})
	if err != nil {
		t.Fatalf("Companies: %v", err)
	}
	names := map[string]bool{}
	for _, c := range all {
		names[strings.ToLower(c.Name)] = true
		if !c.Active || c.ID == "" {
			t.Errorf("listed company %+v: want active with an id", c)
		}
	}
	for _, n := range []string{s.f.CompanyName, s.f.OtherCompanyName} {
		if !names[strings.ToLower(n)] {
			t.Errorf("company %q missing from the list", n)
		}
	}
	t.Run("type filter", s.testCompanyTypeFilter)
}

func (s *suite) testCompanyTypeFilter(t *testing.T) {
	p, err := s.f.Connector.Picklists(s.ctx)
	if err != nil {
		t.Fatalf("Picklists: %v", err)
	}
	typ, ok := p.Lookup(psa.FieldCompanyType, s.f.ProspectTypeName, "")
	if !ok {
		t.Fatalf("company type %q not in the company_type picklist %+v", s.f.ProspectTypeName, p[psa.FieldCompanyType])
	}
	got, err := s.f.Connector.Companies(s.ctx, psa.CompanyFilter{Types: []string{typ.ID}})
	if err != nil {
		t.Fatalf("Companies(type %s): %v", typ.ID, err)
	}
	if len(got) == 0 {
		t.Fatalf("no company of type %q", s.f.ProspectTypeName)
	}
	for _, c := range got {
		if c.Type != typ.ID {
			t.Errorf("company %q has type %q, want only %q", c.Name, c.Type, typ.ID)
		}
		if strings.EqualFold(c.Name, s.f.CompanyName) {
			t.Errorf("company %q listed under type %q", c.Name, s.f.ProspectTypeName)
		}
	}
}

func (s *suite) testContacts(t *testing.T) {
	co := s.company(t, s.f.CompanyName)
	got, err := s.f.Connector.Contacts(s.ctx, co.ID)
	if err != nil {
		t.Fatalf("Contacts: %v", err)
	}
	found := false
	for _, c := range got {
		if c.CompanyID != co.ID || !c.Active || c.ID == "" {
			t.Errorf("contact %+v: want active, with an id, of company %s", c, co.ID)
		}
		found = found || strings.EqualFold(c.Email, s.f.CompanyContactEmail)
		if strings.EqualFold(c.Email, s.f.InactiveContactEmail) {
			t.Errorf("inactive contact %s (%s) listed", c.ID, c.Email)
		}
	}
	if !found {
		t.Errorf("no contact with email %q among %+v", s.f.CompanyContactEmail, got)
	}
}

func (s *suite) testContactByEmail(t *testing.T) {
	co := s.company(t, s.f.CompanyName)
	other := s.company(t, s.f.OtherCompanyName)
	want, err := s.f.Connector.ContactByEmail(s.ctx, co.ID, s.f.CompanyContactEmail)
	if err != nil {
		t.Fatalf("ContactByEmail: %v", err)
	}
	if want.ID == "" || want.CompanyID != co.ID || !strings.EqualFold(want.Email, s.f.CompanyContactEmail) {
		t.Fatalf("ContactByEmail = %+v, want a contact of %s with %s", want, co.ID, s.f.CompanyContactEmail)
	}
	tests := []struct {
		name      string
		companyID string
		email     string
		notFound  bool
	}{
		{name: "upper case", companyID: co.ID, email: strings.ToUpper(s.f.CompanyContactEmail)},
		{name: "unknown email", companyID: co.ID, email: "nobody.psatest@nowhere.example", notFound: true},
		{name: "other company", companyID: other.ID, email: s.f.CompanyContactEmail, notFound: true},
		{name: "inactive contact", companyID: co.ID, email: s.f.InactiveContactEmail, notFound: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.f.Connector.ContactByEmail(s.ctx, tt.companyID, tt.email)
			if tt.notFound {
				if !errors.Is(err, psa.ErrNotFound) {
					t.Fatalf("ContactByEmail = %+v, %v; want ErrNotFound", got, err)
				}
				return
			}
			if err != nil || got.ID != want.ID {
				t.Fatalf("ContactByEmail = %+v, %v; want contact %s", got, err, want.ID)
			}
		})
	}
}

func (s *suite) testCreateTicket(t *testing.T) {
	nt, got := s.newTicket(t)
	want := psa.Ticket{
		ID: got.ID, Number: got.Number, LastModified: got.LastModified,
		CompanyID: nt.CompanyID, ContactID: nt.ContactID, Title: nt.Title,
		Status: nt.Status, Priority: nt.Priority, Queue: nt.Queue, ExternalRef: nt.ExternalRef,
		IssueType: nt.IssueType, SubIssueType: nt.SubIssueType, ContractID: nt.ContractID,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("created ticket (-want +got):\n%s", diff)
	}
	if got.ID == "" || got.Number == "" {
		t.Errorf("created ticket has id %q number %q; want both", got.ID, got.Number)
	}
	read, err := s.f.Connector.Ticket(s.ctx, got.ID)
	if err != nil {
		t.Fatalf("Ticket(%s): %v", got.ID, err)
	}
	if diff := cmp.Diff(got, read); diff != "" {
		t.Errorf("ticket read back differs from the created one (-created +read):\n%s", diff)
	}
}

func (s *suite) testTicketByExternalRef(t *testing.T) {
	nt, created := s.newTicket(t)
	got, err := s.f.Connector.TicketByExternalRef(s.ctx, nt.ExternalRef)
	if err != nil {
		t.Fatalf("TicketByExternalRef: %v", err)
	}
	if got.ID != created.ID || got.ExternalRef != nt.ExternalRef {
		t.Errorf("TicketByExternalRef = %+v, want ticket %s", got, created.ID)
	}
	_, err = s.f.Connector.TicketByExternalRef(s.ctx, uniqueRef(t))
	if !errors.Is(err, psa.ErrNotFound) {
		t.Errorf("TicketByExternalRef(unknown) error = %v, want ErrNotFound", err)
	}
}

// testTicketsByID runs for connectors that implement psa.TicketLister:
// several tickets in one call, unknown ids left out, closed ones marked.
func (s *suite) testTicketsByID(t *testing.T) {
	lister := as[psa.TicketLister](t, s, TicketLister)
	_, a := s.newTicket(t)
	_, b := s.newTicket(t)
	if err := s.f.CloseTicket(s.ctx, b.ID); err != nil {
		t.Fatalf("CloseTicket: %v", err)
	}
	got, err := lister.TicketsByID(s.ctx, []string{a.ID, s.f.UnknownTicketID, b.ID})
	if err != nil {
		t.Fatalf("TicketsByID: %v", err)
	}
	byID := map[string]psa.Ticket{}
	for _, tk := range got {
		byID[tk.ID] = tk
	}
	if len(got) != 2 || byID[a.ID].ID == "" || byID[b.ID].ID == "" {
		t.Fatalf("TicketsByID returned %d tickets %v, want %s and %s", len(got), byID, a.ID, b.ID)
	}
	if byID[a.ID].Closed || !byID[b.ID].Closed {
		t.Errorf("closed flags: %s %v, %s %v; want open, closed", a.ID, byID[a.ID].Closed, b.ID, byID[b.ID].Closed)
	}
}

// testContactsByEmail runs for connectors that implement
// psa.ContactBatcher: the answer for several emails at once is the answer
// ContactByEmail gives for each, whatever their case; inactive contacts,
// unknown emails and other companies' contacts are left out.
func (s *suite) testContactsByEmail(t *testing.T) {
	batcher := as[psa.ContactBatcher](t, s, ContactBatcher)
	co := s.company(t, s.f.CompanyName)
	other := s.company(t, s.f.OtherCompanyName)
	first := s.contactByEmail(t, co.ID, s.f.CompanyContactEmail)
	second := s.contactByEmail(t, co.ID, s.f.SecondContactEmail)
	type found struct{ ID, CompanyID, Email string }
	tests := []struct {
		name      string
		companyID string
		emails    []string
		want      []found
	}{
		{
			name: "several in any case", companyID: co.ID,
			emails: []string{"nobody.psatest@nowhere.example", strings.ToUpper(s.f.CompanyContactEmail), s.f.SecondContactEmail, s.f.InactiveContactEmail},
			want: []found{
				{first.ID, co.ID, strings.ToLower(s.f.CompanyContactEmail)},
				{second.ID, co.ID, strings.ToLower(s.f.SecondContactEmail)},
			},
		},
		{
			name: "same email twice", companyID: co.ID,
			emails: []string{s.f.CompanyContactEmail, strings.ToUpper(s.f.CompanyContactEmail)},
			want:   []found{{first.ID, co.ID, strings.ToLower(s.f.CompanyContactEmail)}},
		},
		{name: "other company", companyID: other.ID, emails: []string{s.f.CompanyContactEmail, s.f.SecondContactEmail}},
		{name: "no emails", companyID: co.ID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := batcher.ContactsByEmail(s.ctx, tt.companyID, tt.emails)
			if err != nil {
				t.Fatalf("ContactsByEmail(%v): %v", tt.emails, err)
			}
			var gotFound []found
			for _, c := range got {
				if !c.Active {
					t.Errorf("contact %s listed inactive", c.ID)
				}
				gotFound = append(gotFound, found{c.ID, c.CompanyID, strings.ToLower(c.Email)})
			}
			byID := func(a, b found) int { return strings.Compare(a.ID+a.Email, b.ID+b.Email) }
			slices.SortFunc(gotFound, byID)
			slices.SortFunc(tt.want, byID)
			if diff := cmp.Diff(tt.want, gotFound); diff != "" {
				t.Errorf("ContactsByEmail(%v) (-want +got):\n%s", tt.emails, diff)
			}
		})
	}
}

// contactByEmail is ContactByEmail that must succeed.
func (s *suite) contactByEmail(t *testing.T, companyID, email string) psa.Contact {
	t.Helper()
	c, err := s.f.Connector.ContactByEmail(s.ctx, companyID, email)
	if err != nil {
		t.Fatalf("ContactByEmail(%s, %s): %v", companyID, email, err)
	}
	return c
}

// testCreateTicketID runs for connectors that implement psa.BareCreator:
// the id it returns is a ticket that reads back like any other.
func (s *suite) testCreateTicketID(t *testing.T) {
	creator := as[psa.BareCreator](t, s, BareCreator)
	nt, _ := s.newTicket(t)
	nt.ExternalRef = uniqueRef(t)
	id, err := creator.CreateTicketID(s.ctx, nt)
	if err != nil || id == "" {
		t.Fatalf("CreateTicketID = %q, %v; want an id", id, err)
	}
	got, err := s.f.Connector.Ticket(s.ctx, id)
	if err != nil {
		t.Fatalf("Ticket(%s): %v", id, err)
	}
	if got.Number == "" || got.ExternalRef != nt.ExternalRef || got.CompanyID != nt.CompanyID {
		t.Errorf("ticket %s = %+v, want a number, external reference %s and company %s", id, got, nt.ExternalRef, nt.CompanyID)
	}
}

func (s *suite) testTicketUnknown(t *testing.T) {
	_, err := s.f.Connector.Ticket(s.ctx, s.f.UnknownTicketID)
	if !errors.Is(err, psa.ErrNotFound) {
		t.Fatalf("Ticket(%s) error = %v, want ErrNotFound", s.f.UnknownTicketID, err)
	}
}

func (s *suite) testNotes(t *testing.T) {
	_, tk := s.newTicket(t)
	adds := []psa.NewNote{
		{Title: "first note", Description: "external text", Type: s.f.NoteType, Visibility: psa.VisibilityExternal},
		{Title: "second note", Description: "internal text", Type: s.f.NoteType, Visibility: psa.VisibilityInternal},
	}
	var ids []string
	for _, n := range adds {
		id, err := s.f.Connector.AddNote(s.ctx, tk.ID, n)
		if err != nil || id == "" {
			t.Fatalf("AddNote(%q) = %q, %v; want an id", n.Title, id, err)
		}
		ids = append(ids, id)
	}
	notes, err := s.f.Connector.Notes(s.ctx, tk.ID)
	if err != nil {
		t.Fatalf("Notes: %v", err)
	}
	var got []psa.NewNote
	for _, id := range ids {
		i := slices.IndexFunc(notes, func(n psa.Note) bool { return n.ID == id })
		if i < 0 {
			t.Fatalf("note %s missing from Notes %+v", id, notes)
		}
		n := notes[i]
		got = append(got, psa.NewNote{Title: n.Title, Description: n.Description, Type: n.Type, Visibility: n.Visibility})
	}
	if diff := cmp.Diff(adds, got); diff != "" {
		t.Errorf("notes read back (-added +read):\n%s", diff)
	}
	first := slices.IndexFunc(notes, func(n psa.Note) bool { return n.ID == ids[0] })
	second := slices.IndexFunc(notes, func(n psa.Note) bool { return n.ID == ids[1] })
	if first > second {
		t.Errorf("Notes not oldest first: %s at %d after %s at %d", ids[0], first, ids[1], second)
	}
}

func (s *suite) testUpdateTicket(t *testing.T) {
	_, tk := s.newTicket(t)
	status := s.f.UpdateStatus
	if err := s.f.Connector.UpdateTicket(s.ctx, tk.ID, psa.TicketPatch{Status: &status}); err != nil {
		t.Fatalf("UpdateTicket: %v", err)
	}
	got, err := s.f.Connector.Ticket(s.ctx, tk.ID)
	if err != nil {
		t.Fatalf("Ticket: %v", err)
	}
	if got.Status != status || got.Closed {
		t.Errorf("after update: status %q closed %v; want %q open", got.Status, got.Closed, status)
	}
	if got.Title != tk.Title || got.Priority != tk.Priority {
		t.Errorf("sparse update changed other fields: %+v, was %+v", got, tk)
	}
}

func (s *suite) testCloseTicket(t *testing.T) {
	_, tk := s.newTicket(t)
	if tk.Closed {
		t.Fatalf("new ticket %s is already closed", tk.ID)
	}
	if err := s.f.CloseTicket(s.ctx, tk.ID); err != nil {
		t.Fatalf("CloseTicket: %v", err)
	}
	got, err := s.f.Connector.Ticket(s.ctx, tk.ID)
	if err != nil {
		t.Fatalf("Ticket: %v", err)
	}
	if !got.Closed {
		t.Errorf("ticket %s with status %q not closed after a technician closed it", got.ID, got.Status)
	}
}

func (s *suite) testInvalidCreate(t *testing.T) {
	co := s.company(t, s.f.CompanyName)
	nt := s.f.TicketDefaults
	nt.CompanyID = co.ID
	nt.Title = "psatest invalid priority"
	nt.Priority = s.f.InvalidPriority
	nt.ExternalRef = uniqueRef(t)
	_, err := s.f.Connector.CreateTicket(s.ctx, nt)
	if err == nil {
		t.Fatal("CreateTicket with an unknown priority succeeded")
	}
	if c := psa.ClassOf(err); c != psa.Permanent || errors.Is(err, psa.ErrNotFound) {
		t.Errorf("class = %s (err %v), want permanent and not ErrNotFound", c, err)
	}
	if _, err := s.f.Connector.TicketByExternalRef(s.ctx, nt.ExternalRef); !errors.Is(err, psa.ErrNotFound) {
		t.Errorf("refused ticket is findable by its ref: err %v", err)
	}
}
