package syncro

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/syncro/syncrosim"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

var (
	//go:embed demo.yaml
	demoSettings string
	//go:embed bench.yaml
	benchSettings string
)

// simulator is the Syncro simulator as driver.Simulator: the API token is
// the integration's user, the technician token a person's.
type simulator struct {
	*syncrosim.Sim
}

func (s *simulator) Banner(base string) string {
	return fmt.Sprintf("Syncro simulator on %s (connection.url)\n  subdomain:        %s\n  api token:        %s\n  technician token: %s\n",
		base, s.Subdomain(), syncrosim.APIToken, syncrosim.TechToken)
}

func (s *simulator) Settings(kind driver.SettingsKind, p driver.SettingsParams) (string, map[string]string) {
	yaml := demoSettings
	if kind == driver.BenchSettings {
		yaml = benchSettings
	}
	env := map[string]string{"DEMO_SYNCRO_API_TOKEN": syncrosim.APIToken}
	return driver.FillSettings(yaml, strings.TrimSuffix(p.Base, "/"), p), env
}

func (s *simulator) Technician(base string) (psa.Connector, error) {
	return New(Config{URL: base, APIToken: secret.New(syncrosim.TechToken)})
}

func (s *simulator) Seed() driver.Seed {
	return driver.Seed{
		ClosedStatus: "Resolved",
		UpdateStatus: "In Progress",
		NoteType:     NoteTypeLabel,
		Priorities: map[string]string{"critical": "0 Urgent", "high": "1 High",
			"medium": "2 Normal", "low": "3 Low", "info": "3 Low"},
		CustomerType: "Business",
		ProspectType: "Individual",
		Contract:     "Acme MDR",
		Service:      "EDR Device",
	}
}

// State reports a ticket's first comment, when it is the initial issue
// ticketbridge writes the description to, as its Description.
func (s *simulator) State() driver.State {
	var st driver.State
	for _, t := range s.Snapshot() {
		ref, _ := t.Properties[RefField].(string)
		dt := driver.Ticket{ID: id(t.ID), Number: id(t.Number), CompanyID: id(t.CustomerID), Title: t.Subject,
			Status: t.Status, Closed: Closed(t.Status), ExternalRef: ref}
		comments := t.Comments
		if len(comments) > 0 && comments[0].Subject == initialSubject {
			dt.Description, comments = comments[0].Body, comments[1:]
		}
		for _, c := range comments {
			dt.Notes = append(dt.Notes, driver.Note{ID: id(c.ID), Description: c.Body})
		}
		st.Tickets = append(st.Tickets, dt)
	}
	return st
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// Call names a request; it is ours when it carries the API token in any
// of the forms Syncro accepts.
func (s *simulator) Call(r *http.Request) driver.Call {
	tok := strings.TrimSpace(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	if tok == "" {
		tok = r.URL.Query().Get("api_key")
	}
	return driver.Call{Ours: tok == syncrosim.APIToken, Kind: callKind(r.Method, r.URL.Path)}
}

// callEntities name the collections below /api/v1.
var callEntities = map[string]string{"tickets": "ticket", "customers": "company", "contacts": "contact", "contracts": "contract"}

func callKind(method, path string) string {
	_, rest, ok := strings.Cut(path, "/api/v1/")
	if !ok {
		return "other"
	}
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	entity, ok := callEntities[segs[0]]
	if !ok {
		return segs[0] + "." + strings.ToLower(method)
	}
	switch {
	case entity == "ticket" && len(segs) == 3 && segs[2] == "comment":
		return "note.create"
	case entity == "ticket" && len(segs) == 3 && segs[2] == "comments":
		return "note.query"
	case len(segs) == 2 && segs[1] == "settings":
		return entity + ".settings"
	case len(segs) == 1 && method == http.MethodPost:
		return entity + ".create"
	case len(segs) == 1:
		return entity + ".query"
	case len(segs) == 2 && method == http.MethodPut:
		return entity + ".update"
	case len(segs) == 2 && method == http.MethodGet:
		return entity + ".get"
	}
	return entity + "." + strings.ToLower(method)
}

func (s *simulator) OverBudget(status int, body []byte) bool {
	return status == http.StatusTooManyRequests && bytes.Contains(body, []byte(syncrosim.RateLimitMessage))
}

func (s *simulator) FaultBody(_ int, msg string) []byte {
	b, _ := json.Marshal(map[string]any{"error": msg})
	return b
}

// FaultEligible faults every request: Syncro has no discovery call.
func (s *simulator) FaultEligible(*http.Request) bool { return true }

// Simulator serves sim, built with options the driver's do not cover, as
// the driver's simulator.
func Simulator(sim *syncrosim.Sim) driver.Simulator { return &simulator{Sim: sim} }

// DeleteTicket deletes a ticket as a person does in Syncro's screens.
func (s *simulator) DeleteTicket(ticketID string) bool {
	n, err := strconv.ParseInt(ticketID, 10, 64)
	return err == nil && s.Sim.DeleteTicket(n)
}

// RenameQueue renames the queue tickets go to, as an admin does.
func (s *simulator) RenameQueue(from, to string) bool { return s.Sim.RenameTicketType(from, to) }
