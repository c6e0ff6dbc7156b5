package halopsa

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/halopsa/halopsasim"
	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

var (
	//go:embed demo.yaml
	demoSettings string
	//go:embed bench.yaml
	benchSettings string
)

// simulator is the HaloPSA simulator as driver.Simulator: its first API
// application is the integration's, its second a technician's.
type simulator struct {
	*halopsasim.Sim
}

func (s *simulator) Banner(base string) string {
	us, tech := s.Apps()[0], s.Apps()[1]
	return fmt.Sprintf("HaloPSA simulator on %s (connection.url)\n  client id:     %s\n  client secret: %s\n  technician:    %s / %s\n",
		strings.TrimSuffix(base, "/"), us.ClientID, us.ClientSecret, tech.ClientID, tech.ClientSecret)
}

func (s *simulator) Settings(kind driver.SettingsKind, p driver.SettingsParams) (string, map[string]string) {
	yaml := demoSettings
	if kind == driver.BenchSettings {
		yaml = benchSettings
	}
	us := s.Apps()[0]
	env := map[string]string{"DEMO_HALO_CLIENT_ID": us.ClientID, "DEMO_HALO_CLIENT_SECRET": us.ClientSecret}
	return driver.FillSettings(yaml, strings.TrimSuffix(p.Base, "/"), p), env
}

func (s *simulator) Technician(base string) (psa.Connector, error) {
	tech := s.Apps()[1]
	return New(Config{URL: base, ClientID: secret.New(tech.ClientID), ClientSecret: secret.New(tech.ClientSecret)})
}

func (s *simulator) Seed() driver.Seed {
	return driver.Seed{
		ClosedStatus: "Closed",
		UpdateStatus: "In Progress",
		NoteType:     "Private Note",
		Priorities:   map[string]string{"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low", "info": "Low"},
		CustomerType: "Customers",
		ProspectType: "Prospects",
		Contract:     "Acme Managed Security",
		Service:      "Vision One Protected User",
		// HaloPSA is the PSA of the TrendAI Vision One seed.
		Story: driver.StoryTrendAI,
	}
}

// State reports each ticket's details as its Description and its actions
// other than system ones (status changes) as its notes.
func (s *simulator) State() driver.State {
	var st driver.State
	for _, t := range s.Snapshot() {
		id := strconv.Itoa(t.ID)
		dt := driver.Ticket{ID: id, Number: id, CompanyID: strconv.Itoa(t.ClientID), Title: t.Summary,
			Status: strconv.Itoa(t.StatusID), Closed: t.Closed(), ExternalRef: t.SupplierReference, Description: t.Details}
		for _, a := range t.Actions {
			if !a.System {
				dt.Notes = append(dt.Notes, driver.Note{ID: strconv.Itoa(a.ID), Description: a.Note})
			}
		}
		st.Tickets = append(st.Tickets, dt)
	}
	return st
}

// Call tells the integration's requests by their token's agent, or for a
// token request by the client id in its form. Bodies it reads are put
// back for the simulator.
func (s *simulator) Call(r *http.Request) driver.Call {
	path := strings.TrimSuffix(strings.ToLower(r.URL.Path), "/")
	if path == "/api/authinfo" {
		return driver.Call{Ours: true, Kind: "authinfo"}
	}
	if path == "/auth/token" {
		form, _ := url.ParseQuery(string(peek(r)))
		return driver.Call{Ours: form.Get("client_id") == halopsasim.IntegrationClientID, Kind: "token"}
	}
	bearer, _ := simkit.BearerToken(r)
	ours := s.AgentID(bearer) == halopsasim.APIAgentID
	return driver.Call{Ours: ours, Kind: callKind(r, path)}
}

// callEntities name the resources below /api/.
var callEntities = map[string]string{
	"tickets": "ticket", "actions": "note", "client": "company", "users": "contact", "site": "site",
	"clientcontract": "contract", "item": "service", "webhook": "webhook", "agent": "agent",
}

func callKind(r *http.Request, path string) string {
	rest, ok := strings.CutPrefix(path, "/api/")
	if !ok {
		return "other"
	}
	segs := strings.Split(rest, "/")
	entity := callEntities[segs[0]]
	if entity == "" {
		entity = segs[0]
	}
	switch {
	case r.Method == http.MethodPost && entity == "ticket" && bytes.Contains(peek(r), []byte(`"id"`)):
		return "ticket.update"
	case r.Method == http.MethodPost:
		return entity + ".create"
	case r.Method == http.MethodDelete:
		return entity + ".delete"
	case len(segs) > 1:
		return entity + ".get"
	}
	return entity + ".query"
}

// peek reads r's body and puts it back.
func peek(r *http.Request) []byte {
	if r.Body == nil {
		return nil
	}
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// OverBudget tells the simulator's own 429 from an injected one.
func (s *simulator) OverBudget(status int, body []byte) bool {
	return status == http.StatusTooManyRequests && bytes.HasPrefix(body, []byte("Rate Limit Reached"))
}

// FaultBody is a .NET exception body, one of Halo's error shapes.
func (s *simulator) FaultBody(_ int, msg string) []byte {
	return []byte(`{"ClassName":"System.Exception","Message":"` + msg + `"}`)
}

// FaultEligible faults every API and token call; authinfo, which the
// connector asks once, is left alone.
func (s *simulator) FaultEligible(r *http.Request) bool {
	return !strings.EqualFold(strings.TrimSuffix(r.URL.Path, "/"), "/api/authinfo")
}

// Simulator serves sim, built with options the driver's do not cover, as
// the driver's simulator.
func Simulator(sim *halopsasim.Sim) driver.Simulator { return &simulator{Sim: sim} }

// DeleteTicket deletes a ticket as a person does in Halo's screens.
func (s *simulator) DeleteTicket(ticketID string) bool {
	n, err := strconv.Atoi(ticketID)
	return err == nil && s.Sim.DeleteTicket(n)
}

// RenameQueue renames the queue tickets go to, as an admin does.
func (s *simulator) RenameQueue(from, to string) bool { return s.Sim.RenameTeam(from, to) }
