package app

import (
	"errors"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// TestTestError: a test connection the PSA refuses for want of a right
// points at the rights ticketbridge needs; other failures read as they are.
func TestTestError(t *testing.T) {
	profiles := integration.Profiles{{Name: "syncro", Title: "Syncro"}}
	forbidden := &psa.Error{Class: psa.Permanent, Status: 403, Message: "Not authorized. Please ask account admin to update your group permissions."}
	got := testError(forbidden, profiles, "syncro").Error()
	for _, want := range []string{"test connection: PSA refused (HTTP 403): Not authorized", "lacks a permission", `"Least privilege", Syncro`} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	if !errors.Is(testError(forbidden, profiles, "syncro"), forbidden) {
		t.Error("the PSA's error is not wrapped")
	}
	unauthorized := &psa.Error{Class: psa.Permanent, Status: 401, Message: "bad credentials"}
	if got := testError(unauthorized, profiles, "syncro").Error(); strings.Contains(got, "permission") {
		t.Errorf("a 401 is about credentials, not rights: %q", got)
	}
}
