package connectwisesim_test

import (
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

// TestSign pins the callback signature to a value computed outside Go:
// key=$(printf '%s' cw-signing-key | openssl dgst -sha256 -binary | xxd -p -c 64)
// printf '%s' "$body" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$key -binary | base64
func TestSign(t *testing.T) {
	t.Parallel()
	got := connectwisesim.Sign("cw-signing-key", []byte(`{"ID":1001,"Action":"updated"}`))
	if want := "TNYl2BwzFk92JAuDJ/LEZlKR0QeVz6uPDTJobJKe2pY="; got != want {
		t.Errorf("Sign = %q, want %q", got, want)
	}
}
