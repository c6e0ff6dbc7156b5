package autotasksim_test

import (
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
)

// TestSign pins the callout signature to a value computed outside Go:
// printf '%s' "$body" | openssl dgst -sha1 -hmac registered-key -binary | base64
func TestSign(t *testing.T) {
	t.Parallel()
	got := autotasksim.Sign("registered-key", []byte(`{"Action":"Update","Id":42}`))
	if want := "sha1=ADU3xoNpXYEGQ7PzhIuuE0Lm8xg="; got != want {
		t.Errorf("Sign = %q, want %q", got, want)
	}
}
