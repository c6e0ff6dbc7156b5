package connectwise_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise"
	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// simConnector returns a connector for member m of the simulator at srv.
func simConnector(t *testing.T, srv *httptest.Server, sim *connectwisesim.Sim, m connectwisesim.Member, mods ...func(*connectwise.Config)) *connectwise.Connector {
	t.Helper()
	cfg := connectwise.Config{
		Site:         srv.URL,
		CompanyID:    m.CompanyID,
		PublicKey:    m.PublicKey,
		PrivateKey:   secret.New(m.PrivateKey),
		ClientID:     secret.New(sim.ClientID()),
		HTTPClient:   srv.Client(),
		RetryBackoff: 5 * time.Millisecond,
	}
	for _, mod := range mods {
		mod(&cfg)
	}
	c, err := connectwise.New(cfg)
	if err != nil {
		t.Fatalf("connectwise.New: %v", err)
	}
	return c
}

// newSim starts a simulator and returns it with its server.
func newSim(t *testing.T) (*connectwisesim.Sim, *httptest.Server) {
	t.Helper()
	sim := connectwisesim.New(connectwisesim.Options{})
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		srv.Close()
		sim.Close()
	})
	return sim, srv
}

func TestPicklistsMapping(t *testing.T) {
	t.Parallel()
	sim, srv := newSim(t)
	c := simConnector(t, srv, sim, sim.Members()[0])
	p, err := c.Picklists(context.Background())
	if err != nil {
		t.Fatalf("Picklists: %v", err)
	}
	tests := []struct {
		name          string
		field, label  string
		parent        string
		wantID        string
		wantNotActive bool
	}{
		{name: "board", field: psa.FieldQueue, label: "Monitoring Alert", wantID: "3"},
		{name: "status of Security", field: psa.FieldStatus, label: "New", parent: "1", wantID: "11"},
		{name: "status of Service Desk", field: psa.FieldStatus, label: "New", parent: "2", wantID: "21"},
		{name: "type of Service Desk", field: psa.FieldIssueType, label: "Malware", parent: "2", wantID: "204"},
		{name: "subtype under its type", field: psa.FieldSubIssueType, label: "Ransomware", parent: "204", wantID: "215"},
		{name: "priority", field: psa.FieldPriority, label: "Priority 1 - Critical", wantID: "4"},
		{name: "source", field: psa.FieldSource, label: "Monitoring Alert", wantID: "6"},
		{name: "company type", field: psa.FieldCompanyType, label: "Prospect", wantID: "2"},
		{name: "synthetic note type", field: psa.FieldNoteType, label: connectwise.NoteTypeLabel, wantID: connectwise.NoteTypeID},
		{name: "inactive board", field: psa.FieldQueue, label: "Retired Board", wantNotActive: true},
	}
	for _, tt := range tests {
		v, ok := p.Lookup(tt.field, tt.label, tt.parent)
		if tt.wantNotActive {
			if ok {
				t.Errorf("%s: %q listed as active", tt.name, tt.label)
			}
			continue
		}
		if !ok || v.ID != tt.wantID {
			t.Errorf("%s: Lookup(%s, %q, %q) = %+v, %v; want id %s", tt.name, tt.field, tt.label, tt.parent, v, ok, tt.wantID)
		}
	}
	for _, field := range []string{psa.FieldType, psa.FieldCategory, psa.FieldClassification} {
		if len(p[field]) != 0 {
			t.Errorf("picklist %s = %+v, want none (ConnectWise has no such field)", field, p[field])
		}
	}
}

func TestStatusFollowsTheBoardOnTheSimulator(t *testing.T) {
	t.Parallel()
	sim, srv := newSim(t)
	c := simConnector(t, srv, sim, sim.Members()[0])
	// 11 is Security's New; the ticket goes to board 2 Service Desk.
	tk, err := c.CreateTicket(context.Background(), psa.NewTicket{
		CompanyID: "251", Title: "moved board", Queue: "2", Status: "11", Priority: "8", ExternalRef: "tb-moved",
	})
	if err != nil {
		t.Fatalf("CreateTicket: %v", err)
	}
	if tk.Queue != "2" || tk.Status != "21" || tk.Closed {
		t.Errorf("ticket on board %s status %s closed %v; want board 2, its New (21), open", tk.Queue, tk.Status, tk.Closed)
	}
}

func TestCredentialsRejected(t *testing.T) {
	t.Parallel()
	sim, srv := newSim(t)
	good := sim.Members()[0]
	tests := []struct {
		name   string
		mutate func(*connectwise.Config)
	}{
		{name: "wrong private key", mutate: func(c *connectwise.Config) { c.PrivateKey = secret.New("wrong-key") }},
		{name: "wrong clientId", mutate: func(c *connectwise.Config) { c.ClientID = secret.New("not-the-client") }},
		{name: "wrong company", mutate: func(c *connectwise.Config) { c.CompanyID = "nosuchco" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := connectwise.Config{
				Site: srv.URL, CompanyID: good.CompanyID, PublicKey: good.PublicKey,
				PrivateKey: secret.New(good.PrivateKey), ClientID: secret.New(sim.ClientID()), HTTPClient: srv.Client(),
			}
			tt.mutate(&cfg)
			c, err := connectwise.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = c.Test(context.Background())
			if psa.ClassOf(err) != psa.Permanent || err == nil {
				t.Fatalf("Test = %v, want a permanent error", err)
			}
		})
	}
}

func TestStableCodebaseAndBudget(t *testing.T) {
	t.Parallel()
	sim, srv := newSim(t)
	m := sim.Members()[0]
	c, err := connectwise.New(connectwise.Config{
		Site: srv.URL, Codebase: connectwisesim.StableCodebase, CompanyID: m.CompanyID, PublicKey: m.PublicKey,
		PrivateKey: secret.New(m.PrivateKey), ClientID: secret.New(sim.ClientID()), HTTPClient: srv.Client(),
		RequestsPerHour: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := c.Test(context.Background()); err != nil {
			t.Fatalf("Test: %v", err)
		}
	}
	if got := c.BudgetRemaining(); got != 7 {
		t.Errorf("BudgetRemaining = %d, want 7 after 3 calls of 10", got)
	}
}

func TestSettingsResolveAgainstSimulator(t *testing.T) {
	t.Parallel()
	sim, srv := newSim(t)
	c := simConnector(t, srv, sim, sim.Members()[0])
	picks, err := c.Picklists(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s := integration.Settings{
		Name: "cw", PSA: "connectwise",
		Ticket: integration.Ticket{
			Queue: integration.Pick{Name: "Monitoring Alert"}, Status: integration.Pick{Name: "Escalated"},
			IssueType: integration.Pick{Name: "Malware"}, SubIssueType: integration.Pick{Name: "Ransomware"},
		},
	}
	err = integration.Resolve(&s, integration.Catalog{Picklists: picks})
	want := `ticket.status: status "Escalated" is not a status of board "Monitoring Alert" (ticket.queue), it is on board "Security"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Resolve = %v, want a problem %q", err, want)
	}
	if s.Ticket.IssueType.ID != "304" || s.Ticket.SubIssueType.ID != "315" {
		t.Errorf("issue type %s, sub-issue type %s; want board 3's 304 and 315", s.Ticket.IssueType.ID, s.Ticket.SubIssueType.ID)
	}
}
