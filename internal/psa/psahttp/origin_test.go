package psahttp

import (
	"errors"
	"net/url"
	"testing"
)

func TestSameOrigin(t *testing.T) {
	t.Parallel()
	const base = "https://webservices5.autotask.net/ATServicesRest/"
	tests := []struct {
		name string
		base string // default base
		next string
		ok   bool
	}{
		{name: "absolute on the same host", next: "https://webservices5.autotask.net/ATServicesRest/V1.0/Tickets/query/next?paging=x", ok: true},
		{name: "host in another case", next: "https://WebServices5.AutoTask.NET/ATServicesRest/V1.0/x", ok: true},
		{name: "scheme in another case", next: "HTTPS://webservices5.autotask.net/x", ok: true},
		{name: "default port spelled out", next: "https://webservices5.autotask.net:443/x", ok: true},
		{name: "empty port", next: "https://webservices5.autotask.net:/x", ok: true},
		{name: "relative path", next: "V1.0/Tickets/query/next?paging=x", ok: true},
		{name: "host-relative path", next: "/v4_6_release/apis/3.0/service/tickets?page=2", ok: true},
		{name: "query only", next: "?page=2", ok: true},
		{name: "empty link", next: "", ok: true},
		{name: "dot segments stay on the host", next: "../../../../x", ok: true},
		{name: "protocol-relative to the same host", next: "//webservices5.autotask.net/x", ok: true},
		{name: "explicit port on both", base: "http://127.0.0.1:8080/api/", next: "http://127.0.0.1:8080/api/x?page=2", ok: true},
		{name: "IPv6 with default port", base: "https://[::1]/api/", next: "https://[::1]:443/api/x", ok: true},

		{name: "other host", next: "https://evil.example/ATServicesRest/V1.0/x"},
		{name: "other zone of the same PSA", next: "https://webservices2.autotask.net/ATServicesRest/V1.0/x"},
		{name: "host as a prefix", next: "https://webservices5.autotask.net.evil.example/x"},
		{name: "host as a suffix", next: "https://evilwebservices5.autotask.net/x"},
		{name: "trailing dot", next: "https://webservices5.autotask.net./x"},
		{name: "other scheme", next: "http://webservices5.autotask.net/ATServicesRest/V1.0/x"},
		{name: "non-http scheme", next: "ftp://webservices5.autotask.net/x"},
		{name: "opaque URL", next: "https:evil.example"},
		{name: "other port", next: "https://webservices5.autotask.net:8443/x"},
		{name: "port with a leading zero", base: "http://127.0.0.1:8080/", next: "http://127.0.0.1:08080/x"},
		{name: "default port of the other scheme", next: "https://webservices5.autotask.net:80/x"},
		{name: "explicit port dropped", base: "http://127.0.0.1:8080/api/", next: "http://127.0.0.1/api/x"},
		{name: "protocol-relative to another host", next: "//evil.example/x"},
		{name: "userinfo on the same host", next: "https://user:pass@webservices5.autotask.net/x"},
		{name: "base host as userinfo", next: "https://webservices5.autotask.net@evil.example/x"},
		{name: "base host and port as userinfo", next: "https://webservices5.autotask.net:443@evil.example/x"},
		{name: "protocol-relative userinfo", next: "//webservices5.autotask.net@evil.example/x"},
		{name: "relative base", base: "/ATServicesRest/", next: "V1.0/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := base
			if tt.base != "" {
				b = tt.base
			}
			bu, err := url.Parse(b)
			if err != nil {
				t.Fatalf("parse base: %v", err)
			}
			nu, err := url.Parse(tt.next)
			if err != nil {
				t.Fatalf("parse next: %v", err)
			}
			err = SameOrigin(bu, nu)
			if (err == nil) != tt.ok {
				t.Fatalf("SameOrigin(%q, %q) = %v, want ok %v", b, tt.next, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrOtherOrigin) {
				t.Errorf("error %v does not wrap ErrOtherOrigin", err)
			}
		})
	}
}

func TestSameOriginNil(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("https://h.example/")
	for _, pair := range [][2]*url.URL{{nil, u}, {u, nil}, {nil, nil}} {
		if err := SameOrigin(pair[0], pair[1]); !errors.Is(err, ErrOtherOrigin) {
			t.Errorf("SameOrigin(%v, %v) = %v, want ErrOtherOrigin", pair[0], pair[1], err)
		}
	}
}

func TestCheckLink(t *testing.T) {
	t.Parallel()
	const base = "https://api-na.myconnectwise.net/v4_6_release/apis/3.0/"
	tests := []struct {
		name, base, link string
		ok               bool
	}{
		{"next page", base, "https://api-na.myconnectwise.net/v4_6_release/apis/3.0/service/tickets?page=2", true},
		{"other host", base, "https://evil.example/v4_6_release/apis/3.0/service/tickets?page=2", false},
		{"backslash before userinfo does not parse", base, `https://api-na.myconnectwise.net\@evil.example/`, false},
		{"bad escape in the host does not parse", base, "https://api-na%2Emyconnectwise.net/", false},
		{"base that does not parse", "https://%zz/", "https://h/", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := CheckLink(tt.base, tt.link); (err == nil) != tt.ok {
				t.Errorf("CheckLink(%q, %q) = %v, want ok %v", tt.base, tt.link, err, tt.ok)
			}
		})
	}
}
