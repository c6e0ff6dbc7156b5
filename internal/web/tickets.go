package web

import (
	"net/http"
	"net/url"
	"time"
)

// ticketRow is one PSA ticket as GET /api/v1/tickets answers it.
type ticketRow struct {
	ID           int64      `json:"id"`
	PSATicketID  string     `json:"psa_ticket_id"`
	TicketNumber string     `json:"ticket_number"`
	Company      string     `json:"company_id"`
	GroupKey     string     `json:"group_key"`
	State        string     `json:"state"`
	PSAStatus    string     `json:"psa_status"`
	CreatedAt    time.Time  `json:"created_at"`
	ClosedAt     *time.Time `json:"closed_at"`
	AlertCount   int64      `json:"alert_count"`
	Alerts       []struct {
		Seq    int64  `json:"seq"`
		Source string `json:"source"`
		ID     string `json:"id"`
		Title  string `json:"title"`
		Status string `json:"status"`
	} `json:"alerts"`
}

// ticketStates are the state filter's choices: a link is creating until
// the PSA answers with its ticket.
var ticketStates = []string{"open", "closed", "creating"}

// tickets lists one integration's PSA tickets, newest first, with the
// alerts on each; the state filter and paging are the API's.
func (c *Console) tickets(w http.ResponseWriter, r *http.Request, sess *session) {
	name, in := r.PathValue("name"), r.URL.Query()
	q := url.Values{"integration": {name}}
	for _, k := range []string{"state", "cursor"} {
		if v := in.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	var list struct {
		Tickets    []ticketRow `json:"tickets"`
		NextCursor string      `json:"next_cursor"`
	}
	if err := c.call(r.Context(), sess, "GET", "/api/v1/tickets?"+q.Encode(), nil, &list); err != nil {
		c.fail(w, r, sess, "list tickets", err)
		return
	}
	next := ""
	if list.NextCursor != "" {
		nq := url.Values{"cursor": {list.NextCursor}}
		if v := in.Get("state"); v != "" {
			nq.Set("state", v)
		}
		next = "/integrations/" + url.PathEscape(name) + "/tickets?" + nq.Encode()
	}
	c.render(w, http.StatusOK, "tickets", sess, map[string]any{
		"Integration": name, "Tickets": list.Tickets, "Next": next, "State": in.Get("state"), "States": ticketStates,
	})
}

// ticketsChooser is the nav's Tickets: tickets are per integration, so
// it lists the integrations, or goes straight to the only one.
func (c *Console) ticketsChooser(w http.ResponseWriter, r *http.Request, sess *session) {
	var list struct {
		Integrations []integrationInfo `json:"integrations"`
	}
	if err := c.call(r.Context(), sess, "GET", "/api/v1/integrations", nil, &list); err != nil {
		c.fail(w, r, sess, "list integrations", err)
		return
	}
	if len(list.Integrations) == 1 {
		http.Redirect(w, r, "/integrations/"+url.PathEscape(list.Integrations[0].Name)+"/tickets", http.StatusSeeOther)
		return
	}
	c.render(w, http.StatusOK, "tickets-choose", sess, list.Integrations)
}
