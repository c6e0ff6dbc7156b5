package autotask_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
	"github.com/ticketbridge/ticketbridge/internal/psa/psatest"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// simConnector returns a connector for user u of the simulator at srv.
func simConnector(t *testing.T, srv *httptest.Server, sim *autotasksim.Sim, u autotasksim.User) *autotask.Connector {
	t.Helper()
	c, err := autotask.New(autotask.Config{
		BaseURL:         srv.URL + "/atservicesrest/",
		Username:        u.UserName,
		Secret:          secret.New(u.Secret),
		IntegrationCode: secret.New(sim.IntegrationCode()),
		HTTPClient:      srv.Client(),
		RetryBackoff:    5 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("autotask.New: %v", err)
	}
	return c
}

func TestConformance(t *testing.T) {
	t.Parallel()
	psatest.Run(t, func(t *testing.T) psatest.Fixture {
		clk := &psatest.Clock{}
		// Callouts retry fast, so those to receivers a finished case closed
		// give up quickly.
		sim := autotasksim.New(autotasksim.Options{Now: clk.Now, WebhookRetryDelay: time.Millisecond})
		srv := httptest.NewServer(sim)
		t.Cleanup(srv.Close)
		t.Cleanup(sim.Close)
		users := sim.Users()
		tech := simConnector(t, srv, sim, users[1])
		techStatus := func(ctx context.Context, id, status string) error {
			return tech.UpdateTicket(ctx, id, psa.TicketPatch{Status: &status})
		}
		return psatest.Fixture{
			Connector:            simConnector(t, srv, sim, users[0]),
			CompanyName:          "Acme Corp",
			CompanyContactEmail:  "jane@acme.example",
			SecondContactEmail:   "helpdesk@acme.example",
			InactiveContactEmail: "former@acme.example",
			OtherCompanyName:     "Globex Corporation",
			ProspectTypeName:     "Prospect",
			TicketDefaults: psa.NewTicket{
				Status: "1", Priority: "2", Queue: "29683325", Category: "3", Type: "5",
				Source: "8", IssueType: "11", SubIssueType: "100",
				DueAt: time.Date(2030, 1, 1, 17, 0, 0, 0, time.UTC),
			},
			NoteType:         "3",
			UpdateStatus:     "8",
			CloseTicket:      func(ctx context.Context, id string) error { return techStatus(ctx, id, "5") },
			TechnicianStatus: techStatus,
			TechnicianNote: func(ctx context.Context, id string) error {
				_, err := tech.AddNote(ctx, id, psa.NewNote{
					Title: "Called the user", Description: "confirmed the sign-in was theirs", Type: "3", Visibility: psa.VisibilityInternal,
				})
				return err
			},
			AdvanceClock: clk.Advance,
			Contract:     psatest.ContractFixture{Name: "Acme Managed Services", ServiceName: "SaaS Alerts User"},
			// Autotask signs with the key given at registration.
			Webhook: psatest.WebhookFixture{Sign: func(body []byte, key string) string { return sign(key, body) }},
			AgainstURL: func(url string) psa.Connector {
				c, err := autotask.New(autotask.Config{
					ZoneURL:         url + "/atservicesrest/",
					Username:        users[0].UserName,
					Secret:          secret.New(users[0].Secret),
					IntegrationCode: secret.New(sim.IntegrationCode()),
					Timeout:         200 * time.Millisecond,
					MaxAttempts:     2,
					RetryBackoff:    5 * time.Millisecond,
				})
				if err != nil {
					t.Fatalf("autotask.New: %v", err)
				}
				return c
			},
		}
	})
}
