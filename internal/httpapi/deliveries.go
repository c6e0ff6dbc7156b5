package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Listing limits for GET /api/v1/deliveries.
const (
	defaultDeliveryLimit = 100
	maxDeliveryLimit     = 1000
)

// EventRetry is the timeline event of a retry asked for through the API.
const EventRetry = "retry"

// deliveryView is a delivery as the API shows it; its payload (the rules
// decision) stays internal.
type deliveryView struct {
	ID            int64      `json:"id"`
	Integration   string     `json:"integration"`
	AlertSeq      int64      `json:"alert_seq,omitempty"`
	Kind          string     `json:"kind"`
	State         string     `json:"state"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LastError     string     `json:"last_error"`
	Result        string     `json:"result,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	CompletedAt   *time.Time `json:"completed_at,omitempty"`
}

func newDeliveryView(d store.Delivery, names map[int64]string) deliveryView {
	return deliveryView{
		ID: d.ID, Integration: names[d.IntegrationID], AlertSeq: d.AlertSeq, Kind: string(d.Kind),
		State: string(d.State), Attempts: d.Attempts, NextAttemptAt: d.NextAttemptAt, LastError: d.LastError,
		Result: d.Result, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, CompletedAt: d.CompletedAt,
	}
}

var deliveryStates = []store.DeliveryState{store.DeliveryPending, store.DeliveryDone, store.DeliveryFailed, store.DeliveryMerged}

// listDeliveries serves GET /api/v1/deliveries?state=&integration=&limit=.
func (s *server) listDeliveries(w http.ResponseWriter, r *http.Request) {
	tenant := principalFrom(r.Context()).tenant
	f, errs := s.deliveryFilter(r, tenant)
	if len(errs) > 0 {
		badRequest(w, "invalid query parameters", errs...)
		return
	}
	if name := r.URL.Query().Get("integration"); name != "" {
		it, found := s.integrationNamed(w, r, tenant, name)
		if !found {
			return
		}
		f.IntegrationID = it.ID
	}
	ds, err := s.cfg.Store.Deliveries(r.Context(), f)
	if err != nil {
		s.internal(w, r, "list deliveries", err)
		return
	}
	names, err := s.integrationNames(r.Context(), tenant)
	if err != nil {
		s.internal(w, r, "list integrations", err)
		return
	}
	views := make([]deliveryView, 0, len(ds))
	for _, d := range ds {
		views = append(views, newDeliveryView(d, names))
	}
	ok(w, http.StatusOK, map[string]any{"deliveries": views})
}

// deliveryFilter reads state and limit from the query, naming each bad one.
func (s *server) deliveryFilter(r *http.Request, tenant string) (store.DeliveryFilter, []FieldError) {
	q := r.URL.Query()
	f := store.DeliveryFilter{TenantID: tenant, State: store.DeliveryState(q.Get("state")), Limit: defaultDeliveryLimit}
	var errs []FieldError
	if f.State != "" && !slices.Contains(deliveryStates, f.State) {
		errs = append(errs, FieldError{"state", "must be one of pending, done, failed, merged"})
	}
	if n, bad := limitParam(q, f.Limit, maxDeliveryLimit); bad != nil {
		errs = append(errs, *bad)
	} else {
		f.Limit = n
	}
	return f, errs
}

// errNotFailed says a retry was asked for a delivery that has not failed.
var errNotFailed = errors.New("delivery has not failed")

// retryDelivery serves POST /api/v1/deliveries/{id}/retry: a failed
// delivery goes back to pending, due now, its attempts kept so the history
// stays true; the engine is nudged after commit.
func (s *server) retryDelivery(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		badRequest(w, "the delivery id must be a positive number")
		return
	}
	p := principalFrom(r.Context())
	var d store.Delivery
	err = s.cfg.Store.InTx(r.Context(), func(q store.Queries) error {
		var err error
		d, err = s.retry(r.Context(), q, p, id)
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		notFound(w, "delivery")
		return
	case errors.Is(err, errNotFailed):
		writeProblem(w, http.StatusConflict, "not-failed", "Delivery has not failed",
			fmt.Sprintf("delivery %d is %s; only failed deliveries can be retried", id, d.State), nil)
		return
	case err != nil:
		s.internal(w, r, "retry delivery", err)
		return
	}
	if s.cfg.OnRetry != nil {
		s.cfg.OnRetry(d.IntegrationID)
	}
	names, err := s.integrationNames(r.Context(), p.tenant)
	if err != nil {
		s.internal(w, r, "list integrations", err)
		return
	}
	ok(w, http.StatusOK, newDeliveryView(d, names))
}

func (s *server) retry(ctx context.Context, q store.Queries, p principal, id int64) (store.Delivery, error) {
	d, err := q.TenantDelivery(ctx, p.tenant, id) // another tenant's id is not found
	if err != nil {
		return d, fmt.Errorf("read delivery: %w", err)
	}
	if d.State != store.DeliveryFailed {
		return d, errNotFailed
	}
	now := s.cfg.Now().UTC()
	d.State, d.NextAttemptAt, d.UpdatedAt, d.CompletedAt = store.DeliveryPending, now, now, nil
	if err := q.UpdateDelivery(ctx, d); err != nil {
		return d, fmt.Errorf("update delivery: %w", err)
	}
	if d.AlertSeq == 0 {
		return d, nil // work not about one alert (billing sync) has no timeline
	}
	err = q.AppendTimeline(ctx, store.TimelineEntry{
		TenantID: d.TenantID, AlertSeq: d.AlertSeq, IntegrationID: d.IntegrationID, At: now,
		Event: EventRetry, Detail: fmt.Sprintf("retry requested by %s (delivery %d)", p.name, d.ID),
	})
	if err != nil {
		return d, fmt.Errorf("append timeline: %w", err)
	}
	return d, nil
}

// bulkRetryBatch is how many deliveries one transaction of a bulk retry
// puts back.
const bulkRetryBatch = 500

// retryFailed serves POST /api/v1/deliveries/retry?integration=&dry_run=:
// every failed delivery (of one integration, or all) goes back to
// pending, a batch per transaction; a dry run only counts them.
func (s *server) retryFailed(w http.ResponseWriter, r *http.Request) {
	dryRun, valid := boolQuery(w, r, "dry_run")
	if !valid {
		return
	}
	p := principalFrom(r.Context())
	f := store.DeliveryFilter{TenantID: p.tenant, State: store.DeliveryFailed}
	if name := r.URL.Query().Get("integration"); name != "" {
		it, found := s.integrationNamed(w, r, p.tenant, name)
		if !found {
			return
		}
		f.IntegrationID = it.ID
	}
	failed, err := s.cfg.Store.Deliveries(r.Context(), f)
	if err != nil {
		s.internal(w, r, "list deliveries", err)
		return
	}
	if dryRun {
		ok(w, http.StatusOK, map[string]any{"matched": len(failed), "retried": 0})
		return
	}
	retried := 0
	touched := map[int64]bool{}
	for start := 0; start < len(failed); start += bulkRetryBatch {
		batch := failed[start:min(start+bulkRetryBatch, len(failed))]
		err := s.cfg.Store.InTx(r.Context(), func(q store.Queries) error {
			for _, d := range batch {
				if _, err := s.retry(r.Context(), q, p, d.ID); err != nil && !errors.Is(err, errNotFailed) {
					return err
				}
			}
			return nil
		})
		if err != nil {
			s.internal(w, r, "retry deliveries", err)
			return
		}
		retried += len(batch)
		for _, d := range batch {
			touched[d.IntegrationID] = true
		}
	}
	if s.cfg.OnRetry != nil {
		for id := range touched {
			s.cfg.OnRetry(id)
		}
	}
	ok(w, http.StatusOK, map[string]any{"matched": len(failed), "retried": retried})
}

// integrationNamed reads the tenant's integration of that name; when
// there is none (404) or the read fails (500) it has answered.
func (s *server) integrationNamed(w http.ResponseWriter, r *http.Request, tenant, name string) (store.Integration, bool) {
	it, err := s.cfg.Store.IntegrationByName(r.Context(), tenant, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		notFound(w, "integration")
		return it, false
	case err != nil:
		s.internal(w, r, "read integration", err)
		return it, false
	}
	return it, true
}
