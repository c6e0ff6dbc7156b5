package app

import (
	"context"
	"errors"

	"github.com/ticketbridge/ticketbridge/internal/engine"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// reportAges sets the per-integration gauges an on-call person alerts
// on: the age of the oldest pending delivery, the status poll's lag and
// the drift findings. Two or three store reads per integration, run with
// the backlog gauge every few seconds rather than per scrape.
func (a *App) reportAges(ctx context.Context) error {
	its, err := a.allIntegrations(ctx)
	if err != nil {
		return err
	}
	now := a.now()
	for _, it := range its {
		age := 0.0
		oldest, err := a.Store.OldestPendingDelivery(ctx, it.ID)
		switch {
		case err == nil:
			age = max(now.Sub(oldest).Seconds(), 0)
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		a.Metrics.OldestPendingDelivery.WithLabelValues(budgetKey(it.TenantID, it.Name)).Set(age)
		upTo, polled, err := engine.StatusPolledUpTo(ctx, a.Store, it.ID)
		if err != nil {
			return err
		}
		if polled {
			a.Metrics.StatusSyncLag.WithLabelValues(budgetKey(it.TenantID, it.Name)).Set(max(now.Sub(upTo).Seconds(), 0))
		}
		drift, err := engine.ReadDrift(ctx, a.Store, it.ID)
		if err != nil {
			return err
		}
		a.Metrics.DriftFindings.WithLabelValues(budgetKey(it.TenantID, it.Name)).Set(float64(len(drift.Findings)))
	}
	return nil
}
