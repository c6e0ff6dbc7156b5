package autotask

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

var (
	//go:embed demo.yaml
	demoSettings string
	//go:embed bench.yaml
	benchSettings string
)

// simulator is the Autotask simulator as driver.Simulator: its first
// seed user is the integration's API user, its second a technician.
type simulator struct {
	*autotasksim.Sim
}

// It delivers callouts one at a time, in order: no CalloutWaiter.
var _ driver.CalloutSimulator = (*simulator)(nil)

// apiRoot is the REST root below the simulator's base URL.
func apiRoot(base string) string { return strings.TrimSuffix(base, "/") + "/atservicesrest/" }

func (s *simulator) Banner(base string) string {
	u, tech := s.Users()[0], s.Users()[1]
	return fmt.Sprintf("Autotask simulator on %s (connection.url)\n  username:         %s\n  secret:           %s\n  integration code: %s\n  technician:       %s / %s\n",
		apiRoot(base), u.UserName, u.Secret, s.IntegrationCode(), tech.UserName, tech.Secret)
}

func (s *simulator) Settings(kind driver.SettingsKind, p driver.SettingsParams) (string, map[string]string) {
	yaml := demoSettings
	if kind == driver.BenchSettings {
		yaml = benchSettings
	}
	url := ""
	if p.Base != "" {
		url = apiRoot(p.Base)
	}
	env := map[string]string{"DEMO_AUTOTASK_SECRET": s.Users()[0].Secret, "DEMO_AUTOTASK_INTEGRATION_CODE": s.IntegrationCode()}
	return driver.FillSettings(yaml, url, p), env
}

func (s *simulator) Technician(base string) (psa.Connector, error) {
	tech := s.Users()[1]
	return New(Config{BaseURL: apiRoot(base), Username: tech.UserName,
		Secret: secret.New(tech.Secret), IntegrationCode: secret.New(s.IntegrationCode())})
}

func (s *simulator) Seed() driver.Seed {
	return driver.Seed{
		ClosedStatus: "Complete",
		UpdateStatus: "In Progress",
		NoteType:     "Task Notes",
		Priorities:   map[string]string{"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low", "info": "Low"},
		CustomerType: "Customer",
		ProspectType: "Prospect",
		Contract:     "Acme Managed Services",
		Service:      "SaaS Alerts User",
	}
}

// SignCallout signs as Autotask does, with the key given at registration.
func (s *simulator) SignCallout(body []byte, key string) string { return autotasksim.Sign(key, body) }

// CalloutKey is empty: Autotask signs with the registered key.
func (s *simulator) CalloutKey() string { return "" }

func (s *simulator) State() driver.State {
	var st driver.State
	for _, t := range s.Snapshot() {
		dt := driver.Ticket{
			ID: id(t.ID), Number: t.Number, CompanyID: id(t.CompanyID), Title: t.Title, Status: id(t.Status),
			Closed: t.Complete, ExternalRef: t.ExternalID, Description: t.Description,
		}
		for _, n := range t.Notes {
			dt.Notes = append(dt.Notes, driver.Note{ID: id(n.ID), Description: n.Description})
		}
		st.Tickets = append(st.Tickets, dt)
	}
	return st
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func (s *simulator) Call(r *http.Request) driver.Call {
	return driver.Call{
		Ours: strings.EqualFold(r.Header.Get("UserName"), s.Users()[0].UserName),
		Kind: callKind(r.Method, r.URL.Path),
	}
}

// OverBudget recognises the hourly request threshold's 429, not the
// thread limit's.
func (s *simulator) OverBudget(status int, body []byte) bool {
	return status == http.StatusTooManyRequests && bytes.Contains(body, []byte("requests per hour has been exceeded"))
}

func (s *simulator) FaultBody(_ int, msg string) []byte {
	b, _ := json.Marshal(map[string]any{"errors": []string{msg}})
	return b
}

// FaultEligible spares zone and version discovery.
func (s *simulator) FaultEligible(r *http.Request) bool {
	p := strings.ToLower(strings.TrimSuffix(r.URL.Path, "/"))
	return !strings.HasSuffix(p, "/zoneinformation") && !strings.HasSuffix(p, "/versioninformation")
}

// callEntities are the singular names of the entities' paths.
var callEntities = map[string]string{
	"tickets": "ticket", "ticketnotes": "note", "companies": "company", "contacts": "contact", "resources": "resource",
}

// callKind names a call by method and path after V1.0.
func callKind(method, path string) string {
	segs := strings.Split(strings.Trim(strings.ToLower(path), "/"), "/")
	for len(segs) > 0 && segs[0] != "v1.0" {
		segs = segs[1:]
	}
	if len(segs) < 2 {
		return "other"
	}
	segs = segs[1:]
	entity := callEntities[segs[0]]
	if entity == "" {
		entity = segs[0]
	}
	if len(segs) > 1 && segs[1] == "entityinformation" {
		return entity + ".fields"
	}
	switch {
	case len(segs) == 1 && method == http.MethodPost:
		return entity + ".create"
	case len(segs) == 1 && (method == http.MethodPatch || method == http.MethodPut):
		return entity + ".update"
	case segs[len(segs)-1] == "query" || (len(segs) > 1 && segs[len(segs)-2] == "query"):
		return entity + ".query"
	case len(segs) == 3 && segs[2] == "notes" && method == http.MethodPost:
		return "note.create"
	case len(segs) == 3 && segs[2] == "notes":
		return "note.list"
	case len(segs) == 2 && method == http.MethodGet:
		return entity + ".get"
	}
	return entity + "." + strings.ToLower(method)
}

// Simulator serves sim, built with options the driver's do not cover, as
// the driver's simulator.
func Simulator(sim *autotasksim.Sim) driver.Simulator { return &simulator{Sim: sim} }

// DeleteTicket deletes a ticket as a person does in Autotask's screens.
func (s *simulator) DeleteTicket(ticketID string) bool {
	n, err := strconv.ParseInt(ticketID, 10, 64)
	return err == nil && s.Sim.DeleteTicket(n)
}

// RenameQueue renames the queue tickets go to, as an admin does.
func (s *simulator) RenameQueue(from, to string) bool { return s.Sim.RenameQueue(from, to) }
