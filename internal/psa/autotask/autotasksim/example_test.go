package autotasksim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
)

// Example starts a simulator, creates a ticket as the API user and reads it
// back with plain net/http.
func Example() {
	sim := autotasksim.New(autotasksim.Options{})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	user := sim.Users()[0]

	send := func(method, path, body string) map[string]any {
		req, _ := http.NewRequest(method, srv.URL+"/atservicesrest/V1.0/"+path, strings.NewReader(body))
		req.Header.Set("ApiIntegrationCode", sim.IntegrationCode())
		req.Header.Set("UserName", user.UserName)
		req.Header.Set("Secret", user.Secret)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return m
	}
	created := send(http.MethodPost, "Tickets",
		`{"companyID":175,"title":"Suspicious sign-in","status":1,"priority":2,"queueID":29683325,"ticketCategory":4}`)
	item := send(http.MethodGet, fmt.Sprintf("Tickets/%v", created["itemId"]), "")["item"].(map[string]any)
	fmt.Printf("%s: queue %.0f, status %.0f, due date set %t\n", item["title"], item["queueID"], item["status"], item["dueDateTime"] != nil)
	// Output: Suspicious sign-in: queue 29683325, status 1, due date set true
}
