package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// alertRow is one alert in the list, with the tickets it went to.
type alertRow struct {
	Seq          int64     `json:"seq"`
	Source       string    `json:"source"`
	ID           string    `json:"id"`
	Type         string    `json:"type"`
	Severity     string    `json:"severity"`
	Status       string    `json:"status"`
	Organization string    `json:"organization"`
	Title        string    `json:"title"`
	OccurredAt   time.Time `json:"occurred_at"`
	Tickets      []ticket
}

type ticket struct {
	Integration  string `json:"integration"`
	PSATicketID  string `json:"psa_ticket_id"`
	TicketNumber string `json:"ticket_number"`
	State        string `json:"state"`
	PSAStatus    string `json:"psa_status"`
}

// alertDetail is GET /api/v1/alerts/{id} as the timeline page uses it.
type alertDetail struct {
	Seq          int64  `json:"seq"`
	Source       string `json:"source"`
	Status       string `json:"status"`
	StatusOrigin string `json:"status_origin"`
	Alert        struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		Severity string `json:"severity"`
		Title    string `json:"title"`
	} `json:"alert"`
	ReceivedAt time.Time `json:"received_at"`
	Routes     []struct {
		Integration string `json:"integration"`
		Outcome     string `json:"outcome"`
		Code        string `json:"code"`
		Reason      string `json:"reason"`
	} `json:"routes"`
	Tickets    []ticket   `json:"tickets"`
	Deliveries []delivery `json:"deliveries"`
	Timeline   []struct {
		At          time.Time `json:"at"`
		Event       string    `json:"event"`
		Detail      string    `json:"detail"`
		Integration string    `json:"integration"`
	} `json:"timeline"`
}

// alertStatuses are the status filter's choices.
var alertStatuses = []string{"open", "in_progress", "resolved", "ignored"}

// alerts lists alerts newest first, a page at a time, with the filters
// the API takes. The list answer has no tickets, so each row's come from
// the alert's own answer: a page is at most 50 in-process reads.
func (c *Console) alerts(w http.ResponseWriter, r *http.Request, sess *session) {
	in := r.URL.Query()
	q := url.Values{"limit": {"50"}}
	for _, k := range []string{"status", "type", "cursor"} {
		if v := in.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	var list struct {
		Alerts     []alertRow `json:"alerts"`
		NextCursor string     `json:"next_cursor"`
	}
	if err := c.call(r.Context(), sess, "GET", "/api/v1/alerts?"+q.Encode(), nil, &list); err != nil {
		c.fail(w, r, sess, "list alerts", err)
		return
	}
	for i := range list.Alerts {
		var d alertDetail
		if err := c.call(r.Context(), sess, "GET", "/api/v1/alerts/"+strconv.FormatInt(list.Alerts[i].Seq, 10), nil, &d); err != nil {
			c.fail(w, r, sess, "read alert", err)
			return
		}
		list.Alerts[i].Tickets = d.Tickets
	}
	next := ""
	if list.NextCursor != "" {
		nq := url.Values{"cursor": {list.NextCursor}}
		for _, k := range []string{"status", "type"} {
			if v := in.Get(k); v != "" {
				nq.Set(k, v)
			}
		}
		next = "/alerts?" + nq.Encode()
	}
	c.render(w, http.StatusOK, "alerts", sess, map[string]any{
		"Alerts": list.Alerts, "Next": next, "Status": in.Get("status"), "Type": in.Get("type"), "Statuses": alertStatuses,
	})
}

// alert shows one alert: its routes, tickets, deliveries and timeline.
func (c *Console) alert(w http.ResponseWriter, r *http.Request, sess *session) {
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil || seq <= 0 {
		http.NotFound(w, r)
		return
	}
	var d alertDetail
	if err := c.call(r.Context(), sess, "GET", "/api/v1/alerts/"+strconv.FormatInt(seq, 10), nil, &d); err != nil {
		c.fail(w, r, sess, "read alert", err)
		return
	}
	c.render(w, http.StatusOK, "alert", sess, d)
}
