package engine

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// payloadVersion is the version of the delivery payload written now.
// Deliveries wait in the database across upgrades, so the payload is its
// own tagged type: renaming a Go field of the rules or the port changes
// nothing on disk. A change to the shape gets a new version, and decoding
// keeps reading every older one.
const payloadVersion = 1

// payload is what a create-ticket or add-note delivery row carries: the
// rules decision and the key of the alert it was made for.
type payload struct {
	Version     int         `json:"v"`
	AlertKey    string      `json:"alert_key"`
	CompanyID   string      `json:"company_id"`
	CompanyName string      `json:"company_name,omitempty"`
	GroupKey    string      `json:"group_key"`
	Contact     contactJSON `json:"contact"`
	Ticket      ticketJSON  `json:"ticket"`
	Note        noteJSON    `json:"note"`
	Reasons     []string    `json:"reasons,omitempty"`
	// ReceivedAt is when the alert arrived, for the alert-to-ticket
	// latency; payloads written before it have none.
	ReceivedAt time.Time `json:"received_at,omitzero"`
}

// payloadAlert is what a payload says of the alert it was made for: its
// key (whose marker line goes into the note) and when it arrived.
type payloadAlert struct {
	Key        string
	ReceivedAt time.Time
}

type contactJSON struct {
	Attach         bool   `json:"attach,omitempty"`
	Email          string `json:"email,omitempty"`
	FallbackID     string `json:"fallback_id,omitempty"`
	FallbackName   string `json:"fallback_name,omitempty"`
	CompanyDefault bool   `json:"company_default,omitempty"`
}

type ticketJSON struct {
	CompanyID    string    `json:"company_id,omitempty"`
	ContactID    string    `json:"contact_id,omitempty"`
	ContractID   string    `json:"contract_id,omitempty"`
	Title        string    `json:"title"`
	Description  string    `json:"description"`
	Status       string    `json:"status,omitempty"`
	Priority     string    `json:"priority,omitempty"`
	Queue        string    `json:"queue,omitempty"`
	Category     string    `json:"category,omitempty"`
	Type         string    `json:"type,omitempty"`
	Source       string    `json:"source,omitempty"`
	IssueType    string    `json:"issue_type,omitempty"`
	SubIssueType string    `json:"sub_issue_type,omitempty"`
	DueAt        time.Time `json:"due_at"`
	ExternalRef  string    `json:"external_ref,omitempty"`
}

type noteJSON struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Type        string `json:"type,omitempty"`
	Visibility  string `json:"visibility,omitempty"`
}

func encodePayload(a payloadAlert, dec rules.Decision) ([]byte, error) {
	t, n, c := dec.Ticket, dec.Note, dec.Contact
	p := payload{
		Version: payloadVersion, AlertKey: a.Key, CompanyID: dec.CompanyID, CompanyName: dec.CompanyName,
		GroupKey: dec.GroupKey, Reasons: dec.Reasons, ReceivedAt: a.ReceivedAt,
		Contact: contactJSON{Attach: c.Attach, Email: c.Email, FallbackID: c.FallbackID, FallbackName: c.FallbackName, CompanyDefault: c.CompanyDefault},
		Ticket: ticketJSON{
			CompanyID: t.CompanyID, ContactID: t.ContactID, ContractID: t.ContractID, Title: t.Title, Description: t.Description,
			Status: t.Status, Priority: t.Priority, Queue: t.Queue, Category: t.Category, Type: t.Type, Source: t.Source,
			IssueType: t.IssueType, SubIssueType: t.SubIssueType, DueAt: t.DueAt, ExternalRef: t.ExternalRef,
		},
		Note: noteJSON{Title: n.Title, Description: n.Description, Type: n.Type, Visibility: string(n.Visibility)},
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode decision: %w", err)
	}
	return b, nil
}

func decodePayload(d store.Delivery) (rules.Decision, payloadAlert, error) {
	var head struct {
		Version int `json:"v"`
	}
	if err := json.Unmarshal(d.Payload, &head); err != nil {
		return rules.Decision{}, payloadAlert{}, fmt.Errorf("decode decision of delivery %d: %w", d.ID, err)
	}
	switch head.Version {
	case 0:
		return decodeLegacyPayload(d)
	case payloadVersion:
	default:
		return rules.Decision{}, payloadAlert{}, fmt.Errorf("decode decision of delivery %d: payload version %d is newer than this ticketbridge (%d): upgrade it", d.ID, head.Version, payloadVersion)
	}
	var p payload
	if err := json.Unmarshal(d.Payload, &p); err != nil {
		return rules.Decision{}, payloadAlert{}, fmt.Errorf("decode decision of delivery %d: %w", d.ID, err)
	}
	return p.decision(), payloadAlert{Key: p.AlertKey, ReceivedAt: p.ReceivedAt}, nil
}

func (p payload) decision() rules.Decision {
	t, n, c := p.Ticket, p.Note, p.Contact
	return rules.Decision{
		CompanyID: p.CompanyID, CompanyName: p.CompanyName, GroupKey: p.GroupKey, Reasons: p.Reasons,
		Contact: rules.ContactPlan{Attach: c.Attach, Email: c.Email, FallbackID: c.FallbackID, FallbackName: c.FallbackName, CompanyDefault: c.CompanyDefault},
		Ticket: psa.NewTicket{
			CompanyID: t.CompanyID, ContactID: t.ContactID, ContractID: t.ContractID, Title: t.Title, Description: t.Description,
			Status: t.Status, Priority: t.Priority, Queue: t.Queue, Category: t.Category, Type: t.Type, Source: t.Source,
			IssueType: t.IssueType, SubIssueType: t.SubIssueType, DueAt: t.DueAt, ExternalRef: t.ExternalRef,
		},
		Note: psa.NewNote{Title: n.Title, Description: n.Description, Type: n.Type, Visibility: psa.Visibility(n.Visibility)},
	}
}

// legacyPayload is the payload before versions: the rules decision as
// encoding/json wrote it by Go field name. Its names are frozen here, so
// deliveries queued by an older ticketbridge still go out.
type legacyPayload struct {
	AlertKey string `json:"alert_key"`
	Decision struct {
		CompanyID   string `json:"CompanyID"`
		CompanyName string `json:"CompanyName"`
		Contact     struct {
			Attach         bool   `json:"Attach"`
			Email          string `json:"Email"`
			FallbackID     string `json:"FallbackID"`
			FallbackName   string `json:"FallbackName"`
			CompanyDefault bool   `json:"CompanyDefault"`
		} `json:"Contact"`
		GroupKey string `json:"GroupKey"`
		Ticket   struct {
			CompanyID    string    `json:"CompanyID"`
			ContactID    string    `json:"ContactID"`
			ContractID   string    `json:"ContractID"`
			Title        string    `json:"Title"`
			Description  string    `json:"Description"`
			Status       string    `json:"Status"`
			Priority     string    `json:"Priority"`
			Queue        string    `json:"Queue"`
			Category     string    `json:"Category"`
			Type         string    `json:"Type"`
			Source       string    `json:"Source"`
			IssueType    string    `json:"IssueType"`
			SubIssueType string    `json:"SubIssueType"`
			DueAt        time.Time `json:"DueAt"`
			ExternalRef  string    `json:"ExternalRef"`
		} `json:"Ticket"`
		Note struct {
			Title       string `json:"Title"`
			Description string `json:"Description"`
			Type        string `json:"Type"`
			Visibility  string `json:"Visibility"`
		} `json:"Note"`
		Reasons []string `json:"Reasons"`
	} `json:"decision"`
}

func decodeLegacyPayload(d store.Delivery) (rules.Decision, payloadAlert, error) {
	var l legacyPayload
	if err := json.Unmarshal(d.Payload, &l); err != nil {
		return rules.Decision{}, payloadAlert{}, fmt.Errorf("decode decision of delivery %d: %w", d.ID, err)
	}
	x := l.Decision
	p := payload{
		AlertKey: l.AlertKey, CompanyID: x.CompanyID, CompanyName: x.CompanyName, GroupKey: x.GroupKey, Reasons: x.Reasons,
		Contact: contactJSON(x.Contact),
		Ticket:  ticketJSON(x.Ticket),
		Note:    noteJSON(x.Note),
	}
	return p.decision(), payloadAlert{Key: l.AlertKey}, nil
}
