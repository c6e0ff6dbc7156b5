package connectwise

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

var (
	//go:embed demo.yaml
	demoSettings string
	//go:embed bench.yaml
	benchSettings string
)

// simulator is the ConnectWise simulator as driver.Simulator: its first
// member is the integration's API member, its second a technician.
type simulator struct {
	*connectwisesim.Sim
}

var (
	_ driver.CalloutSimulator = (*simulator)(nil)
	_ driver.CalloutWaiter    = (*simulator)(nil)
)

func (s *simulator) Banner(base string) string {
	m, tech := s.Members()[0], s.Members()[1]
	return fmt.Sprintf("ConnectWise simulator on %s (connection.url)\n  company:     %s\n  public key:  %s\n  private key: %s\n  client id:   %s\n  member id:   %s\n  technician:  %s\n",
		base, s.CompanyID(), m.PublicKey, m.PrivateKey, s.ClientID(), m.Identifier, tech.Identifier)
}

func (s *simulator) Settings(kind driver.SettingsKind, p driver.SettingsParams) (string, map[string]string) {
	yaml := demoSettings
	if kind == driver.BenchSettings {
		yaml = benchSettings
	}
	m := s.Members()[0]
	yaml = strings.ReplaceAll(yaml, "PUBLIC_KEY", m.PublicKey)
	env := map[string]string{"DEMO_CW_PRIVATE_KEY": m.PrivateKey, "DEMO_CW_CLIENT_ID": s.ClientID()}
	return driver.FillSettings(yaml, strings.TrimSuffix(p.Base, "/"), p), env
}

func (s *simulator) Technician(base string) (psa.Connector, error) {
	tech := s.Members()[1]
	return New(Config{Site: base, CompanyID: tech.CompanyID, PublicKey: tech.PublicKey,
		PrivateKey: secret.New(tech.PrivateKey), ClientID: secret.New(s.ClientID())})
}

func (s *simulator) Seed() driver.Seed {
	return driver.Seed{
		ClosedStatus: "Completed",
		UpdateStatus: "In Progress",
		NoteType:     NoteTypeLabel,
		Priorities: map[string]string{"critical": "Priority 1 - Critical", "high": "Priority 2 - High",
			"medium": "Priority 3 - Medium", "low": "Priority 4 - Low", "info": "Priority 4 - Low"},
		CustomerType: "Client",
		ProspectType: "Prospect",
		Contract:     "Acme MDR",
		Service:      "EDR-DEVICE",
	}
}

// SignCallout signs as ConnectWise does, with the key it publishes at a
// callout's key_url; the key given at registration goes unused.
func (s *simulator) SignCallout(body []byte, key string) string {
	return connectwisesim.Sign(key, body)
}

// CalloutKey is the simulator's own signing key. WaitCallouts comes with
// the Sim: ConnectWise delivers callouts concurrently.
func (s *simulator) CalloutKey() string { return s.SigningKey() }

// State reports a ticket's initial description, which ConnectWise keeps as
// the ticket's first note, as its Description.
func (s *simulator) State() driver.State {
	var st driver.State
	for _, t := range s.Snapshot() {
		dt := driver.Ticket{
			ID: id(t.ID), Number: id(t.ID), CompanyID: id(t.CompanyID), Title: t.Summary, Status: id(t.StatusID),
			Closed: t.Closed, ExternalRef: t.ExternalXRef,
		}
		notes := t.Notes
		if len(notes) > 0 {
			dt.Description, notes = notes[0].Text, notes[1:]
		}
		for _, n := range notes {
			dt.Notes = append(dt.Notes, driver.Note{ID: id(n.ID), Description: n.Text})
		}
		st.Tickets = append(st.Tickets, dt)
	}
	return st
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func (s *simulator) Call(r *http.Request) driver.Call {
	m := s.Members()[0]
	user, _, _ := strings.Cut(basicUser(r), ":")
	return driver.Call{Ours: strings.EqualFold(user, m.CompanyID+"+"+m.PublicKey), Kind: callKind(r.Method, r.URL.Path)}
}

// basicUser returns the decoded Basic credentials, "" when there are none.
func basicUser(r *http.Request) string {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Basic ")
	if !ok {
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return ""
	}
	return string(b)
}

// callEntities name the collections below apis/3.0.
var callEntities = map[string]string{
	"service/tickets": "ticket", "company/companies": "company", "company/contacts": "contact",
	"finance/agreements": "agreement", "system/callbacks": "callback", "service/boards": "board",
}

// callKind names a call by method and path after apis/3.0.
func callKind(method, path string) string {
	_, rest, ok := strings.Cut(strings.ToLower(path), "/apis/3.0/")
	if !ok {
		return "other"
	}
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	if len(segs) < 2 {
		return "other"
	}
	entity := callEntities[segs[0]+"/"+segs[1]]
	if entity == "" {
		entity = segs[0] + "." + segs[1]
	}
	rest2 := segs[2:]
	switch {
	case entity == "ticket" && len(rest2) == 2 && rest2[1] == "notes" && method == http.MethodPost:
		return "note.create"
	case entity == "ticket" && len(rest2) == 2 && rest2[1] == "notes":
		return "note.list"
	case len(rest2) == 0 && method == http.MethodPost:
		return entity + ".create"
	case len(rest2) == 0:
		return entity + ".query"
	case len(rest2) == 1 && (method == http.MethodPatch || method == http.MethodPut):
		return entity + ".update"
	case len(rest2) == 1 && method == http.MethodGet:
		return entity + ".get"
	}
	return entity + "." + strings.ToLower(method)
}

func (s *simulator) OverBudget(status int, body []byte) bool {
	return status == http.StatusTooManyRequests && bytes.Contains(body, []byte("TooManyRequests"))
}

func (s *simulator) FaultBody(_ int, msg string) []byte {
	b, _ := json.Marshal(map[string]any{"code": "Simulated", "message": msg, "errors": nil})
	return b
}

// FaultEligible faults every request, discovery included: the connector
// retries a failed codebase lookup like any other call.
func (s *simulator) FaultEligible(*http.Request) bool { return true }

// Simulator serves sim, built with options the driver's do not cover, as
// the driver's simulator.
func Simulator(sim *connectwisesim.Sim) driver.Simulator { return &simulator{Sim: sim} }

// DeleteTicket deletes a ticket as a person does in ConnectWise's screens.
func (s *simulator) DeleteTicket(ticketID string) bool {
	n, err := strconv.ParseInt(ticketID, 10, 64)
	return err == nil && s.Sim.DeleteTicket(n)
}

// RenameQueue renames the queue tickets go to, as an admin does.
func (s *simulator) RenameQueue(from, to string) bool { return s.Sim.RenameBoard(from, to) }
