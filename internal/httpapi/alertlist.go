package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Listing limits for GET /api/v1/alerts.
const (
	defaultAlertLimit = 50
	maxAlertLimit     = 500
)

// alertSummary is one alert in a list: enough to find it, not its
// history (GET /api/v1/alerts/{id} has that).
type alertSummary struct {
	Seq          int64          `json:"seq"`
	Source       string         `json:"source"`
	ID           string         `json:"id"`
	Kind         alert.Kind     `json:"kind"`
	Type         string         `json:"type"`
	Severity     alert.Severity `json:"severity"`
	Status       alert.Status   `json:"status"`
	StatusOrigin string         `json:"status_origin"`
	Organization string         `json:"organization"`
	Title        string         `json:"title"`
	OccurredAt   time.Time      `json:"occurred_at"`
	ReceivedAt   time.Time      `json:"received_at"`
}

// listAlerts serves GET /api/v1/alerts?source=&organization=&status=&type=
// &from=&to=&cursor=&limit=: the tenant's alerts, newest first, a page at
// a time; next_cursor continues the list.
func (s *server) listAlerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.AlertFilter{
		TenantID: principalFrom(r.Context()).tenant, SourceID: q.Get("source"),
		Organization: q.Get("organization"), Status: q.Get("status"), Type: q.Get("type"), Limit: defaultAlertLimit,
	}
	var errs []FieldError
	if f.Status != "" && !slices.Contains(alert.Statuses, alert.Status(f.Status)) {
		errs = append(errs, FieldError{"status", "must be one of open, in_progress, resolved, ignored"})
	}
	for _, t := range []struct {
		name string
		into *time.Time
	}{{"from", &f.OccurredFrom}, {"to", &f.OccurredTo}} {
		if v := q.Get(t.name); v != "" {
			at, err := time.Parse(time.RFC3339, v)
			if err != nil {
				errs = append(errs, FieldError{t.name, "must be an RFC 3339 time like 2026-11-21T00:00:00Z"})
			}
			*t.into = at
		}
	}
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, FieldError{"cursor", "must be the next_cursor of an earlier page"})
		}
		f.BeforeSeq = n
	}
	if n, bad := limitParam(q, f.Limit, maxAlertLimit); bad != nil {
		errs = append(errs, *bad)
	} else {
		f.Limit = n
	}
	if len(errs) > 0 {
		badRequest(w, "invalid query parameters", errs...)
		return
	}
	as, err := s.cfg.Store.ListAlerts(r.Context(), f)
	if err != nil {
		s.internal(w, r, "list alerts", err)
		return
	}
	out := make([]alertSummary, len(as))
	for i, a := range as {
		out[i] = alertSummary{
			Seq: a.Seq, Source: a.SourceID, ID: a.Alert.ID, Kind: a.Alert.Kind, Type: a.Alert.Type,
			Severity: a.Alert.Severity, Status: a.Alert.Status, StatusOrigin: a.StatusOrigin,
			Organization: a.Alert.Organization.Key(), Title: a.Alert.Title,
			OccurredAt: a.Alert.OccurredAt, ReceivedAt: a.ReceivedAt,
		}
	}
	answer := map[string]any{"alerts": out}
	if len(as) == f.Limit {
		answer["next_cursor"] = strconv.FormatInt(as[len(as)-1].Seq, 10)
	}
	ok(w, http.StatusOK, answer)
}
