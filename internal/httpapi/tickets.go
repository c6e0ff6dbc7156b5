package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Listing limits for GET /api/v1/tickets, and how many of a ticket's
// alerts its row lists (alert_count has them all).
const (
	defaultTicketLimit = 50
	maxTicketLimit     = 200
	ticketAlertsListed = 20
)

// ticketRow is one PSA ticket of an integration with the alerts on it.
type ticketRow struct {
	ID           int64             `json:"id"`
	Integration  string            `json:"integration"`
	PSATicketID  string            `json:"psa_ticket_id"`
	TicketNumber string            `json:"ticket_number"`
	Company      string            `json:"company_id"`
	GroupKey     string            `json:"group_key"`
	State        string            `json:"state"`
	PSAStatus    string            `json:"psa_status"`
	CreatedAt    time.Time         `json:"created_at"`
	ClosedAt     *time.Time        `json:"closed_at,omitempty"`
	AlertCount   int64             `json:"alert_count"`
	Alerts       []ticketAlertView `json:"alerts"`
}

// ticketAlertView is an alert on a ticket: enough to find its timeline.
type ticketAlertView struct {
	Seq    int64  `json:"seq"`
	Source string `json:"source"`
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"`
}

var linkStates = []store.LinkState{store.LinkCreating, store.LinkOpen, store.LinkClosed}

// listTickets serves GET /api/v1/tickets?integration=&state=&limit=&cursor=:
// one integration's PSA tickets, newest first, a page at a time, each
// with its alert count and newest alerts. The integration is required:
// a page then walks one index of that integration's tickets only.
func (s *server) listTickets(w http.ResponseWriter, r *http.Request) {
	tenant := principalFrom(r.Context()).tenant
	f, errs := ticketFilter(r, tenant)
	if len(errs) > 0 {
		badRequest(w, "invalid query parameters", errs...)
		return
	}
	name := r.URL.Query().Get("integration")
	it, found := s.integrationNamed(w, r, tenant, name)
	if !found {
		return
	}
	f.IntegrationID = it.ID
	links, err := s.cfg.Store.TicketLinkPage(r.Context(), f)
	if err != nil {
		s.internal(w, r, "list tickets", err)
		return
	}
	rows := make([]ticketRow, 0, len(links))
	for _, l := range links {
		row, err := s.ticketRow(r, it.Name, l)
		if err != nil {
			s.internal(w, r, "list alerts of ticket", err)
			return
		}
		rows = append(rows, row)
	}
	answer := map[string]any{"tickets": rows}
	if len(links) == f.Limit {
		answer["next_cursor"] = strconv.FormatInt(links[len(links)-1].ID, 10)
	}
	ok(w, http.StatusOK, answer)
}

func (s *server) ticketRow(r *http.Request, integration string, l store.TicketLinkCount) (ticketRow, error) {
	row := ticketRow{
		ID: l.ID, Integration: integration, PSATicketID: l.PSATicketID, TicketNumber: l.TicketNumber,
		Company: l.CompanyID, GroupKey: l.GroupKey, State: string(l.State), PSAStatus: l.PSAStatus,
		CreatedAt: l.CreatedAt, ClosedAt: l.ClosedAt, AlertCount: l.Alerts, Alerts: []ticketAlertView{},
	}
	if l.Alerts == 0 {
		return row, nil
	}
	as, err := s.cfg.Store.TicketLinkAlerts(r.Context(), l.TenantID, l.ID, ticketAlertsListed)
	if err != nil {
		return row, err
	}
	for _, a := range as {
		row.Alerts = append(row.Alerts, ticketAlertView{Seq: a.Seq, Source: a.SourceID, ID: a.Alert.ID, Title: a.Alert.Title, Status: string(a.Alert.Status)})
	}
	return row, nil
}

// ticketFilter reads the tickets list's query, naming each bad parameter.
func ticketFilter(r *http.Request, tenant string) (store.TicketLinkFilter, []FieldError) {
	q := r.URL.Query()
	f := store.TicketLinkFilter{TenantID: tenant, State: store.LinkState(q.Get("state")), Limit: defaultTicketLimit}
	var errs []FieldError
	if q.Get("integration") == "" {
		errs = append(errs, FieldError{"integration", "is required: the name of one integration"})
	}
	if f.State != "" && !slices.Contains(linkStates, f.State) {
		errs = append(errs, FieldError{"state", "must be one of creating, open, closed"})
	}
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, FieldError{"cursor", "must be the next_cursor of an earlier page"})
		}
		f.BeforeID = n
	}
	if n, bad := limitParam(q, f.Limit, maxTicketLimit); bad != nil {
		errs = append(errs, *bad)
	} else {
		f.Limit = n
	}
	return f, errs
}

// backlogRow is one integration's unfinished deliveries.
type backlogRow struct {
	Integration     string     `json:"integration"`
	Pending         int64      `json:"pending"`
	Failed          int64      `json:"failed"`
	OldestPendingAt *time.Time `json:"oldest_pending_at,omitempty"`
}

// deliveryBacklog serves GET /api/v1/deliveries/backlog: per integration
// of the tenant, how many deliveries are pending and failed and since
// when the oldest pending one waits. Counted in the store from the
// pending and failed rows only, so the answer costs the backlog, not the
// history.
func (s *server) deliveryBacklog(w http.ResponseWriter, r *http.Request) {
	tenant := principalFrom(r.Context()).tenant
	its, err := s.cfg.Store.Integrations(r.Context(), tenant)
	if err != nil {
		s.internal(w, r, "list integrations", err)
		return
	}
	bs, err := s.cfg.Store.DeliveryBacklog(r.Context(), tenant)
	if err != nil {
		s.internal(w, r, "count deliveries", err)
		return
	}
	byID := make(map[int64]store.Backlog, len(bs))
	for _, b := range bs {
		byID[b.IntegrationID] = b
	}
	rows := make([]backlogRow, 0, len(its))
	for _, it := range its { // every integration, with zeros when idle
		b := byID[it.ID]
		row := backlogRow{Integration: it.Name, Pending: b.Pending, Failed: b.Failed}
		if !b.OldestPending.IsZero() {
			row.OldestPendingAt = &b.OldestPending
		}
		rows = append(rows, row)
	}
	ok(w, http.StatusOK, map[string]any{"integrations": rows})
}
