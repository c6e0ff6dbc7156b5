package superops

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
	"github.com/ticketbridge/ticketbridge/internal/psa/superops/superopssim"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

var (
	//go:embed demo.yaml
	demoSettings string
	//go:embed bench.yaml
	benchSettings string
)

// tokenEnv is the environment variable the settings read the token from.
const tokenEnv = "DEMO_SUPEROPS_API_TOKEN"

// simulator is the SuperOps simulator as driver.Simulator: its first user
// is the integration's API user, its second a technician.
type simulator struct {
	*superopssim.Sim
}

func (s *simulator) Banner(base string) string {
	us := s.Users()
	return fmt.Sprintf("SuperOps simulator on %s (connection.url; the endpoint is %s%s)\n  subdomain:        %s\n  api token:        %s\n  technician token: %s\n",
		base, base, superopssim.Path, superopssim.SeedSubdomain, us[0].Token, us[1].Token)
}

func (s *simulator) Settings(kind driver.SettingsKind, p driver.SettingsParams) (string, map[string]string) {
	yaml := demoSettings
	if kind == driver.BenchSettings {
		yaml = benchSettings
	}
	env := map[string]string{tokenEnv: s.Users()[0].Token}
	return driver.FillSettings(yaml, strings.TrimSuffix(p.Base, "/"), p), env
}

func (s *simulator) Technician(base string) (psa.Connector, error) {
	return New(Config{URL: base, Subdomain: superopssim.SeedSubdomain, APIToken: secret.New(s.Users()[1].Token)})
}

func (s *simulator) Seed() driver.Seed {
	return driver.Seed{
		ClosedStatus: "Closed",
		UpdateStatus: "In Progress",
		NoteType:     NoteTypeLabel,
		Priorities: map[string]string{"critical": "Critical", "high": "High", "medium": "Medium",
			"low": "Low", "info": "Low"},
		CustomerType: "Customer",
		ProspectType: "Prospect",
		Contract:     "Acme MDR",
		Service:      "EDR-DEVICE",
	}
}

// State reports each ticket's description, SuperOps' DESCRIPTION
// conversation, as its Description, and its notes' whole content.
func (s *simulator) State() driver.State {
	var st driver.State
	col := s.RefColumn()
	for _, t := range s.Snapshot() {
		ref, _ := t.CustomFields[col].(string)
		dt := driver.Ticket{ID: t.ID, Number: t.DisplayID, CompanyID: t.ClientID, Title: t.Subject, Status: t.Status,
			Closed: isClosed(t.Status), ExternalRef: ref}
		for _, c := range t.Conversations {
			if c.Type == "DESCRIPTION" {
				dt.Description = c.Content
			}
		}
		for _, n := range t.Notes {
			dt.Notes = append(dt.Notes, driver.Note{ID: n.ID, Description: n.Content})
		}
		st.Tickets = append(st.Tickets, dt)
	}
	return st
}

func isClosed(status string) bool {
	for _, s := range closedStatuses {
		if strings.EqualFold(s, status) {
			return true
		}
	}
	return false
}

// Call tells the integration's requests by token and names them by the
// document's first root field. It reads the body and puts it back.
func (s *simulator) Call(r *http.Request) driver.Call {
	tok, _ := simkit.BearerToken(r)
	ours := tok != "" && tok == s.Users()[0].Token
	if r.Body == nil {
		return driver.Call{Ours: ours, Kind: "other"}
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	r.Body = io.NopCloser(bytes.NewReader(body))
	var req struct {
		Query string `json:"query"`
	}
	_ = json.Unmarshal(body, &req)
	return driver.Call{Ours: ours, Kind: callKind(req.Query)}
}

// callKinds name root fields for call logs.
var callKinds = map[string]string{
	"createTicket": "ticket.create", "getTicket": "ticket.get", "getTicketList": "ticket.query",
	"updateTicket": "ticket.update", "createNote": "note.create", "createTicketNote": "note.create",
	"getTicketNoteList": "note.query", "getClientUserList": "contact.query", "getClientList": "company.query",
}

func callKind(doc string) string {
	q, err := parser.ParseQuery(&ast.Source{Input: doc})
	if err != nil || len(q.Operations) == 0 || len(q.Operations[0].SelectionSet) == 0 {
		return "other"
	}
	ss := q.Operations[0].SelectionSet
	f, ok := ss[0].(*ast.Field)
	if !ok {
		return "other"
	}
	if f.Name == "getTicket" && len(ss) > 1 {
		return "ticket.query"
	}
	if k, ok := callKinds[f.Name]; ok {
		return k
	}
	return "other"
}

// OverBudget: SuperOps refuses with HTTP 200 and rate_limit_exceeded
// (or, with the simulator's option, HTTP 429).
func (s *simulator) OverBudget(status int, body []byte) bool {
	return status == http.StatusTooManyRequests ||
		(status == http.StatusOK && bytes.Contains(body, []byte(`"rate_limit_exceeded"`)))
}

func (s *simulator) FaultBody(_ int, msg string) []byte {
	b, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{"message": msg}}})
	return b
}

// FaultEligible faults every request: there is no discovery call.
func (s *simulator) FaultEligible(*http.Request) bool { return true }

// Simulator serves sim, built with options the driver's do not cover, as
// the driver's simulator.
func Simulator(sim *superopssim.Sim) driver.Simulator { return &simulator{Sim: sim} }

// DeleteTicket deletes a ticket as a person does in SuperOps' screens.
func (s *simulator) DeleteTicket(ticketID string) bool { return s.Sim.DeleteTicket(ticketID) }

// RenameQueue renames the queue tickets go to, as an admin does.
func (s *simulator) RenameQueue(from, to string) bool { return s.Sim.RenameGroup(from, to) }
