package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// alertView is GET /api/v1/alerts/{id}: the alert and everything that
// happened to it, integrations by name.
type alertView struct {
	Seq    int64        `json:"seq"`
	Source string       `json:"source"`
	Alert  alert.Alert  `json:"alert"`
	Status alert.Status `json:"status"`
	// StatusOrigin is where the status came from: "source", or
	// "psa:<integration>" when a PSA status change set it.
	StatusOrigin    string         `json:"status_origin"`
	StatusChangedAt time.Time      `json:"status_changed_at"`
	ReceivedAt      time.Time      `json:"received_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
	Routes          []routeView    `json:"routes"`
	Tickets         []ticketView   `json:"tickets"`
	Deliveries      []deliveryView `json:"deliveries"`
	Timeline        []timelineView `json:"timeline"`
}

type routeView struct {
	Integration string `json:"integration"`
	Outcome     string `json:"outcome"`
	Code        string `json:"code,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

type ticketView struct {
	Integration  string `json:"integration"`
	PSATicketID  string `json:"psa_ticket_id"`
	TicketNumber string `json:"ticket_number"`
	State        string `json:"state"`
	PSAStatus    string `json:"psa_status"`
}

type timelineView struct {
	At          time.Time `json:"at"`
	Event       string    `json:"event"`
	Detail      string    `json:"detail"`
	Integration string    `json:"integration,omitempty"`
}

// getAlert serves GET /api/v1/alerts/{id}. A source token reads its own
// alert by the id it sent. An admin token reads by ?source= and the
// source's id, or by our seq when no source is given.
func (s *server) getAlert(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	id := r.PathValue("id")
	var a store.StoredAlert
	var err error
	switch src := r.URL.Query().Get("source"); {
	case !p.admin():
		a, err = s.cfg.Store.AlertBySourceID(r.Context(), p.tenant, p.source.ID, id)
	case src != "":
		a, err = s.cfg.Store.AlertBySourceID(r.Context(), p.tenant, src, id)
	default:
		seq, perr := strconv.ParseInt(id, 10, 64)
		if perr != nil || seq <= 0 {
			badRequest(w, "without ?source= the id is our alert seq, a positive number")
			return
		}
		// Another tenant's alert does not exist for this caller: the
		// tenant is in the query, not checked after it.
		a, err = s.cfg.Store.TenantAlert(r.Context(), p.tenant, seq)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		notFound(w, "alert")
		return
	case err != nil:
		s.internal(w, r, "read alert", err)
		return
	}
	view, err := s.alertView(r.Context(), a)
	if err != nil {
		s.internal(w, r, "read alert history", err)
		return
	}
	ok(w, http.StatusOK, view)
}

func (s *server) alertView(ctx context.Context, a store.StoredAlert) (alertView, error) {
	names, err := s.integrationNames(ctx, a.TenantID)
	if err != nil {
		return alertView{}, err
	}
	v := alertView{
		Seq: a.Seq, Source: a.SourceID, Alert: a.Alert, Status: a.Alert.Status,
		StatusOrigin: a.StatusOrigin, StatusChangedAt: a.StatusChangedAt,
		ReceivedAt: a.ReceivedAt, UpdatedAt: a.UpdatedAt,
		Routes: []routeView{}, Tickets: []ticketView{}, Deliveries: []deliveryView{}, Timeline: []timelineView{},
	}
	routes, err := s.cfg.Store.TenantRoutes(ctx, a.TenantID, a.Seq)
	if err != nil {
		return alertView{}, err
	}
	var linkIDs []int64
	for _, rt := range routes {
		v.Routes = append(v.Routes, routeView{Integration: names[rt.IntegrationID], Outcome: string(rt.Outcome), Code: rt.Code, Reason: rt.Reason})
		linkIDs = appendUnique(linkIDs, rt.TicketLinkID)
	}
	deliveries, err := s.cfg.Store.Deliveries(ctx, store.DeliveryFilter{TenantID: a.TenantID, AlertSeq: a.Seq})
	if err != nil {
		return alertView{}, err
	}
	for _, d := range deliveries {
		v.Deliveries = append(v.Deliveries, newDeliveryView(d, names))
		linkIDs = appendUnique(linkIDs, d.TicketLinkID)
	}
	if v.Tickets, err = s.tickets(ctx, a.TenantID, linkIDs, names); err != nil {
		return alertView{}, err
	}
	entries, err := s.cfg.Store.TenantTimeline(ctx, a.TenantID, a.Seq)
	if err != nil {
		return alertView{}, err
	}
	for _, e := range entries {
		v.Timeline = append(v.Timeline, timelineView{At: e.At, Event: e.Event, Detail: e.Detail, Integration: names[e.IntegrationID]})
	}
	return v, nil
}

// tickets reads the ticket links an alert was routed or delivered to.
func (s *server) tickets(ctx context.Context, tenant string, ids []int64, names map[int64]string) ([]ticketView, error) {
	out := []ticketView{}
	for _, id := range ids {
		l, err := s.cfg.Store.TenantTicketLink(ctx, tenant, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ticketView{
			Integration: names[l.IntegrationID], PSATicketID: l.PSATicketID, TicketNumber: l.TicketNumber,
			State: string(l.State), PSAStatus: l.PSAStatus,
		})
	}
	return out, nil
}

// integrationNames maps a tenant's integration ids to names.
func (s *server) integrationNames(ctx context.Context, tenant string) (map[int64]string, error) {
	its, err := s.cfg.Store.Integrations(ctx, tenant)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(its))
	for _, it := range its {
		names[it.ID] = it.Name
	}
	return names, nil
}

// appendUnique adds a non-zero id once, keeping first-seen order.
func appendUnique(ids []int64, id int64) []int64 {
	if id == 0 {
		return ids
	}
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	return append(ids, id)
}
