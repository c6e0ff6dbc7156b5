package syncrosim

import (
	"strings"
	"time"
)

// Permissions are a token's per-area rights (Admin > API Tokens >
// Custom Permissions).
type Permissions struct {
	TicketRead, TicketWrite, CustomerRead, CustomerWrite bool
}

// AllPermissions is what an admin's token holds.
var AllPermissions = Permissions{TicketRead: true, TicketWrite: true, CustomerRead: true, CustomerWrite: true}

// Token is an API token and whose it is.
type Token struct {
	Value  string
	UserID int64
	Perms  Permissions
	// CustomerID restricts a Single-Customer User's token to one
	// customer; 0 for none.
	CustomerID int64
}

// User is a Syncro user (technician).
type User struct {
	ID    int64
	Name  string
	Email string
	Admin bool
}

// Customer is a Syncro customer: a business (BusinessName set) or a
// person.
type Customer struct {
	ID                   int64
	Firstname, Lastname  string
	BusinessName, Email  string
	Disabled             bool
	CreatedAt, UpdatedAt time.Time
}

// Name is business_then_name: the business name, else the full name.
func (c Customer) Name() string {
	if c.BusinessName != "" {
		return c.BusinessName
	}
	return strings.TrimSpace(c.Firstname + " " + c.Lastname)
}

// Contact is a person at a customer. Syncro contacts have no active flag:
// a deleted contact is gone from the API.
type Contact struct {
	ID, CustomerID       int64
	Name, Email          string
	Deleted              bool
	CreatedAt, UpdatedAt time.Time
}

// TicketType is a tenant's ticket type.
type TicketType struct {
	ID       int64
	Name     string
	Disabled bool
}

// Contract is a customer's contract (no quantities: those live on
// recurring invoice schedules).
type Contract struct {
	ID, CustomerID int64
	Name, Status   string
	StartDate      string
	EndDate        string
	// Deleted is a soft delete: the contract reads as null.
	Deleted bool
}

// Product is a billable product (Syncro's services for recurring
// billing are products on invoice schedules).
type Product struct {
	ID                     int64
	Name, Description      string
	PriceRetail, PriceCost string
}

// Comment is a ticket comment; the first is the ticket's initial issue.
type Comment struct {
	ID, TicketID, UserID int64
	Subject, Body, Tech  string
	Hidden, DoNotEmail   bool
	CreatedAt, UpdatedAt time.Time
}

// Ticket is a Syncro ticket.
type Ticket struct {
	ID, Number                    int64
	Subject                       string
	CustomerID, ContactID, UserID int64
	TicketTypeID                  int64
	ProblemType, Status, Priority string
	DueDate                       string
	Properties                    map[string]any
	TagList                       []string
	CustomerReply                 bool
	CreatedAt, UpdatedAt          time.Time
	ResolvedAt                    time.Time
	Comments                      []Comment
	CreatedBy                     int64
	Deleted                       bool
}

// Resolved reports whether the status is terminal: statuses whose name
// starts with "Resolved" stop SLA timers and automations.
func Resolved(status string) bool { return strings.HasPrefix(status, "Resolved") }

// tenant is everything the simulator holds; Sim.mu guards it.
type tenant struct {
	users        []User
	tokens       []Token
	customers    []Customer
	contacts     []Contact
	ticketTypes  []TicketType
	contracts    []Contract
	products     []Product
	statuses     []string
	problems     []string
	priorities   []string
	tickets      []*Ticket
	byID         map[int64]*Ticket
	nextTicket   int64
	nextNumber   int64
	nextComment  int64
	nextContact  int64
	nextContract int64
}

// stamp is a time as Syncro keeps it: milliseconds, UTC.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// timeFormat is how Syncro writes timestamps: 2019-11-04T08:59:31.034Z.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func (t *tenant) user(id int64) (User, bool) {
	for _, u := range t.users {
		if u.ID == id {
			return u, true
		}
	}
	return User{}, false
}

func (t *tenant) customer(id int64) (Customer, bool) {
	for _, c := range t.customers {
		if c.ID == id {
			return c, true
		}
	}
	return Customer{}, false
}

func (t *tenant) contact(id int64) (Contact, bool) {
	for _, c := range t.contacts {
		if c.ID == id && !c.Deleted {
			return c, true
		}
	}
	return Contact{}, false
}

func (t *tenant) ticketType(id int64) (TicketType, bool) {
	for _, tt := range t.ticketTypes {
		if tt.ID == id {
			return tt, true
		}
	}
	return TicketType{}, false
}

func (t *tenant) ticket(id int64) *Ticket {
	if tk := t.byID[id]; tk != nil && !tk.Deleted {
		return tk
	}
	return nil
}
