package ingest_test

import (
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/ingest"
)

func TestHashToken(t *testing.T) {
	t.Parallel()
	// SHA-256 of "abc" (FIPS 180-2 test vector).
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := ingest.HashToken("abc"); got != want {
		t.Errorf("HashToken(abc) = %s, want %s", got, want)
	}
}

func TestNewToken(t *testing.T) {
	t.Parallel()
	a, b := ingest.NewToken("tbs_"), ingest.NewToken("tbs_")
	if a == b {
		t.Fatal("two tokens are equal")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(a, "tbs_"))
	if !strings.HasPrefix(a, "tbs_") || err != nil || len(raw) != 32 {
		t.Errorf("token %q: prefix or 32 base64url bytes missing (err %v)", a, err)
	}
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	tests := []struct{ header, want string }{
		{"Bearer abc", "abc"},
		{"bearer  abc ", "abc"},
		{"Basic abc", ""},
		{"Bearer", ""},
		{"", ""},
		{"Bearer " + strings.Repeat("x", 600), ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", tt.header)
		if got := ingest.BearerToken(r); got != tt.want {
			t.Errorf("BearerToken(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}
