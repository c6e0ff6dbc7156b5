package superopssim

import (
	"fmt"
	"strconv"
	"time"
)

// TimeLayout is how SuperOps writes timestamps: UTC without a zone, here
// always with milliseconds (the notes' §3).
const TimeLayout = "2006-01-02T15:04:05.000"

// tenant is one MSP account, named by its CustomerSubDomain. Nothing is
// shared between tenants.
type tenant struct {
	subdomain    string
	clients      []*Client
	users        []*ClientUser
	technicians  []*Technician
	groups       []named
	statuses     []named
	priorities   []named
	categories   []category
	stages       []named
	customFields []customField
	tickets      []*Ticket
	byID         map[string]*Ticket
	contracts    []*contract
	daySeq       map[string]int // displayId numbers per MMDDYY
}

type named struct{ ID, Name string }

type category struct {
	named
	Subs []named
}

type customField struct {
	ID, Column, Label, Type string
}

// Client is a SuperOps client (customer account).
type Client struct {
	AccountID, Name, Stage, Status string
	Domains                        []string
	SiteID, SiteName               string
}

// ClientUser is a requester (contact) of a client. Deleted users are kept
// for tickets that name them but are not listed.
type ClientUser struct {
	UserID, FirstName, LastName, Email, ClientID string
	Deleted                                      bool
}

// Name is the user's display name.
func (u *ClientUser) Name() string {
	if u.LastName == "" {
		return u.FirstName
	}
	return u.FirstName + " " + u.LastName
}

// Technician is an MSP user; Token is their API token and Role what it
// may do.
type Technician struct {
	UserID, FirstName, LastName, Email, Token string
	Role                                      Role
	GroupIDs                                  []string
}

// Name is the technician's display name.
func (t *Technician) Name() string { return t.FirstName + " " + t.LastName }

// Role is what a token may do.
type Role string

// Roles: an admin may do everything, a technician works tickets, a
// read-only user may only read (writes answer forbidden).
const (
	RoleAdmin      Role = "admin"
	RoleTechnician Role = "technician"
	RoleReadOnly   Role = "readonly"
)

// Ticket is a ticket as the simulator holds it.
type Ticket struct {
	ID, DisplayID, Subject, RequestType, Source, SubSource, SourceRef string
	ClientID, SiteID, RequesterID, TechGroupID, TechnicianID          string
	Status, Priority, Category, Subcategory                           string
	CustomFields                                                      map[string]any
	Created, Updated                                                  time.Time
	Notes                                                             []*Note
	Conversations                                                     []*Conversation
}

// Note is a ticket note.
type Note struct {
	ID, Content, Privacy, AddedBy string
	AddedOn                       time.Time
}

// Conversation is a ticket conversation entry: the description, replies.
type Conversation struct {
	ID, Content, Type, UserID string
	Time                      time.Time
	SendMail                  bool
	To                        []string
}

// contract is a client contract with its quantity changes.
type contract struct {
	ID, ClientID, Name, ChargeItem, Status string
	Start                                  time.Time
	Changes                                []quantityChange
}

type quantityChange struct {
	ID, Effective, Quantity, Operation string
}

// ids hands out SuperOps-looking ids: 19-digit numeric strings.
type ids struct{ next int64 }

func (g *ids) id() string {
	g.next++
	return strconv.FormatInt(7928838372746160000+g.next, 10)
}

// displayID numbers tickets MMDDYY-NNNN per day of creation.
func (t *tenant) displayID(now time.Time) string {
	day := now.UTC().Format("010206")
	t.daySeq[day]++
	return fmt.Sprintf("%s-%04d", day, t.daySeq[day])
}

func (t *tenant) client(id string) *Client {
	for _, c := range t.clients {
		if c.AccountID == id {
			return c
		}
	}
	return nil
}

func (t *tenant) user(id string) *ClientUser {
	for _, u := range t.users {
		if u.UserID == id {
			return u
		}
	}
	return nil
}

func (t *tenant) technician(id string) *Technician {
	for _, u := range t.technicians {
		if u.UserID == id {
			return u
		}
	}
	return nil
}

func (t *tenant) group(id string) (named, bool) {
	for _, g := range t.groups {
		if g.ID == id {
			return g, true
		}
	}
	return named{}, false
}

// userRef is how a JSON-scalar field names a person: client user or
// technician.
func (t *tenant) userRef(id string) any {
	if u := t.user(id); u != nil {
		return map[string]any{"userId": u.UserID, "name": u.Name(), "email": u.Email}
	}
	if u := t.technician(id); u != nil {
		return map[string]any{"userId": u.UserID, "name": u.Name(), "email": u.Email}
	}
	return nil
}
