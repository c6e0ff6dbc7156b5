package halopsa

import (
	"errors"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
)

// problems validates the demo settings after edit, as apply does.
func problems(t *testing.T, edit func(string) string) map[string]string {
	t.Helper()
	sim := Driver.Simulate(driver.SimOptions{})
	defer sim.Close()
	yaml, _ := sim.Settings(driver.DemoSettings, driver.SettingsParams{Base: "http://127.0.0.1:1"})
	all, err := integration.Decode(strings.NewReader(edit(yaml)))
	if err != nil || len(all) != 1 {
		t.Fatalf("decode: %d documents, %v", len(all), err)
	}
	s := all[0]
	integration.ApplyDefaults(&s)
	Profile.ApplyDefaults(&s)
	out := map[string]string{}
	var ve *integration.ValidationError
	if err := integration.Validate(s, integration.Profiles{Profile}); errors.As(err, &ve) {
		for _, p := range ve.Problems {
			out[p.Path] = p.Message
		}
	} else if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSettingsAsTheSeedWritesThem(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(string) string
		path     string
		contains string
	}{
		{"demo settings are valid", func(s string) string { return s }, "", ""},
		{"the ticket type is required", func(s string) string { return strings.Replace(s, "  type: Security Alert\n", "", 1) }, "ticket.type", "required"},
		{"a catch-all client is required", func(s string) string {
			return strings.Replace(s, "  catch_all:\n    company: Default Account\n    contact: default.contact@msp.example\n", "", 1)
		}, "companies.catch_all.company", "required"},
		{"the client secret is required", func(s string) string {
			return strings.Replace(s, "  client_secret: {env: DEMO_HALO_CLIENT_SECRET}\n", "", 1)
		}, "connection.client_secret", "client secret"},
		{"no ticket source", func(s string) string {
			return strings.Replace(s, "  queue: Security\n", "  queue: Security\n  source: Email\n", 1)
		}, "ticket.source", "HaloPSA sets a ticket's source"},
		{"no signed webhooks", func(s string) string {
			return s + "status_sync:\n  enabled: true\n  webhooks: true\n  public_url: https://tb.example\n"
		}, "status_sync.webhooks", "signs no webhook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problems(t, tt.edit)
			if tt.path == "" {
				if len(got) > 0 {
					t.Fatalf("problems %v, want none", got)
				}
				return
			}
			if !strings.Contains(got[tt.path], tt.contains) {
				t.Errorf("problems %v; want %s to say %q", got, tt.path, tt.contains)
			}
		})
	}
}
