// Package psatest is the conformance suite every PSA connector passes
// against its simulator: the same behaviour is asserted for Autotask,
// ConnectWise, HaloPSA and the rest, so the engine can rely on the port
// rather than on any one PSA.
package psatest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// Fixture is one connector under test and the seed data of its simulator.
type Fixture struct {
	// Connector is connected to the simulator.
	Connector psa.Connector
	// CompanyName is a company (not of ProspectTypeName's type) with an
	// active contact reachable by CompanyContactEmail.
	CompanyName         string
	CompanyContactEmail string
	// OtherCompanyName is another active company.
	OtherCompanyName string
	// ProspectTypeName is a company_type picklist label at least one active
	// company has; CompanyName's company must not have it.
	ProspectTypeName string
	// TicketDefaults holds valid status, priority, queue, ... ids for this
	// PSA. The suite fills CompanyID, ContactID, Title and ExternalRef.
	TicketDefaults psa.NewTicket
	// NoteType is a valid note type id.
	NoteType string
	// UpdateStatus is a status id that is neither TicketDefaults.Status nor
	// a closed status.
	UpdateStatus string
	// CloseTicket closes a ticket as a technician would (through the PSA's
	// API as another user).
	CloseTicket func(ctx context.Context, ticketID string) error
	// AgainstURL builds the same connector pointed at another base URL,
	// with a short request time-out (well under a second) and fast
	// retries, for the HTTP-status classification table.
	AgainstURL func(url string) psa.Connector
	// ExpectedClass overrides DefaultExpectedClass for PSAs that differ.
	ExpectedClass func(status int) psa.Class
	// ErrorBody is the body the classification server answers with; a
	// generic JSON error when nil.
	ErrorBody func(status int) []byte
	// UnknownTicketID is an id no ticket has; "999999999" when empty.
	UnknownTicketID string
	// InvalidPriority is a priority id the PSA rejects; "999999" when empty.
	InvalidPriority string
}

// DefaultExpectedClass is the class most PSAs' answers map to.
func DefaultExpectedClass(status int) psa.Class {
	switch {
	case status == http.StatusTooManyRequests:
		return psa.RateLimited
	case status >= 500:
		return psa.Retryable
	}
	return psa.Permanent
}

// genericErrorBody names the error in the keys most PSAs use, and with
// words no connector reads as a validation failure.
func genericErrorBody(int) []byte {
	return []byte(`{"errors":["simulated failure"],"message":"simulated failure","error":"simulated failure"}`)
}

func (f *Fixture) fill(t *testing.T) {
	t.Helper()
	if f.Connector == nil || f.CloseTicket == nil || f.AgainstURL == nil {
		t.Fatal("psatest: fixture needs Connector, CloseTicket and AgainstURL")
	}
	if f.ExpectedClass == nil {
		f.ExpectedClass = DefaultExpectedClass
	}
	if f.ErrorBody == nil {
		f.ErrorBody = genericErrorBody
	}
	if f.UnknownTicketID == "" {
		f.UnknownTicketID = "999999999"
	}
	if f.InvalidPriority == "" {
		f.InvalidPriority = "999999"
	}
}

// suite carries the fixture through the subtests.
type suite struct {
	f   Fixture
	ctx context.Context
}

// Run runs the conformance suite. newFixture is called once; subtests run
// in order and each creates the tickets it needs.
func Run(t *testing.T, newFixture func(t *testing.T) Fixture) {
	f := newFixture(t)
	f.fill(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	s := &suite{f: f, ctx: ctx}
	t.Run("Test", s.testConnection)
	t.Run("Picklists", s.testPicklists)
	t.Run("Companies", s.testCompanies)
	t.Run("Contacts", s.testContacts)
	t.Run("ContactByEmail", s.testContactByEmail)
	t.Run("CreateTicket", s.testCreateTicket)
	t.Run("TicketByExternalRef", s.testTicketByExternalRef)
	t.Run("TicketUnknown", s.testTicketUnknown)
	t.Run("TicketsByID", s.testTicketsByID)
	t.Run("ContactsByEmail", s.testContactsByEmail)
	t.Run("CreateTicketID", s.testCreateTicketID)
	t.Run("Notes", s.testNotes)
	t.Run("UpdateTicket", s.testUpdateTicket)
	t.Run("CloseTicket", s.testCloseTicket)
	t.Run("InvalidCreate", s.testInvalidCreate)
	t.Run("Classification", s.testClassification)
}

// uniqueRef returns a fresh external reference.
func uniqueRef(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "psatest-" + hex.EncodeToString(b)
}

// company finds a company by name among all active ones.
func (s *suite) company(t *testing.T, name string) psa.Company {
	t.Helper()
	all, err := s.f.Connector.Companies(s.ctx, psa.CompanyFilter{})
	if err != nil {
		t.Fatalf("Companies: %v", err)
	}
	for _, c := range all {
		if strings.EqualFold(c.Name, name) {
			return c
		}
	}
	t.Fatalf("company %q not listed among %d companies", name, len(all))
	return psa.Company{}
}

// newTicket creates a ticket for the fixture's company and contact.
func (s *suite) newTicket(t *testing.T) (psa.NewTicket, psa.Ticket) {
	t.Helper()
	co := s.company(t, s.f.CompanyName)
	contact, err := s.f.Connector.ContactByEmail(s.ctx, co.ID, s.f.CompanyContactEmail)
	if err != nil {
		t.Fatalf("ContactByEmail: %v", err)
	}
	nt := s.f.TicketDefaults
	nt.CompanyID = co.ID
	nt.ContactID = contact.ID
	nt.ExternalRef = uniqueRef(t)
	nt.Title = "psatest " + t.Name() + " " + nt.ExternalRef
	if nt.Description == "" {
		nt.Description = "created by the connector conformance suite"
	}
	got, err := s.f.Connector.CreateTicket(s.ctx, nt)
	if err != nil {
		t.Fatalf("CreateTicket: %v", err)
	}
	return nt, got
}
