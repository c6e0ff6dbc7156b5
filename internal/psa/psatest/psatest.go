// Package psatest is the conformance suite every PSA connector passes
// against its simulator: the same behaviour is asserted for every driver
// in internal/psa/drivers, so the engine can rely on the port rather than
// on any one PSA.
//
// The suite covers the whole port: psa.Connector and every optional
// interface (change feed, activity, webhooks, batch reads, contracts,
// request budget). A connector either implements an optional interface
// and passes its cases, or its Fixture declares in Lacks that it does
// not, and why; anything else fails.
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
	// active contact reachable by CompanyContactEmail, another active one
	// reachable by SecondContactEmail, and an inactive one holding
	// InactiveContactEmail.
	CompanyName          string
	CompanyContactEmail  string
	SecondContactEmail   string
	InactiveContactEmail string
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
	// TechnicianStatus sets a ticket's status as a technician would, like
	// CloseTicket. The TicketWebhooks cases rely on the simulator calling
	// out on such a change, as the PSA does for changes by people.
	TechnicianStatus func(ctx context.Context, ticketID, status string) error
	// TechnicianNote adds a note to a ticket as a technician would.
	TechnicianNote func(ctx context.Context, ticketID string) error
	// AdvanceClock moves the simulator's clock forward (see Clock), so that
	// the ChangeFeed and TicketWebhooks cases can put changes on either
	// side of a cursor, or seconds apart, without sleeping.
	AdvanceClock func(d time.Duration)
	// Contract names the seed data of the Contracts cases.
	Contract ContractFixture
	// Webhook says how the PSA signs callouts, for the TicketWebhooks cases.
	Webhook WebhookFixture
	// Lacks declares the optional capabilities (psa.ChangeFeed, ...) the
	// connector does not implement, each with the reason its PSA cannot
	// do it. The suite fails when the connector lacks a capability not
	// declared here, or has one declared here; the cases of a declared
	// capability are skipped with the reason.
	Lacks map[Capability]string
	// AgainstURL builds the same connector pointed at another base URL,
	// with a short request time-out (well under a second) and fast
	// retries, for the HTTP-status classification table. The budget cases
	// use it too, as a fresh connector whose requests they can count: it
	// must have a budget of its own, not share Connector's.
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

// ContractFixture is the seed data the Contracts cases need.
type ContractFixture struct {
	// Name is an active contract of CompanyName's company (none of
	// OtherCompanyName's).
	Name string
	// ServiceName is an active service, by the name Services reports, that
	// is not yet on contract Name; the suite adds it once.
	ServiceName string
}

// WebhookFixture says how the PSA signs its callouts.
type WebhookFixture struct {
	// Sign signs body the way the PSA signs a callout, with key, returning
	// the signature header's value. The suite checks that a real callout's
	// signature equals Sign(body, its key), so Sign cannot drift from the
	// simulator, and that one made with another key does not verify.
	Sign func(body []byte, key string) string
	// PSAKey is the key the PSA signs with when it picks its own and the
	// key given to RegisterTicketWebhook goes unused; empty when callouts
	// are signed with the registered key.
	PSAKey string
	// Settle waits until every callout the simulator has started is
	// delivered. Leave it nil for a simulator that delivers callouts one
	// at a time, in order: the suite then knows everything a change
	// produced has arrived once the callout of a later change has.
	Settle func(ctx context.Context)
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

// fill checks the fixture and defaults its optional fields. Fields a
// capability's cases need are required only when the connector has it.
func (f *Fixture) fill(t *testing.T) {
	t.Helper()
	if f.Connector == nil {
		t.Fatal("psatest: fixture needs a Connector")
	}
	has := func(c Capability) bool { return capabilities[c](f.Connector) }
	var missing []string
	need := func(ok bool, field string) {
		if !ok {
			missing = append(missing, field)
		}
	}
	need(f.CloseTicket != nil, "CloseTicket")
	need(f.AgainstURL != nil, "AgainstURL")
	need(f.SecondContactEmail != "", "SecondContactEmail")
	need(f.InactiveContactEmail != "", "InactiveContactEmail")
	if has(ChangeFeed) || has(ActivityReader) || has(TicketWebhooks) {
		need(f.TechnicianStatus != nil, "TechnicianStatus")
	}
	if has(ChangeFeed) || has(TicketWebhooks) {
		need(f.AdvanceClock != nil, "AdvanceClock")
	}
	if has(ActivityReader) {
		need(f.TechnicianNote != nil, "TechnicianNote")
	}
	if has(TicketWebhooks) {
		need(f.Webhook.Sign != nil, "Webhook.Sign")
	}
	if has(Contracts) {
		need(f.Contract.Name != "", "Contract.Name")
		need(f.Contract.ServiceName != "", "Contract.ServiceName")
	}
	if len(missing) > 0 {
		t.Fatalf("psatest: set the fixture's %s", strings.Join(missing, ", "))
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
	t.Run("Capabilities", s.testCapabilities)
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
	t.Run("TicketsChangedSince", s.testTicketsChangedSince)
	t.Run("TicketActivity", s.testTicketActivity)
	t.Run("TicketWebhooks", s.testTicketWebhooks)
	t.Run("Contracts", s.testContracts)
	t.Run("BudgetRemaining", s.testBudgetRemaining)
	t.Run("BudgetTimes", s.testBudgetTimes)
	t.Run("JournalBudget", s.testJournalBudget)
	t.Run("Classification", s.testClassification)
}

// as returns the connector as T, the interface of capability c, or skips
// or fails the test (see capable).
func as[T any](t *testing.T, s *suite, c Capability) T {
	t.Helper()
	return capable[T](t, s.f.Connector, &s.f, c)
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
