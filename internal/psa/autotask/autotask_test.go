package autotask_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/autotask"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
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
