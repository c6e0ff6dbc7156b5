// Package psa is the port every PSA connector implements: the shared ticket,
// company and contact shapes, picklists for name→id resolution, and the
// error classes the engine's retry policy is built on. It does no I/O.
package psa

import (
	"context"
	"time"
)

// Connector is one authenticated connection to one PSA tenant. IDs are
// strings so the port fits PSAs with integer ids and with opaque ones
// (sys_id-style) alike.
//
// Every method returns an *Error (possibly wrapped) when the PSA or the
// network fails, so the engine can tell retryable from permanent failures.
type Connector interface {
	// Test checks credentials and reachability with one cheap call.
	Test(ctx context.Context) error
	// Picklists returns the ticket and note picklists used to resolve names.
	Picklists(ctx context.Context) (Picklists, error)
	// Companies lists active companies matching the filter.
	Companies(ctx context.Context, f CompanyFilter) ([]Company, error)
	// Contacts lists the active contacts of one company.
	Contacts(ctx context.Context, companyID string) ([]Contact, error)
	// ContactByEmail finds an active contact of the company by email
	// (any of its email fields, case-insensitive); ErrNotFound when none.
	ContactByEmail(ctx context.Context, companyID, email string) (Contact, error)
	// CreateTicket creates a ticket and returns it as stored by the PSA.
	CreateTicket(ctx context.Context, t NewTicket) (Ticket, error)
	// TicketByExternalRef finds the ticket carrying our stable external
	// reference; ErrNotFound when there is none. Recovery calls it before
	// every retried create so a crash never yields a second ticket.
	TicketByExternalRef(ctx context.Context, ref string) (Ticket, error)
	// Ticket reads one ticket by PSA id; ErrNotFound when missing.
	Ticket(ctx context.Context, id string) (Ticket, error)
	// UpdateTicket changes only the fields set in the patch.
	UpdateTicket(ctx context.Context, id string, p TicketPatch) error
	// AddNote adds a note to a ticket and returns the note's PSA id.
	AddNote(ctx context.Context, ticketID string, n NewNote) (string, error)
	// Notes lists a ticket's notes, oldest first. Recovery uses it to find a
	// note it may already have added before a crash.
	Notes(ctx context.Context, ticketID string) ([]Note, error)
}

// CompanyFilter narrows the company list the way MSP admins do in mapping
// screens: by account type, classification and market segment ids, and
// to parent or child accounts. Empty means all.
type CompanyFilter struct {
	Types           []string
	Classifications []string
	MarketSegments  []string
	// Accounts is AccountsParent, AccountsChild, or "" for both.
	Accounts string
}

// Which accounts a CompanyFilter takes by their place in the PSA's
// account hierarchy.
const (
	AccountsParent = "parent" // accounts with no parent account
	AccountsChild  = "child"  // accounts under a parent account
)

// Company is a PSA customer account.
type Company struct {
	ID             string
	Name           string
	Type           string
	Classification string
	Active         bool
}

// Contact is a person at a PSA company.
type Contact struct {
	ID        string
	CompanyID string
	FirstName string
	LastName  string
	Email     string
	Active    bool
}

// Name is the contact's display name.
func (c Contact) Name() string {
	switch {
	case c.FirstName == "":
		return c.LastName
	case c.LastName == "":
		return c.FirstName
	}
	return c.FirstName + " " + c.LastName
}

// NewTicket is what the engine asks a PSA to create. PSA values are ids
// already resolved from the names in the integration settings; empty means
// "not set, let the PSA default it".
type NewTicket struct {
	CompanyID    string
	ContactID    string
	ContractID   string
	Title        string
	Description  string
	Status       string
	Priority     string
	Queue        string
	Category     string
	Type         string
	Source       string
	IssueType    string
	SubIssueType string
	DueAt        time.Time
	// ExternalRef is our stable reference (a field such as externalID or
	// correlation_id, ...), unique per ticket link.
	ExternalRef string
}

// Ticket is a PSA ticket as the engine needs to know it.
type Ticket struct {
	ID           string
	Number       string
	CompanyID    string
	ContactID    string
	Title        string
	Status       string
	Priority     string
	Queue        string
	IssueType    string
	SubIssueType string
	ContractID   string
	ExternalRef  string
	// Closed is true when the PSA considers the ticket finished (a
	// complete or closed status). Settings may name further statuses.
	Closed       bool
	LastModified time.Time
}

// TicketPatch is a sparse update: nil fields are left as they are.
type TicketPatch struct {
	Status     *string
	ContractID *string
}

// Visibility says who may read a note.
type Visibility string

// Note visibilities.
const (
	VisibilityInternal Visibility = "internal"
	VisibilityExternal Visibility = "external"
)

// NewNote is a note the engine adds to a ticket.
type NewNote struct {
	Title       string
	Description string
	Type        string // PSA note type id
	Visibility  Visibility
}

// Note is a note as read back from the PSA.
type Note struct {
	ID          string
	Title       string
	Description string
	Type        string
	Visibility  Visibility
	CreatedAt   time.Time
}

// Budgeted is implemented by connectors that keep a request budget, so the
// engine can report how much of it is left.
type Budgeted interface {
	BudgetRemaining() int
}

// BudgetState is implemented by connectors whose request budget can be
// saved and restored, so a replica that takes an integration over knows
// what the previous holder spent in the current window.
type BudgetState interface {
	BudgetTimes() []time.Time
	SeedBudget(times []time.Time)
}

// BudgetJournal is implemented by connectors whose budget can write ahead:
// before spending slots it has not recorded, the budget hands its
// reservations, including the slots it claims ahead, to journal as runs
// per second, and spends nothing when that fails. With journal saving to
// the database under the integration's lease, a replica killed mid-storm
// has recorded every request it could have sent, and one that lost its
// lease can send no more.
type BudgetJournal interface {
	JournalBudget(journal func(runs []BudgetRun) error, claimFor time.Duration)
}

// BudgetRun is Count reservations stamped within the whole second Unix
// (rounded down). A journal is written at every claim, so it is handed
// runs, whose number follows the seconds in the window, rather than one
// time per request, which grew with every request a busy window sent.
type BudgetRun struct {
	Unix  int64
	Count int
}
