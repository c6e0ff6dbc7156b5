package integration_test

import (
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
)

func init() { *integration.TestProfiles = drivers.Profiles() }

// TestProfilesAreFilled: the package's tests run against the drivers'
// profiles, not against none.
func TestProfilesAreFilled(t *testing.T) {
	if len(*integration.TestProfiles) == 0 {
		t.Fatal("no driver profiles")
	}
	for _, p := range *integration.TestProfiles {
		if err := p.Verify(); err != nil {
			t.Error(err)
		}
	}
}
