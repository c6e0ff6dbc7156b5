package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/engine"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// effects lists what applying s will make happen in the PSA as soon as
// serve picks it up, beyond the settings themselves: the stored alerts a
// new (or widened) sync.since lets through, and the billable-user
// adjustments a sync day already past this month posts at once.
func (a *App) effects(ctx context.Context, p *Plan, old *integration.Settings, conn psa.Connector) ([]string, error) {
	var out []string
	s := &p.settings
	since, err := time.Parse(time.RFC3339Nano, s.Sync.SinceTime)
	if err != nil {
		return nil, fmt.Errorf("sync.since: %w", err)
	}
	// Existing integrations have routed what their old window let through;
	// only a window moved back reaches new alerts.
	if old == nil || since.Before(p.oldSince) {
		n, err := a.Store.CountAlertsSince(ctx, a.tenantOf(ctx), since)
		if err != nil {
			return nil, fmt.Errorf("count stored alerts: %w", err)
		}
		if n > 0 {
			out = append(out, fmt.Sprintf("up to %d stored alert(s) that occurred since %s will be routed and may open tickets (set sync.since: now to start from now)",
				n, since.UTC().Format(time.RFC3339)))
		}
	}
	lines, err := a.billingEffects(ctx, p, conn)
	if err != nil {
		return nil, err
	}
	return append(out, lines...), nil
}

// billingEffects names the adjustments the first billable-user sync posts
// at once, when this month's sync day has passed.
func (a *App) billingEffects(ctx context.Context, p *Plan, conn psa.Connector) ([]string, error) {
	s := &p.settings
	bu := s.Contracts.BillableUsers
	cc, ok := conn.(psa.Contracts)
	if !bu.Enabled || !ok {
		return nil, nil
	}
	local, period, today := engine.BillingPeriodDue(bu, a.now())
	if !today {
		return nil, nil
	}
	counts, err := a.Store.BillableCounts(ctx, a.tenantOf(ctx))
	if err != nil {
		return nil, fmt.Errorf("read billable counts: %w", err)
	}
	due := map[string]bool{}
	for _, c := range counts {
		if p.old == nil {
			due[c.Organization] = true
			continue
		}
		last, err := a.Store.Cursor(ctx, p.old.ID, engine.BillingCursor(c.Organization))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("read billing cursor: %w", err)
		}
		due[c.Organization] = last < period
	}
	lines, err := engine.BillingPreview(ctx, cc, *s, counts, local)
	if err != nil {
		return nil, fmt.Errorf("billing preview: %w", err)
	}
	var out []string
	for _, l := range lines {
		if !due[l.Organization] || (l.Action != "adjust" && l.Action != "add_service") {
			continue
		}
		out = append(out, fmt.Sprintf("billable users: the %s sync day has passed, so %s's %s units go from %g to %g at once (effective %s)",
			period, l.Organization, l.Contract, l.Current, l.Current+l.Change, l.EffectiveDate))
	}
	return out, nil
}
