package drivers_test

import (
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/engine"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
)

// TestDriversAreComplete: every driver has a connector, a simulator and a
// consistent profile, under a name no other driver has.
func TestDriversAreComplete(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, d := range drivers.All() {
		if err := d.Verify(); err != nil {
			t.Error(err)
		}
		if seen[d.Name()] {
			t.Errorf("two drivers are called %s", d.Name())
		}
		seen[d.Name()] = true
		// Coalesced notes are cut to one size for every PSA.
		if d.Profile.Limits.Note < engine.MaxNoteChars {
			t.Errorf("%s: note limit %d is under the engine's %d", d.Name(), d.Profile.Limits.Note, engine.MaxNoteChars)
		}
	}
}

// TestSimulatorsKeepTheirSeed: a simulator's settings name its PSA, read
// their secrets from the environment it returns, and its seed names what
// the demo and the tests rely on.
func TestSimulatorsKeepTheirSeed(t *testing.T) {
	t.Parallel()
	for _, d := range drivers.All() {
		t.Run(d.Name(), func(t *testing.T) {
			t.Parallel()
			sim := d.Simulate(driver.SimOptions{})
			defer sim.Close()
			for _, kind := range []driver.SettingsKind{driver.DemoSettings, driver.BenchSettings} {
				yaml, env := sim.Settings(kind, driver.SettingsParams{Base: "http://127.0.0.1:1", Name: "x"})
				if len(env) == 0 {
					t.Errorf("settings %d read no secret from the environment", kind)
				}
				if want := "psa: " + d.Name(); !strings.Contains(yaml, want) || !strings.Contains(yaml, "name: x") || !strings.Contains(yaml, "  url: http://127.0.0.1:1") {
					t.Errorf("settings %d lack %q, the name or the URL:\n%s", kind, want, yaml)
				}
			}
			seed := sim.Seed()
			if seed.ClosedStatus == "" || len(seed.Priorities) != 5 || seed.CustomerType == "" || seed.Contract == "" || seed.Service == "" {
				t.Errorf("seed %+v is incomplete", seed)
			}
		})
	}
}
