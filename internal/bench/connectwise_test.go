package bench

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

// cwWrite sends one write to the simulator as the API member and returns
// the id of what it created or changed.
func cwWrite(t *testing.T, sim *connectwisesim.Sim, url, method, path string, body any) int64 {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, url+"/v4_6_release/apis/3.0/"+path, bytes.NewReader(b))
	m := sim.Members()[0]
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(m.CompanyID+"+"+m.PublicKey+":"+m.PrivateKey)))
	req.Header.Set("clientId", sim.ClientID())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct{ ID int64 }
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %s (%v)", method, path, resp.Status, err)
	}
	return res.ID
}

func TestConnectWiseReader(t *testing.T) {
	t.Parallel()
	sim := connectwisesim.New(connectwisesim.Options{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ticket := func(ref, description string) int64 {
		return cwWrite(t, sim, srv.URL, http.MethodPost, "service/tickets", map[string]any{
			"summary": ref, "company": map[string]any{"id": 250}, "board": map[string]any{"id": 1},
			"externalXRef": ref, "initialDescription": description,
		})
	}
	note := func(ticket int64, text string) int64 {
		return cwWrite(t, sim, srv.URL, http.MethodPost, "service/tickets/"+strconv.FormatInt(ticket, 10)+"/notes",
			map[string]any{"text": text, "internalAnalysisFlag": true})
	}
	open := ticket("tb-1", "ticketbridge alert s/1")
	closed := ticket("tb-2", "ticketbridge alert s/2")
	// 14 is Completed, a closed status of board 1.
	cwWrite(t, sim, srv.URL, http.MethodPatch, "service/tickets/"+strconv.FormatInt(closed, 10),
		[]map[string]any{{"op": "replace", "path": "status", "value": map[string]any{"id": 14}}})
	n1 := note(open, "Malware (high)\n\nticketbridge alert s/3")

	tech := sim.Members()[1]
	r := &ConnectWiseReader{BaseURL: srv.URL + "/v4_6_release/apis/3.0/", Company: tech.CompanyID,
		PublicKey: tech.PublicKey, PrivateKey: tech.PrivateKey, ClientID: sim.ClientID()}
	tickets, err := r.Tickets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []SimTicket{
		{ID: open, Title: "tb-1", CompanyID: 250, ExternalID: "tb-1", Description: "ticketbridge alert s/1"},
		{ID: closed, Title: "tb-2", CompanyID: 250, Status: 14, ExternalID: "tb-2", Description: "ticketbridge alert s/2", Closed: true},
	}
	for i := range tickets {
		if !tickets[i].Closed {
			tickets[i].Status = 0 // the board's default for new tickets
		}
	}
	if diff := cmp.Diff(want, tickets); diff != "" {
		t.Errorf("Tickets (-want +got):\n%s", diff)
	}
	// A note added after a read shows in the next one.
	n2 := note(closed, "ticketbridge alert s/4")
	notes, err := r.Notes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantNotes := []SimNote{
		{ID: n1, TicketID: open, Description: "Malware (high)\n\nticketbridge alert s/3"},
		{ID: n2, TicketID: closed, Description: "ticketbridge alert s/4"},
	}
	if diff := cmp.Diff(wantNotes, notes); diff != "" {
		t.Errorf("Notes (-want +got):\n%s", diff)
	}
}
