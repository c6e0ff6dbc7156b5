package connectwisesim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

func TestCompanyInfo(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	known := map[string]any{
		"CompanyName": "Bridge MSP", "Codebase": "v2025_1/", "VersionCode": "v2025.1",
		"VersionNumber": "v4.6.2025001", "CompanyID": "msptest", "IsCloud": true,
	}
	tests := []struct {
		name string
		path string
		want any
	}{
		{"known company", "/login/companyinfo/msptest", known},
		{"company id is case-insensitive", "/login/companyinfo/MSPTest", known},
		{"unknown company is 200 null", "/login/companyinfo/nobody", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(c.site + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			var got any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("decode %q: %v", body, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	sim, c := start(t, connectwisesim.Options{})
	m := sim.Members()[0]
	tests := []struct {
		name       string
		auth       string // Authorization header; "" leaves it out
		clientID   string
		wantStatus int
	}{
		{"good credentials", basic(m.CompanyID, m.PublicKey, m.PrivateKey), sim.ClientID(), 200},
		{"company is case-insensitive", basic("MSPTEST", m.PublicKey, m.PrivateKey), sim.ClientID(), 200},
		{"technician", basic(sim.Members()[1].CompanyID, sim.Members()[1].PublicKey, sim.Members()[1].PrivateKey), sim.ClientID(), 200},
		{"bad company", basic("othermsp", m.PublicKey, m.PrivateKey), sim.ClientID(), 401},
		{"bad public key", basic(m.CompanyID, "nope", m.PrivateKey), sim.ClientID(), 401},
		{"bad private key", basic(m.CompanyID, m.PublicKey, "wrong"), sim.ClientID(), 401},
		{"other member's private key", basic(m.CompanyID, m.PublicKey, sim.Members()[1].PrivateKey), sim.ClientID(), 401},
		{"no plus between company and key", "Basic bXNwdGVzdDpzZWNyZXQ=", sim.ClientID(), 401},
		{"not base64", "Basic !!!", sim.ClientID(), 401},
		{"bearer", "Bearer abc", sim.ClientID(), 401},
		{"no authorization", "", sim.ClientID(), 401},
		{"missing clientId", basic(m.CompanyID, m.PublicKey, m.PrivateKey), "", 401},
		{"wrong clientId", basic(m.CompanyID, m.PublicKey, m.PrivateKey), "00000000-0000-0000-0000-000000000000", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(http.MethodGet, c.root+"system/info", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			if tt.clientID != "" {
				req.Header.Set("clientId", tt.clientID)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tt.wantStatus, body)
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("decode %q: %v", body, err)
			}
			if tt.wantStatus == 401 {
				if got["code"] != "Unauthorized" || got["message"] == "" {
					t.Errorf("401 body %s, want {code:Unauthorized,message}", body)
				}
				if strings.Contains(string(body), m.PrivateKey) {
					t.Errorf("401 body echoes the private key")
				}
				return
			}
			if got["isCloud"] != true || got["version"] == nil {
				t.Errorf("system/info = %v", got)
			}
		})
	}
}

func TestCodebaseMountsAndHeaders(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	for _, prefix := range []string{"/v4_6_release/apis/3.0/", "/v2025_1/apis/3.0/", "/V4_6_RELEASE/APIS/3.0/"} {
		status, body, hdr := c.do(http.MethodGet, c.site+prefix+"Service/Boards/1", nil)
		if status != http.StatusOK {
			t.Fatalf("%s: status %d body %s", prefix, status, body)
		}
		var b map[string]any
		_ = json.Unmarshal(body, &b)
		if b["name"] != "Security" {
			t.Errorf("%s: board %v", prefix, b)
		}
		if hdr.Get("api-current-version") != "2025.1" || hdr.Get("x-cw-request-id") == "" {
			t.Errorf("%s: headers %v", prefix, hdr)
		}
	}
	tests := []struct {
		name   string
		method string
		path   string
		status int
		code   string
	}{
		{"unknown codebase", http.MethodGet, c.site + "/v1999_1/apis/3.0/service/boards", 404, "NotFound"},
		{"unknown resource", http.MethodGet, "service/nothing", 404, "NotFound"},
		{"method not allowed", http.MethodDelete, "service/boards/1", 405, "MethodNotAllowed"},
		{"missing board", http.MethodGet, "service/boards/999", 404, "NotFound"},
	}
	for _, tt := range tests {
		if e := c.failure(tt.method, tt.path, nil, tt.status); e.Code != tt.code {
			t.Errorf("%s: code %q, want %q", tt.name, e.Code, tt.code)
		}
	}
}
