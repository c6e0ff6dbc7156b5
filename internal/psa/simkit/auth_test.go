package simkit

import (
	"encoding/base64"
	"net/http/httptest"
	"testing"
)

func TestBasicAuth(t *testing.T) {
	t.Parallel()
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name, header string
		user, pass   string
		ok           bool
	}{
		{name: "plain", header: "Basic " + enc("msptest+pub:priv"), user: "msptest+pub", pass: "priv", ok: true},
		{name: "scheme in any case", header: "bAsIc " + enc("u:p"), user: "u", pass: "p", ok: true},
		{name: "space around the credentials", header: "Basic   " + enc("u:p") + " ", user: "u", pass: "p", ok: true},
		{name: "colon in the password", header: "Basic " + enc("u:p:q"), user: "u", pass: "p:q", ok: true},
		{name: "empty password", header: "Basic " + enc("u:"), user: "u", ok: true},
		{name: "no colon", header: "Basic " + enc("u"), user: "u"},
		{name: "not base64", header: "Basic !!!"},
		{name: "bearer", header: "Bearer abc"},
		{name: "missing"},
		{name: "scheme only", header: "Basic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			user, pass, ok := BasicAuth(r)
			if user != tt.user || pass != tt.pass || ok != tt.ok {
				t.Errorf("BasicAuth = %q %q %v, want %q %q %v", user, pass, ok, tt.user, tt.pass, tt.ok)
			}
		})
	}
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, header, token string
		ok                  bool
	}{
		{name: "plain", header: "Bearer api-eyJ.x.y", token: "api-eyJ.x.y", ok: true},
		{name: "scheme in any case", header: "bearer tok", token: "tok", ok: true},
		{name: "empty token", header: "Bearer  "},
		{name: "raw token without scheme", header: "tok"},
		{name: "basic", header: "Basic dTpw"},
		{name: "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			if token, ok := BearerToken(r); token != tt.token || ok != tt.ok {
				t.Errorf("BearerToken = %q %v, want %q %v", token, ok, tt.token, tt.ok)
			}
		})
	}
}

func TestEqualSecret(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		got, want string
		ok        bool
	}{{"s3cret", "s3cret", true}, {"s3cret", "s3cret ", false}, {"", "s3cret", false}, {"S3CRET", "s3cret", false}} {
		if EqualSecret(tt.got, tt.want) != tt.ok {
			t.Errorf("EqualSecret(%q, %q) = %v", tt.got, tt.want, !tt.ok)
		}
	}
}
