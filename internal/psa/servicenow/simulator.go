package servicenow

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/servicenow/servicenowsim"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

var (
	//go:embed demo.yaml
	demoSettings string
	//go:embed bench.yaml
	benchSettings string
)

// simulator is the ServiceNow simulator as driver.Simulator: its
// integration user signs in with Basic authentication, and Beth Anglin
// is the technician.
type simulator struct {
	*servicenowsim.Sim
}

func (s *simulator) Banner(base string) string {
	api, tech := s.User(servicenowsim.APIUserName), s.User(servicenowsim.TechnicianName)
	return fmt.Sprintf("ServiceNow simulator on %s (connection.url)\n  username:      %s\n  password:      %s (connection.secret)\n"+
		"  OAuth client:  client_id %s, client_secret %s (POST /oauth_token.do)\n  technician:    %s / %s\n",
		base, api.UserName, api.Password, s.ClientID(), s.ClientSecret(), tech.UserName, tech.Password)
}

func (s *simulator) Settings(kind driver.SettingsKind, p driver.SettingsParams) (string, map[string]string) {
	yaml := demoSettings
	if kind == driver.BenchSettings {
		yaml = benchSettings
	}
	env := map[string]string{"DEMO_SN_PASSWORD": s.User(servicenowsim.APIUserName).Password}
	return driver.FillSettings(yaml, strings.TrimSuffix(p.Base, "/"), p), env
}

func (s *simulator) Technician(base string) (psa.Connector, error) {
	tech := s.User(servicenowsim.TechnicianName)
	return New(Config{Instance: base, Username: tech.UserName, Password: secret.New(tech.Password)})
}

func (s *simulator) Seed() driver.Seed {
	return driver.Seed{
		ClosedStatus: "Resolved",
		UpdateStatus: "In Progress",
		NoteType:     NoteTypeLabel,
		Priorities: map[string]string{"critical": "1 - Critical", "high": "2 - High", "medium": "3 - Moderate",
			"low": "4 - Low", "info": "5 - Planning"},
		CustomerType: "Customer",
		ProspectType: "Other",
		Contract:     "Acme MDR",
		Service:      "Managed Detection and Response",
	}
}

// State reports the incidents with their journal entries as notes.
func (s *simulator) State() driver.State {
	var st driver.State
	for _, t := range s.Tickets(servicenowsim.TableIncident) {
		dt := driver.Ticket{ID: t.SysID, Number: t.Number, CompanyID: t.Company, Title: t.ShortDescription, Status: t.State,
			Closed: t.Closed, ExternalRef: t.CorrelationID, Description: t.Description}
		for _, j := range t.Journal {
			dt.Notes = append(dt.Notes, driver.Note{ID: noteID(t.SysID, j.Element, j.Value), Description: j.Value})
		}
		st.Tickets = append(st.Tickets, dt)
	}
	return st
}

// Call classifies a request: the integration user's or not, and its
// kind. A PATCH that writes only a journal field is a note.
func (s *simulator) Call(r *http.Request) driver.Call {
	return driver.Call{Ours: s.Who(r) == servicenowsim.APIUserName, Kind: callKind(r)}
}

// callEntities name tables as call logs do.
var callEntities = map[string]string{
	"incident": "ticket", "sn_customerservice_case": "ticket", "sys_user": "contact", "core_company": "company",
	"sys_journal_field": "note", "sys_choice": "picklist", "sys_user_group": "queue", "sys_audit": "audit",
}

func callKind(r *http.Request) string {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/now/")
	if !ok {
		return "other"
	}
	rest = strings.TrimPrefix(strings.TrimPrefix(rest, "v1/"), "v2/")
	segs := strings.Split(strings.Trim(strings.TrimPrefix(rest, "table/"), "/"), "/")
	entity := callEntities[segs[0]]
	if entity == "" {
		entity = segs[0]
	}
	switch {
	case len(segs) == 1 && r.Method == http.MethodPost:
		return entity + ".create"
	case len(segs) == 1:
		return entity + ".query"
	case r.Method == http.MethodGet:
		return entity + ".get"
	case r.Method == http.MethodPatch || r.Method == http.MethodPut:
		if entity == "ticket" && journalOnly(r) {
			return "note.create"
		}
		return entity + ".update"
	}
	return entity + "." + strings.ToLower(r.Method)
}

// journalOnly peeks at a body (putting it back) for a write of nothing but
// comments or work_notes.
func journalOnly(r *http.Request) bool {
	if r.Body == nil {
		return false
	}
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return (bytes.Contains(b, []byte(`"work_notes"`)) || bytes.Contains(b, []byte(`"comments"`))) && !bytes.Contains(b, []byte(`"state"`))
}

func (s *simulator) OverBudget(status int, body []byte) bool {
	return status == http.StatusTooManyRequests && bytes.Contains(body, []byte("Rate limit exceeded"))
}

func (s *simulator) FaultBody(_ int, msg string) []byte { return servicenowsim.ErrorBody(msg, "") }

// FaultEligible spares the OAuth token endpoint, a separate service the
// connector visits twice an hour; the Table API is faulted.
func (s *simulator) FaultEligible(r *http.Request) bool { return r.URL.Path != "/oauth_token.do" }

// Simulator serves sim, built with options the driver's do not cover, as
// the driver's simulator.
func Simulator(sim *servicenowsim.Sim) driver.Simulator { return &simulator{Sim: sim} }

// DeleteTicket deletes an incident as an admin does in ServiceNow's screens.
func (s *simulator) DeleteTicket(ticketID string) bool {
	return s.Sim.DeleteRecord(servicenowsim.TableIncident, ticketID)
}

// RenameQueue renames the queue tickets go to, as an admin does.
func (s *simulator) RenameQueue(from, to string) bool { return s.Sim.RenameGroup(from, to) }
