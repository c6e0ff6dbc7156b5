package halopsasim

import (
	"encoding/json"
	"strings"
	"time"
)

// Layout is how Halo writes datetimes: UTC without a zone designator.
const Layout = "2006-01-02T15:04:05.999"

// haloTime encodes as Halo writes datetimes.
type haloTime time.Time

func (t haloTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(time.Time(t).UTC().Format(Layout))
}

// parseTime reads a datetime as Halo accepts it: without a zone it is
// UTC; with one it is converted.
func parseTime(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{"2006-01-02T15:04:05", time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

type token struct {
	agent   int
	scopes  []string
	expires time.Time
}

type agent struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	IsAPI bool   `json:"isapiagent"`
}

type topLevel struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

type client struct {
	ID           int    `json:"id"`
	Name         string `json:"name"`
	Inactive     bool   `json:"inactive"`
	TopLevelID   int    `json:"toplevel_id"`
	TopLevelName string `json:"toplevel_name"`
	CustomerType int    `json:"customertype"`
	MainSiteID   int    `json:"main_site_id"`
}

type site struct {
	ID         int    `json:"id"`
	Name       string `json:"name"`
	ClientID   int    `json:"client_id"`
	ClientName string `json:"client_name"`
	Inactive   bool   `json:"inactive"`
}

type user struct {
	ID         int    `json:"id"`
	Name       string `json:"name"`
	FirstName  string `json:"firstname"`
	Surname    string `json:"surname"`
	Email      string `json:"emailaddress"`
	Email2     string `json:"email2"`
	Email3     string `json:"email3"`
	SiteID     int    `json:"site_id"`
	SiteName   string `json:"site_name"`
	ClientID   int    `json:"client_id"`
	ClientName string `json:"client_name"`
	Inactive   bool   `json:"inactive"`
}

type status struct {
	ID        int    `json:"id"`
	Name      string `json:"name"`
	ShortName string `json:"shortname"`
	Type      int    `json:"type"`
	Sequence  int    `json:"sequence"`
}

type ticketType struct {
	ID       int    `json:"id"`
	Name     string `json:"name"`
	Use      string `json:"use"`
	Inactive bool   `json:"inactive"`
}

// priority is Halo's Policy: priorities belong to an SLA.
type priority struct {
	PriorityID int    `json:"priorityid"`
	SLAID      int    `json:"slaid"`
	Name       string `json:"name"`
}

type outcome struct {
	ID           int    `json:"id"`
	Outcome      string `json:"outcome"`
	ButtonName   string `json:"buttonname"`
	HideFromUser bool   `json:"hidefromuser"`
	system       bool
}

type team struct {
	ID       int    `json:"id"`
	Name     string `json:"name"`
	Inactive bool   `json:"inactive"`
}

type category struct {
	ID     int    `json:"id"`
	Value  string `json:"value"`
	TypeID int    `json:"type_id"`
}

type contract struct {
	ID         int      `json:"id"`
	ClientID   int      `json:"client_id"`
	ClientName string   `json:"client_name"`
	Ref        string   `json:"ref"`
	StartDate  haloTime `json:"start_date"`
	EndDate    haloTime `json:"end_date"`
	Expired    bool     `json:"expired"`
	Active     bool     `json:"active"`
}

type item struct {
	ID             int     `json:"id"`
	Name           string  `json:"name"`
	BasePrice      float64 `json:"baseprice"`
	CostPrice      float64 `json:"costprice"`
	RecurringPrice float64 `json:"recurringprice"`
	RecurringCost  float64 `json:"recurringcost"`
	IsRecurring    bool    `json:"isrecurringitem"`
}

// ticket is Halo's Faults with the fields the simulator keeps.
type ticket struct {
	ID                 int      `json:"id"`
	Summary            string   `json:"summary"`
	Details            string   `json:"details"`
	TicketTypeID       int      `json:"tickettype_id"`
	ClientID           int      `json:"client_id"`
	ClientName         string   `json:"client_name"`
	SiteID             int      `json:"site_id"`
	UserID             int      `json:"user_id"`
	UserName           string   `json:"user_name"`
	UserEmail          string   `json:"user_email"`
	StatusID           int      `json:"status_id"`
	PriorityID         int      `json:"priority_id"`
	Team               string   `json:"team"`
	AgentID            int      `json:"agent_id"`
	Category1          string   `json:"category_1"`
	Category2          string   `json:"category_2"`
	SupplierReference  string   `json:"supplier_reference"`
	ThirdPartyIDString string   `json:"third_party_id_string"`
	ContractID         int      `json:"contract_id"`
	DateOccurred       haloTime `json:"dateoccurred"`
	DateCreated        haloTime `json:"datecreated"`
	LastActionDate     haloTime `json:"lastactiondate"`
	LastUpdate         haloTime `json:"last_update"`
	DeadlineDate       haloTime `json:"deadlinedate"`
	actions            []*action
}

type action struct {
	ID             int      `json:"id"`
	TicketID       int      `json:"ticket_id"`
	OutcomeID      int      `json:"outcome_id"`
	Outcome        string   `json:"outcome"`
	Note           string   `json:"note"`
	HiddenFromUser bool     `json:"hiddenfromuser"`
	WhoType        int      `json:"who_type"`
	WhoAgentID     int      `json:"who_agentid"`
	Who            string   `json:"who"`
	DateTime       haloTime `json:"datetime"`
	NewStatus      int      `json:"new_status"`
	SendEmail      bool     `json:"sendemail"`
	TimeTaken      float64  `json:"timetaken"`
	system         bool
}

// webhook is Halo's Webhook.
type webhook struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	Type               int    `json:"type"`
	URL                string `json:"url"`
	Method             int    `json:"method"`
	ContentType        string `json:"content_type"`
	AuthenticationType int    `json:"authentication_type"`
	BasicUsername      string `json:"basic_username"`
	BasicPassword      string `json:"basic_password,omitempty"`
	// AuthenticationHeader is the bearer token (type 2) or the API-key
	// header as "Name: value" (type 3) [?: the spec names the field only].
	AuthenticationHeader string   `json:"authentication_header,omitempty"`
	Active               bool     `json:"active"`
	Events               []hookEv `json:"events"`
	PayloadType          int      `json:"payload_type"`
	BatchDelaySeconds    int      `json:"batch_delay_seconds"`
	BatchLimit           int      `json:"batch_limit"`
}

// hookEv is one notification event a webhook fires on.
type hookEv struct {
	Name string `json:"name"`
}

// webhookEvent is one delivery in the log (Halo's WebhookEvent).
type webhookEvent struct {
	ID             string   `json:"id"`
	WebhookID      string   `json:"webhook_id"`
	Timestamp      haloTime `json:"timestamp"`
	Status         int      `json:"status"`
	RequestBody    string   `json:"requestbody"`
	ResponseStatus int      `json:"responsestatus"`
	EntityID       int      `json:"entity_id"`
	Error          bool     `json:"error"`
}
