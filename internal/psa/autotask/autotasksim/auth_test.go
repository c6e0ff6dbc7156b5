package autotasksim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
)

func TestVersionAndZoneInformation(t *testing.T) {
	t.Parallel()
	sim := autotasksim.New(autotasksim.Options{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		name       string
		path       string
		wantStatus int
		want       map[string]any
	}{
		{"version information", "/atservicesrest/versioninformation", 200,
			map[string]any{"apiVersions": []any{"1.0"}}},
		{"zone known user", "/ATServicesRest/V1.0/zoneInformation?user=ticketbridge@msp.example", 200,
			map[string]any{"zoneName": "Simulator", "url": "http://" + host + "/atservicesrest/", "webUrl": "http://" + host + "/", "ci": 1.0}},
		{"zone user case-insensitive", "/atservicesrest/v1.0/zoneinformation?user=Technician@MSP.example", 200,
			map[string]any{"zoneName": "Simulator", "url": "http://" + host + "/atservicesrest/", "webUrl": "http://" + host + "/", "ci": 1.0}},
		{"zone unknown user", "/atservicesrest/v1.0/zoneInformation?user=nobody@msp.example", 500,
			map[string]any{"errors": []any{"Zone information could not be determined"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
	if n := sim.RequestCount(); n != 0 {
		t.Errorf("version and zone calls counted: RequestCount = %d, want 0", n)
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	sim, c := start(t, autotasksim.Options{})
	good := sim.Users()[0]
	tests := []struct {
		name       string
		user       autotasksim.User
		code       string
		wantStatus int
		wantBody   string
	}{
		{"good credentials", good, sim.IntegrationCode(), 200, `"queryCount":7`},
		{"unknown user is a zone error", autotasksim.User{UserName: "nobody@msp.example", Secret: good.Secret}, sim.IntegrationCode(), 500,
			`{"errors":["Zone information could not be determined"]}`},
		{"bad secret is 401", autotasksim.User{UserName: good.UserName, Secret: "wrong"}, sim.IntegrationCode(), 401, ""},
		{"bad integration code", good, "WRONGCODE", 500, `{"errors":["IntegrationCode is invalid."]}`},
		{"missing integration code", good, "", 500, `{"errors":["IntegrationCode is invalid."]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := c.as(tt.user)
			cc.code = tt.code
			status, body, _ := cc.do(http.MethodPost, "Companies/query/count", `{"filter":[{"op":"gte","field":"id","value":0}]}`)
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d (body %s)", status, tt.wantStatus, body)
			}
			if tt.wantBody == "" && len(body) != 0 || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("body %q, want %q", body, tt.wantBody)
			}
		})
	}
}

// TestCaseInsensitiveHeadersAndPaths sends raw lower/upper-case header names
// (bypassing Go's canonicalisation) and mixed-case paths.
func TestCaseInsensitiveHeadersAndPaths(t *testing.T) {
	t.Parallel()
	sim := autotasksim.New(autotasksim.Options{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	u := sim.Users()[0]
	tests := []struct {
		name string
		path string
		hdr  map[string]string
	}{
		{"canonical", "/ATServicesRest/V1.0/Companies/175",
			map[string]string{"ApiIntegrationCode": sim.IntegrationCode(), "UserName": u.UserName, "Secret": u.Secret}},
		{"lower-case everything", "/atservicesrest/v1.0/companies/175",
			map[string]string{"apiintegrationcode": sim.IntegrationCode(), "username": u.UserName, "secret": u.Secret}},
		{"upper-case", "/ATSERVICESREST/V1.0/COMPANIES/175",
			map[string]string{"APIIntegrationcode": sim.IntegrationCode(), "USERNAME": u.UserName, "SECRET": u.Secret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.hdr {
				req.Header[k] = []string{v} // as spelled, not canonicalised
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || !strings.Contains(string(body), `"companyName":"Acme Corp"`) {
				t.Errorf("status %d body %s", resp.StatusCode, body)
			}
		})
	}
}

func TestRouteStatuses(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{})
	id := c.create("Tickets", ticket("route statuses"))
	note := map[string]any{"ticketID": id, "description": "d", "noteType": 1, "publish": 1}
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		want   int
	}{
		{"POST TicketNotes does not exist", http.MethodPost, "TicketNotes", note, 404},
		{"POST Contacts does not exist", http.MethodPost, "Contacts", map[string]any{"companyID": 175}, 404},
		{"GET on POST-only Tickets", http.MethodGet, "Tickets", nil, 405},
		{"DELETE ticket", http.MethodDelete, "Tickets/" + itoa(id), nil, 405},
		{"DELETE company", http.MethodDelete, "Companies/175", nil, 405},
		{"POST Resources", http.MethodPost, "Resources", map[string]any{}, 405},
		{"missing ticket", http.MethodGet, "Tickets/999999", nil, 404},
		{"note under the wrong ticket", http.MethodGet, "Tickets/999999/Notes/1", nil, 404},
		{"unknown entity", http.MethodGet, "Widgets/1", nil, 404},
		{"DELETE on query", http.MethodDelete, "Tickets/query", nil, 405},
		{"Version", http.MethodGet, "Version", nil, 200},
		{"entityInformation", http.MethodGet, "Tickets/entityInformation", nil, 200},
		{"userDefinedFields", http.MethodGet, "Tickets/entityInformation/userDefinedFields", nil, 200},
		{"child fields", http.MethodGet, "Tickets/" + itoa(id) + "/Notes/entityInformation/fields", nil, 200},
		{"resource of the API user", http.MethodGet, "Resources/29682885", nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, _ := c.do(tt.method, tt.path, tt.body)
			if status != tt.want {
				t.Errorf("%s %s: status %d, want %d (body %s)", tt.method, tt.path, status, tt.want, body)
			}
			if status >= 400 && !strings.Contains(string(body), `"errors":[`) {
				t.Errorf("error body %s has no errors array", body)
			}
		})
	}
}

func TestEntityInformationFields(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{})
	fields := c.call(http.MethodGet, "Tickets/entityInformation/fields", nil, 200)["fields"].([]any)
	byName := map[string]map[string]any{}
	for _, f := range fields {
		m := f.(map[string]any)
		byName[m["name"].(string)] = m
	}
	if len(byName) != 75 {
		t.Errorf("Tickets has %d fields, want 75", len(byName))
	}
	var required []string
	for _, f := range fields {
		if m := f.(map[string]any); m["isRequired"] == true {
			required = append(required, m["name"].(string))
		}
	}
	if diff := cmp.Diff([]string{"companyID", "priority", "status", "title"}, required); diff != "" {
		t.Errorf("required fields (-want +got):\n%s", diff)
	}
	status := byName["status"]["picklistValues"].([]any)[0].(map[string]any)
	want := map[string]any{"value": "1", "label": "New", "isDefaultValue": true, "sortOrder": 1.0, "parentValue": "", "isActive": true, "isSystem": false}
	if diff := cmp.Diff(want, status); diff != "" {
		t.Errorf("status picklist value (-want +got):\n%s", diff)
	}
	if got := byName["subIssueType"]["picklistParentValueField"]; got != "IssueType" {
		t.Errorf("subIssueType parent field %v", got)
	}
	info := c.call(http.MethodGet, "TicketNotes/entityInformation", nil, 200)["info"].(map[string]any)
	if info["name"] != "TicketNote" || info["canCreate"] != true || info["canDelete"] != false {
		t.Errorf("TicketNotes info %v", info)
	}
}
