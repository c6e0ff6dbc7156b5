package integration

import (
	"os"
	"testing"
)

// loadExample decodes testdata/example.yaml with defaults applied.
func loadExample(t testing.TB) Settings {
	t.Helper()
	f, err := os.Open("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := Decode(f)
	if err != nil {
		t.Fatalf("Decode(example.yaml): %v", err)
	}
	if len(all) != 1 {
		t.Fatalf("Decode(example.yaml) returned %d integrations, want 1", len(all))
	}
	applyDefaults(&all[0])
	return all[0]
}

// minimal is the smallest valid autotask settings.
func minimal() Settings {
	s := Settings{
		Name: "autotask",
		PSA:  "autotask",
		Connection: Connection{
			Username:        "api@msp.example",
			Secret:          SecretRef{Env: "AT_SECRET"},
			IntegrationCode: SecretRef{Env: "AT_CODE"},
		},
		Companies: Companies{CatchAll: CatchAll{Company: Pick{Name: "Default Account"}}},
		Ticket: Ticket{
			Category: Pick{Name: "Standard"}, Type: Pick{Name: "Alert"}, Status: Pick{Name: "New"},
			Queue: Pick{Name: "Security"}, Source: Pick{Name: "Monitoring Alert"},
			Priority: map[string]Pick{
				"critical": {Name: "Critical"}, "high": {Name: "High"}, "medium": {Name: "Medium"},
				"low": {Name: "Low"}, "info": {Name: "Low"},
			},
		},
		Notes: Notes{Type: Pick{Name: "Task Notes"}},
	}
	applyDefaults(&s)
	return s
}

func ptr[T any](v T) *T { return &v }
