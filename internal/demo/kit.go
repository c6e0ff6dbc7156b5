package demo

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise"
	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

//go:embed demo_connectwise.yaml
var connectwiseYAML string

// PSAs the demo can run against.
var PSAs = []string{"autotask", "connectwise"}

// kit is what the demo needs of one PSA: its simulator, its settings, the
// credentials the settings read from the environment, and a technician's
// connector to act on tickets as a person in the PSA would.
type kit struct {
	handler     http.Handler
	apiURL      func(base string) string // the settings' connection.url
	settings    string
	env         map[string]string
	tech        func(base string) (psa.Connector, error)
	closedLabel string // the status a technician closes tickets with
	name        string // the integration's name in settings
}

func newKit(name string, opts Options, e *Env) (kit, error) {
	switch name {
	case "", "autotask":
		sim := opts.Sim
		if sim == nil {
			sim = autotasksim.New(opts.SimOpts)
		}
		e.Sim = sim
		u, tech := sim.Users()[0], sim.Users()[1]
		return kit{
			handler:  sim,
			apiURL:   func(base string) string { return base + "/atservicesrest/" },
			settings: settingsYAML,
			env:      map[string]string{"DEMO_AUTOTASK_SECRET": u.Secret, "DEMO_AUTOTASK_INTEGRATION_CODE": sim.IntegrationCode()},
			tech: func(base string) (psa.Connector, error) {
				return autotask.New(autotask.Config{BaseURL: base + "/atservicesrest/", Username: tech.UserName,
					Secret: secret.New(tech.Secret), IntegrationCode: secret.New(sim.IntegrationCode())})
			},
			closedLabel: "Complete",
			name:        "demo-autotask",
		}, nil
	case "connectwise":
		sim := opts.CWSim
		if sim == nil {
			sim = connectwisesim.New(opts.CWOpts)
		}
		e.CW = sim
		m, tech := sim.Members()[0], sim.Members()[1]
		return kit{
			handler:  sim,
			apiURL:   func(base string) string { return base },
			settings: strings.ReplaceAll(connectwiseYAML, "PUBLIC_KEY", m.PublicKey),
			env:      map[string]string{"DEMO_CW_PRIVATE_KEY": m.PrivateKey, "DEMO_CW_CLIENT_ID": sim.ClientID()},
			tech: func(base string) (psa.Connector, error) {
				return connectwise.New(connectwise.Config{Site: base, CompanyID: tech.CompanyID, PublicKey: tech.PublicKey,
					PrivateKey: secret.New(tech.PrivateKey), ClientID: secret.New(sim.ClientID())})
			},
			closedLabel: "Completed",
			name:        "demo-connectwise",
		}, nil
	}
	return kit{}, fmt.Errorf("demo: unknown psa %q: choose one of %s", name, strings.Join(PSAs, ", "))
}

// SetStatus sets a ticket's status by its label, as a technician does in
// the PSA (statuses of the ticket's board, where the PSA has boards).
func (e *Env) SetStatus(ctx context.Context, ticketID, label string) error {
	t, err := e.Tech.Ticket(ctx, ticketID)
	if err != nil {
		return fmt.Errorf("read ticket %s: %w", ticketID, err)
	}
	pl, err := e.Tech.Picklists(ctx)
	if err != nil {
		return err
	}
	v, ok := pl.Lookup(psa.FieldStatus, label, t.Queue)
	if !ok {
		if v, ok = pl.Lookup(psa.FieldStatus, label, ""); !ok {
			return fmt.Errorf("no status %q", label)
		}
	}
	return e.Tech.UpdateTicket(ctx, ticketID, psa.TicketPatch{Status: &v.ID})
}

// CloseTicket closes a ticket as a technician does.
func (e *Env) CloseTicket(ctx context.Context, ticketID string) error {
	return e.SetStatus(ctx, ticketID, e.kit.closedLabel)
}
