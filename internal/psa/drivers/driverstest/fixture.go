package driverstest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/psatest"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// Timing of the connectors the classification table and the budget cases
// point at their stand-ins: well under a second per call, two attempts,
// and retries that do not make the table slow.
const (
	standInTimeout = 200 * time.Millisecond
	standInRetries = 2
	retryBackoff   = 5 * time.Millisecond
)

// Fixture builds the conformance suite's fixture for d from the driver
// alone: its simulator on httptest, the connector its demo settings give
// (names resolved to ids as apply resolves them), the seed tenant's facts
// and the simulator's technician. It names no PSA, so a driver added to
// drivers.All() is conformance-tested with no code of its own.
func Fixture(t *testing.T, d driver.Driver) psatest.Fixture {
	t.Helper()
	clk := &psatest.Clock{}
	sim := d.Simulate(driver.SimOptions{Now: clk.Now})
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		srv.Close()
		sim.Close()
	})
	b := &builder{t: t, d: d, sim: sim, seed: sim.Seed()}
	s, env := b.settings(srv.URL)
	b.name, b.secrets = s.Name, secrets(t, s.Connection, env)
	conn := b.connect(driver.Params{Connection: s.Connection, HTTPClient: srv.Client(), RetryBackoff: retryBackoff})
	tech, picks := b.technician(srv.URL)
	nt := b.ticketDefaults(s.Ticket, picks, clk.Now())
	return psatest.Fixture{
		Connector:            conn,
		CompanyName:          driver.SeedCompany,
		CompanyContactEmail:  driver.SeedContact,
		SecondContactEmail:   driver.SeedSecondContact,
		InactiveContactEmail: driver.SeedInactiveContact,
		OtherCompanyName:     driver.SeedOtherCompany,
		ProspectTypeName:     b.seed.ProspectType,
		TicketDefaults:       nt,
		NoteType:             tech.noteType,
		UpdateStatus:         b.status(picks, b.seed.UpdateStatus, nt.Queue),
		CloseTicket:          tech.close,
		TechnicianStatus:     tech.setStatus,
		TechnicianNote:       tech.note,
		AdvanceClock:         clk.Advance,
		Contract:             psatest.ContractFixture{Name: b.seed.Contract, ServiceName: b.seed.Service},
		Webhook:              b.webhook(conn),
		Lacks:                lacks(d),
		AgainstURL:           b.againstURL,
		ErrorBody:            func(status int) []byte { return sim.FaultBody(status, "simulated failure") },
	}
}

// builder carries what the fixture's parts are built from.
type builder struct {
	t    *testing.T
	d    driver.Driver
	sim  driver.Simulator
	seed driver.Seed

	name    string                   // the integration's name
	secrets map[string]secret.Secret // by credential name
}

// settings decodes the simulator's demo settings for a simulator at base,
// with defaults applied as apply applies them, and returns them with the
// environment their secret references read.
func (b *builder) settings(base string) (integration.Settings, map[string]string) {
	b.t.Helper()
	yaml, env := b.sim.Settings(driver.DemoSettings, driver.SettingsParams{Base: base})
	all, err := integration.Decode(strings.NewReader(yaml))
	if err != nil || len(all) != 1 {
		b.t.Fatalf("%s: demo settings: %d documents, %v", b.d.Name(), len(all), err)
	}
	s := all[0]
	integration.ApplyDefaults(&s)
	b.d.Profile.ApplyDefaults(&s)
	return s, env
}

// secrets reads the connection's secret references from env, as apply
// reads them from the environment.
func secrets(t *testing.T, c integration.Connection, env map[string]string) map[string]secret.Secret {
	t.Helper()
	out := map[string]secret.Secret{}
	for name, ref := range c.SecretRefs() {
		switch {
		case ref.Env != "":
			v, ok := env[ref.Env]
			if !ok {
				t.Fatalf("connection.%s reads %s, which the simulator's environment lacks", name, ref.Env)
			}
			out[name] = secret.New(v)
		case ref.Value != "":
			out[name] = secret.New(ref.Value)
		case !ref.IsZero():
			t.Fatalf("connection.%s: a simulator's settings give secrets by env or value, not %+v", name, ref)
		}
	}
	return out
}

// connect builds the driver's connector with the integration's name and
// secrets. Budget is left nil: every connector builds its own from
// connection.requests_per_hour, which AgainstURL's connectors need.
func (b *builder) connect(p driver.Params) psa.Connector {
	b.t.Helper()
	p.Integration, p.Secrets = b.name, b.secrets
	conn, err := b.d.Connect(p)
	if err != nil {
		b.t.Fatalf("%s: Connect: %v", b.d.Name(), err)
	}
	return conn
}

// againstURL is the same connector pointed at a stand-in at url: the
// connection.url the simulator's settings give a simulator there, used as
// the API root (Direct), since a stand-in answers every path alike.
func (b *builder) againstURL(url string) psa.Connector {
	s, _ := b.settings(url)
	return b.connect(driver.Params{
		Connection: s.Connection, Direct: true,
		Timeout: standInTimeout, MaxAttempts: standInRetries, RetryBackoff: retryBackoff,
	})
}

// ticketDefaults resolves the settings' ticket defaults against the
// picklists, as apply does, and takes a medium alert's priority. DueAt is
// due_in from now, as the engine sets it.
func (b *builder) ticketDefaults(tk integration.Ticket, picks psa.Picklists, now time.Time) psa.NewTicket {
	b.t.Helper()
	// The suite creates tickets with the defaults only.
	only := integration.Settings{Ticket: tk}
	only.Ticket.Overrides = nil
	if err := integration.Resolve(&only, integration.Catalog{Picklists: picks}); err != nil {
		b.t.Fatalf("%s: resolve the demo settings' ticket defaults: %v", b.d.Name(), err)
	}
	tk = only.Ticket
	prio, ok := tk.Priority["medium"]
	if !ok {
		b.t.Fatalf("%s: the demo settings give medium alerts no priority", b.d.Name())
	}
	dueIn, err := time.ParseDuration(tk.DueIn)
	if err != nil {
		b.t.Fatalf("%s: ticket.due_in: %v", b.d.Name(), err)
	}
	return psa.NewTicket{
		Status: tk.Status.ID, Priority: prio.ID, Queue: tk.Queue.ID, Category: tk.Category.ID, Type: tk.Type.ID,
		Source: tk.Source.ID, IssueType: tk.IssueType.ID, SubIssueType: tk.SubIssueType.ID, DueAt: now.Add(dueIn),
	}
}

// status finds the status called label on queue, where statuses belong to
// queues (boards), or among all.
func (b *builder) status(picks psa.Picklists, label, queue string) string {
	b.t.Helper()
	id, err := statusOn(picks, label, queue)
	if err != nil {
		b.t.Fatalf("%s: seed status: %v", b.d.Name(), err)
	}
	return id
}

func statusOn(picks psa.Picklists, label, queue string) (string, error) {
	v, ok := picks.Lookup(psa.FieldStatus, label, queue)
	if !ok {
		if v, ok = picks.Lookup(psa.FieldStatus, label, ""); !ok {
			return "", fmt.Errorf("no active status %q", label)
		}
	}
	return v.ID, nil
}

// webhook says how the simulator signs callouts, when the connector has
// webhooks.
func (b *builder) webhook(conn psa.Connector) psatest.WebhookFixture {
	b.t.Helper()
	signer, ok := b.sim.(driver.CalloutSimulator)
	if !ok {
		if _, hooks := conn.(psa.TicketWebhooks); hooks {
			b.t.Fatalf("%s: the connector implements psa.TicketWebhooks, so its simulator must implement driver.CalloutSimulator", b.d.Name())
		}
		return psatest.WebhookFixture{}
	}
	w := psatest.WebhookFixture{Sign: signer.SignCallout, PSAKey: signer.CalloutKey()}
	if waiter, ok := b.sim.(driver.CalloutWaiter); ok {
		w.Settle = waiter.WaitCallouts
	}
	return w
}

// lacks is the driver's declaration in the suite's terms.
func lacks(d driver.Driver) map[psatest.Capability]string {
	out := map[psatest.Capability]string{}
	for name, why := range d.Lacks {
		out[psatest.Capability(name)] = why
	}
	return out
}

// technician acts in the PSA as a person: through the API, as the
// simulator's technician.
type technician struct {
	conn     psa.Connector
	picks    psa.Picklists
	closed   string // the seed's closed status label
	noteType string // id
}

// technician returns the simulator's technician, and the picklists as the
// technician reads them: the connector under test makes no call before
// the suite's own (a cached answer would stand in for its first read).
func (b *builder) technician(base string) (*technician, psa.Picklists) {
	b.t.Helper()
	conn, err := b.sim.Technician(base)
	if err != nil {
		b.t.Fatalf("%s: Technician: %v", b.d.Name(), err)
	}
	picks, err := conn.Picklists(b.t.Context())
	if err != nil {
		b.t.Fatalf("%s: the technician's Picklists: %v", b.d.Name(), err)
	}
	nt, ok := picks.Lookup(psa.FieldNoteType, b.seed.NoteType, "")
	if !ok {
		b.t.Fatalf("%s: seed note type %q is not an active note type", b.d.Name(), b.seed.NoteType)
	}
	return &technician{conn: conn, picks: picks, closed: b.seed.ClosedStatus, noteType: nt.ID}, picks
}

func (tc *technician) setStatus(ctx context.Context, id, status string) error {
	return tc.conn.UpdateTicket(ctx, id, psa.TicketPatch{Status: &status})
}

// close sets the seed's closed status, looked up on the ticket's queue.
func (tc *technician) close(ctx context.Context, id string) error {
	tk, err := tc.conn.Ticket(ctx, id)
	if err != nil {
		return fmt.Errorf("read ticket %s: %w", id, err)
	}
	status, err := statusOn(tc.picks, tc.closed, tk.Queue)
	if err != nil {
		return fmt.Errorf("close ticket %s: %w", id, err)
	}
	return tc.setStatus(ctx, id, status)
}

func (tc *technician) note(ctx context.Context, id string) error {
	_, err := tc.conn.AddNote(ctx, id, psa.NewNote{
		Title: "Called the user", Description: "confirmed the sign-in was theirs",
		Type: tc.noteType, Visibility: psa.VisibilityInternal,
	})
	return err
}
