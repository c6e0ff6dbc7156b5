package connectwisesim_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

// Example starts a simulator, creates a ticket as the API member, moves it
// to a closed status with JSON Patch and reads it back, with plain
// net/http.
func Example() {
	sim := connectwisesim.New(connectwisesim.Options{})
	defer sim.Close()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	m := sim.Members()[0]
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(m.CompanyID+"+"+m.PublicKey+":"+m.PrivateKey))

	send := func(method, path, body string) map[string]any {
		req, _ := http.NewRequest(method, srv.URL+"/v4_6_release/apis/3.0/"+path, strings.NewReader(body))
		req.Header.Set("Authorization", auth)
		req.Header.Set("clientId", sim.ClientID())
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return out
	}
	created := send(http.MethodPost, "service/tickets",
		`{"summary":"Suspicious sign-in","company":{"id":251},"board":{"name":"Security"},"externalXRef":"tb:1"}`)
	id := fmt.Sprint(created["id"])
	send(http.MethodPatch, "service/tickets/"+id, `[{"op":"replace","path":"status","value":{"id":15}}]`)
	got := send(http.MethodGet, "service/tickets/"+id, "")
	fmt.Printf("%s %v: %s, closed %v\n", id, got["summary"], got["status"].(map[string]any)["name"], got["closedFlag"])
	// Output: 1001 Suspicious sign-in: Closed, closed true
}
