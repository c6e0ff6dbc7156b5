package halopsasim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

type received struct {
	auth, apiKey string
	body         []byte
}

func receiver(t *testing.T) (string, chan received) {
	t.Helper()
	got := make(chan received, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- received{auth: r.Header.Get("Authorization"), apiKey: r.Header.Get("X-Api-Key"), body: b}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/hook", got
}

func next(t *testing.T, got chan received) received {
	t.Helper()
	select {
	case r := <-got:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no callout within 5s")
		return received{}
	}
}

func TestWebhookAuthEventsAndLog(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.token()
	url, got := receiver(t)
	tests := []struct {
		name, auth string
		check      func(r received) bool
	}{
		{"basic", `"authentication_type":1,"basic_username":"halo","basic_password":"pw"`, func(r received) bool { return r.auth == "Basic aGFsbzpwdw==" }},
		{"bearer", `"authentication_type":2,"authentication_header":"tok-1"`, func(r received) bool { return r.auth == "Bearer tok-1" }},
		{"api key", `"authentication_type":3,"authentication_header":"X-Api-Key: k-9"`, func(r received) bool { return r.apiKey == "k-9" && r.auth == "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h struct{ ID string }
			e.ok("POST", "/api/Webhook", tok, fmt.Sprintf(`[{"name":"tb","url":%q,"events":[{"name":"Ticket Updated"}],%s}]`, url, tt.auth), &h)
			id := e.newTicket(tok) // New Ticket Logged: not subscribed
			e.ok("POST", "/api/Tickets", tok, fmt.Sprintf(`[{"id":%d,"status_id":2}]`, id), nil)
			r := next(t, got)
			var p struct {
				Event     string `json:"event"`
				ObjectID  int    `json:"object_id"`
				WebhookID string `json:"webhook_id"`
				Ticket    struct {
					StatusID int `json:"status_id"`
				} `json:"ticket"`
			}
			if err := json.Unmarshal(r.body, &p); err != nil || p.Event != EventTicketUpdated || p.ObjectID != id || p.WebhookID != h.ID || p.Ticket.StatusID != 2 {
				t.Errorf("callout %s: want the update of ticket %d by webhook %s", r.body, id, h.ID)
			}
			if !tt.check(r) {
				t.Errorf("callout authentication: %+v", r)
			}
			e.ok("DELETE", "/api/Webhook/"+h.ID, tok, "", nil)
		})
	}
	// The log is written once the receiver has answered: poll for it.
	var log struct {
		RecordCount int `json:"record_count"`
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		e.ok("GET", "/api/WebhookEvent", tok, "", &log)
		if log.RecordCount >= 3 {
			break
		}
	}
	if log.RecordCount != 3 {
		t.Errorf("delivery log holds %d entries, want 3", log.RecordCount)
	}
}

func TestWebhookBatching(t *testing.T) {
	e := newEnv(t, Options{WebhookPayload: PayloadEvent})
	tok := e.token()
	url, got := receiver(t)
	e.ok("POST", "/api/Webhook", tok, fmt.Sprintf(`[{"name":"batch","url":%q,"events":[{"name":"Action Added"}],"batch_delay_seconds":1}]`, url), nil)
	id := e.newTicket(tok)
	for range 2 {
		e.ok("POST", "/api/Actions", tok, fmt.Sprintf(`[{"ticket_id":%d,"outcome_id":1,"note":"n"}]`, id), nil)
	}
	r := next(t, got)
	var batch []map[string]any
	if err := json.Unmarshal(r.body, &batch); err != nil || len(batch) != 2 || batch[0]["ticket"] != nil {
		t.Errorf("batched callout %s: want two event-only payloads in one array", r.body)
	}
}

func TestWebhookFullPayload(t *testing.T) {
	e := newEnv(t, Options{WebhookPayload: PayloadFull})
	tok := e.token()
	url, got := receiver(t)
	e.ok("POST", "/api/Webhook", tok, fmt.Sprintf(`[{"name":"full","url":%q,"events":[{"name":"New Ticket Logged"}]}]`, url), nil)
	e.newTicket(tok)
	var p struct {
		Ticket map[string]any `json:"ticket"`
	}
	if err := json.Unmarshal(next(t, got).body, &p); err != nil || p.Ticket["details"] != "d" || p.Ticket["team"] != "Security" {
		t.Errorf("full payload ticket %v: want the whole ticket", p.Ticket)
	}
}
