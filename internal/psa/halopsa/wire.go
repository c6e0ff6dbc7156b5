package halopsa

import (
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// timeLayout is how Halo reads and writes datetimes: UTC, no zone.
const timeLayout = "2006-01-02T15:04:05.000"

// haloTime formats t as Halo takes it.
func haloTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// parseTime reads a Halo datetime: without a zone it is UTC.
func parseTime(v string) time.Time {
	v = strings.TrimSpace(v)
	for _, layout := range []string{"2006-01-02T15:04:05", time.RFC3339Nano} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// ticketWire is the part of Halo's Faults the connector reads.
type ticketWire struct {
	ID                int64  `json:"id"`
	Summary           string `json:"summary"`
	ClientID          int64  `json:"client_id"`
	UserID            int64  `json:"user_id"`
	StatusID          int64  `json:"status_id"`
	PriorityID        int64  `json:"priority_id"`
	Team              string `json:"team"`
	Category2         string `json:"category_2"`
	ContractID        int64  `json:"contract_id"`
	SupplierReference string `json:"supplier_reference"`
	LastUpdate        string `json:"last_update"`
}

func (w ticketWire) ticket() psa.Ticket {
	status := itoa(w.StatusID)
	issue, sub := splitCategory(w.Category2)
	return psa.Ticket{
		IssueType: issue, SubIssueType: sub,
		ID: itoa(w.ID), Number: itoa(w.ID), CompanyID: itoa(w.ClientID), ContactID: itoa(w.UserID),
		Title: w.Summary, Status: status, Priority: itoa(w.PriorityID), Queue: w.Team,
		ContractID: itoa(w.ContractID), ExternalRef: w.SupplierReference,
		Closed: status == ClosedStatusID, LastModified: parseTime(w.LastUpdate),
	}
}

// newTicketWire is a create: an element without id.
type newTicketWire struct {
	Summary           string `json:"summary"`
	Details           string `json:"details,omitempty"`
	TicketTypeID      int64  `json:"tickettype_id,omitempty"`
	ClientID          int64  `json:"client_id"`
	UserID            int64  `json:"user_id,omitempty"`
	StatusID          int64  `json:"status_id,omitempty"`
	PriorityID        int64  `json:"priority_id,omitempty"`
	Team              string `json:"team,omitempty"`
	Category1         string `json:"category_1,omitempty"`
	Category2         string `json:"category_2,omitempty"`
	ContractID        int64  `json:"contract_id,omitempty"`
	SupplierReference string `json:"supplier_reference"`
	DeadlineDate      string `json:"deadlinedate,omitempty"`
}

// ticketUpdateWire is a partial update: only the fields set are sent.
type ticketUpdateWire struct {
	ID         int64  `json:"id"`
	StatusID   *int64 `json:"status_id,omitempty"`
	ContractID *int64 `json:"contract_id,omitempty"`
}

// userWire is the part of Halo's Users the connector reads.
type userWire struct {
	ID        int64  `json:"id"`
	FirstName string `json:"firstname"`
	Surname   string `json:"surname"`
	Name      string `json:"name"`
	Email     string `json:"emailaddress"`
	Email2    string `json:"email2"`
	Email3    string `json:"email3"`
	ClientID  int64  `json:"client_id"`
	Inactive  bool   `json:"inactive"`
}

func (u userWire) contact(email string) psa.Contact {
	first, last := u.FirstName, u.Surname
	if first == "" && last == "" {
		last = u.Name
	}
	if email == "" {
		email = u.Email
	}
	return psa.Contact{ID: itoa(u.ID), CompanyID: itoa(u.ClientID), FirstName: first, LastName: last, Email: email, Active: !u.Inactive}
}

// holds returns the user's address equal to email (any case), or "".
func (u userWire) holds(email string) string {
	for _, e := range []string{u.Email, u.Email2, u.Email3} {
		if e != "" && strings.EqualFold(strings.TrimSpace(e), strings.TrimSpace(email)) {
			return e
		}
	}
	return ""
}

// actionWire is the part of Halo's Actions the connector reads and writes.
type actionWire struct {
	ID             int64  `json:"id,omitempty"`
	TicketID       int64  `json:"ticket_id"`
	OutcomeID      int64  `json:"outcome_id,omitempty"`
	Outcome        string `json:"outcome,omitempty"`
	Note           string `json:"note"`
	HiddenFromUser bool   `json:"hiddenfromuser"`
	SendEmail      bool   `json:"sendemail"`
	WhoAgentID     int64  `json:"who_agentid,omitempty"`
	Who            string `json:"who,omitempty"`
	DateTime       string `json:"datetime,omitempty"`
	NewStatus      int64  `json:"new_status,omitempty"`
}

// splitCategory reads a category 2 value: "Issue>Sub" is the sub-issue
// (whose id is the whole value) of issue "Issue".
func splitCategory(v string) (issue, sub string) {
	parent, _, ok := strings.Cut(v, ">")
	if !ok {
		return v, ""
	}
	return parent, v
}
