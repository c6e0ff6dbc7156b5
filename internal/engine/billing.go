package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// cursorBillingPeriod + organization holds the last month synced for that
// organization: an organization whose source has not reported a count yet
// is synced once it does, without holding up the others.
const cursorBillingPeriod = "billing_period:"

// BillingPeriodDue reports whether this month's billable-user sync day
// has come at now, in the settings' time zone, with now there and the
// month ("2006-01") the sync is for.
func BillingPeriodDue(bu integration.BillableUsers, now time.Time) (local time.Time, period string, due bool) {
	loc, err := time.LoadLocation(bu.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	local = now.In(loc)
	return local, local.Format("2006-01"), local.Day() >= max(bu.DayOfMonth, 1)
}

// BillingCursor names the cursor holding the last month synced for org.
func BillingCursor(org string) string { return cursorBillingPeriod + org }

// BillingLine is what one organization's billable-user sync would do.
type BillingLine struct {
	Organization      string  `json:"organization"`
	ContractID        string  `json:"contract_id"`
	Contract          string  `json:"contract"`
	ServiceID         string  `json:"service_id"`
	ContractServiceID string  `json:"contract_service_id,omitempty"` // "" until the service is added
	Current           float64 `json:"current_units"`
	Reported          *int    `json:"reported_count"` // nil when the source reported none
	Change            float64 `json:"change"`
	Action            string  `json:"action"` // add_service, adjust, unchanged, no_count
	UnitPrice         float64 `json:"unit_price"`
	UnitCost          float64 `json:"unit_cost"`
	EffectiveDate     string  `json:"effective_date"`
}

// BillingPreview computes, for every mapped organization with add_service,
// the contract service's current units, the reported count and the
// adjustment a sync at `at` would post. It reads from the PSA only.
func BillingPreview(ctx context.Context, conn psa.Contracts, s integration.Settings, counts []store.BillableCount, at time.Time) ([]BillingLine, error) {
	return billingLines(ctx, conn, s, counts, at, nil)
}

// billingLines computes the lines of the organizations only admits (all
// when only is nil).
func billingLines(ctx context.Context, conn psa.Contracts, s integration.Settings, counts []store.BillableCount, at time.Time, only func(org string) bool) ([]BillingLine, error) {
	bu := s.Contracts.BillableUsers
	byOrg := map[string]int{}
	for _, c := range counts {
		byOrg[c.Organization] = c.Count
	}
	effective := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
	var lines []BillingLine
	var svc *psa.Service // read once, when a line adds the service without its own price or cost
	for _, m := range s.Contracts.Map {
		if !m.AddService || (only != nil && !only(m.Organization)) {
			continue
		}
		price, priceSet := pick(m.UnitPrice, bu.UnitPrice)
		cost, costSet := pick(m.UnitCost, bu.UnitCost)
		l := BillingLine{
			Organization: m.Organization, ContractID: m.Contract.ID, Contract: m.Contract.Name,
			ServiceID: bu.DefaultService.ID, EffectiveDate: effective.Format("2006-01-02"),
			UnitPrice: price, UnitCost: cost,
		}
		if err := currentUnits(ctx, conn, &l, effective); err != nil {
			return nil, fmt.Errorf("organization %s: %w", m.Organization, err)
		}
		if l.ContractServiceID == "" && (!priceSet || !costSet) {
			if svc == nil {
				found, err := serviceByID(ctx, conn, l.ServiceID)
				if err != nil {
					return nil, err
				}
				svc = &found
			}
			if !priceSet {
				l.UnitPrice = svc.UnitPrice
			}
			if !costSet {
				l.UnitCost = svc.UnitCost
			}
		}
		if n, ok := byOrg[m.Organization]; ok {
			l.Reported = &n
			l.Change = float64(n) - l.Current
		}
		l.Action = billingAction(l)
		lines = append(lines, l)
	}
	return lines, nil
}

// pick returns the organization's override, else the integration's
// figure, and whether either was set: 0 in billable_users means "the
// service's own", which only the PSA knows. A line that adds the service
// takes what is not set from the service; an adjustment sends 0, which
// keeps the line's current price or cost.
func pick(override *float64, def float64) (float64, bool) {
	if override != nil {
		return *override, true
	}
	return def, def != 0
}

// serviceByID reads the default service's own price and cost.
func serviceByID(ctx context.Context, conn psa.Contracts, id string) (psa.Service, error) {
	services, err := conn.Services(ctx)
	if err != nil {
		return psa.Service{}, fmt.Errorf("list services: %w", err)
	}
	for _, sv := range services {
		if sv.ID == id {
			return sv, nil
		}
	}
	return psa.Service{}, fmt.Errorf("default service %s is gone from the PSA: choose another in contracts.billable_users.default_service", id)
}

func currentUnits(ctx context.Context, conn psa.Contracts, l *BillingLine, at time.Time) error {
	services, err := conn.ContractServices(ctx, l.ContractID)
	if err != nil {
		return fmt.Errorf("services of contract %s: %w", l.Contract, err)
	}
	for _, cs := range services {
		if cs.ServiceID == l.ServiceID {
			l.ContractServiceID = cs.ID
		}
	}
	if l.ContractServiceID == "" {
		return nil
	}
	units, err := conn.ContractServiceUnits(ctx, l.ContractID, l.ContractServiceID, at)
	if err != nil {
		return fmt.Errorf("units on contract %s: %w", l.Contract, err)
	}
	l.Current = units
	return nil
}

func billingAction(l BillingLine) string {
	switch {
	case l.Reported == nil:
		return "no_count"
	case l.ContractServiceID == "":
		return "add_service"
	case math.Abs(l.Change) < 1e-9:
		return "unchanged"
	}
	return "adjust"
}

// biller keeps contract services' units equal to the organizations'
// billable user counts, once a month (see sync). What was synced is in
// the store, a cursor per organization; the biller owns only when it
// looks next.
type biller struct {
	*books
	snap *snapshot
	// next is the wall-clock time of the next check.
	next time.Time
}

// load bills by a new settings version, which may be due at once.
func (b *biller) load(s *snapshot) {
	b.snap = s
	b.next = time.Time{}
}

// sync runs the monthly billable-user sync once the day of month
// has come in the configured zone, once per month and organization: a
// cursor per organization holds the last month synced, so missed months
// catch up once, not once each, a second run in the same month does
// nothing, and an organization whose count arrives late is synced when it
// arrives. A run interrupted half-way is safe to repeat: each line
// compares with the units the PSA holds now.
func (b *biller) sync(ctx context.Context) error {
	bu := b.snap.settings.Contracts.BillableUsers
	cc, ok := b.snap.conn.(psa.Contracts)
	if !bu.Enabled || !ok {
		return nil
	}
	// The check is a few store reads; PSA calls happen only for due
	// organizations. Check every few seconds (wall clock: the business
	// clock may stand still in tests), and wait a minute after a failure.
	if b.wall().Before(b.next) {
		return nil
	}
	b.next = b.wall().Add(3 * time.Second)
	local, period, today := BillingPeriodDue(bu, b.cfg.Now())
	if !today {
		return nil
	}
	counts, err := b.st.BillableCounts(ctx, b.tenant)
	if err != nil {
		return err
	}
	due, err := b.billingDue(ctx, period, counts)
	if err != nil || len(due) == 0 {
		return err
	}
	lines, err := billingLines(ctx, cc, b.snap.settings, counts, local, func(org string) bool { return due[org] })
	if err != nil {
		return err
	}
	var errs []error
	for _, l := range lines {
		if err := b.applyBillingLine(ctx, cc, period, l); err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, b.st.SetCursor(ctx, b.id, cursorBillingPeriod+l.Organization, period))
	}
	if err := errors.Join(errs...); err != nil {
		b.next = b.wall().Add(time.Minute)
		return fmt.Errorf("billing sync %s: %w", period, err)
	}
	b.log.Info("billable users synced", "period", period, "organizations", len(lines))
	return nil
}

// billingDue returns the organizations with a reported count whose
// contract has not been synced for period yet.
func (b *biller) billingDue(ctx context.Context, period string, counts []store.BillableCount) (map[string]bool, error) {
	reported := map[string]bool{}
	for _, c := range counts {
		reported[c.Organization] = true
	}
	due := map[string]bool{}
	for _, m := range b.snap.settings.Contracts.Map {
		if !m.AddService || !reported[m.Organization] {
			continue
		}
		last, err := b.st.Cursor(ctx, b.id, cursorBillingPeriod+m.Organization)
		if err != nil && !isNotFound(err) {
			return nil, err
		}
		if last < period {
			due[m.Organization] = true
		}
	}
	return due, nil
}

func (b *biller) applyBillingLine(ctx context.Context, cc psa.Contracts, period string, l BillingLine) error {
	if l.Action == "no_count" || l.Action == "unchanged" {
		return b.audit(ctx, period, l, l.Action, l.Current, "")
	}
	if l.ContractServiceID == "" {
		cs, err := cc.AddContractService(ctx, l.ContractID, l.ServiceID, l.UnitPrice, l.UnitCost)
		if err != nil {
			_ = b.audit(ctx, period, l, "failed", l.Current, err.Error())
			return fmt.Errorf("add service to contract %s: %w", l.Contract, err)
		}
		l.ContractServiceID = cs.ID
		if err := b.audit(ctx, period, l, "service_added", 0, ""); err != nil {
			return err
		}
	}
	effective, _ := time.Parse("2006-01-02", l.EffectiveDate)
	err := cc.AdjustContractService(ctx, psa.Adjustment{
		ContractID: l.ContractID, ContractServiceID: l.ContractServiceID, ServiceID: l.ServiceID,
		EffectiveDate: effective, UnitChange: l.Change, UnitPrice: l.UnitPrice, UnitCost: l.UnitCost,
	})
	if err != nil {
		_ = b.audit(ctx, period, l, "failed", l.Current, err.Error())
		return fmt.Errorf("adjust contract %s: %w", l.Contract, err)
	}
	return b.audit(ctx, period, l, "adjusted", l.Current+l.Change, "")
}

func (b *biller) audit(ctx context.Context, period string, l BillingLine, action string, after float64, detail string) error {
	effective, _ := time.Parse("2006-01-02", l.EffectiveDate)
	return b.st.AppendBillingAudit(ctx, store.BillingAudit{
		TenantID: b.tenant, IntegrationID: b.id, Organization: l.Organization, Period: period,
		ContractID: l.ContractID, ContractServiceID: l.ContractServiceID, Action: action,
		Before: l.Current, After: after, EffectiveDate: effective, At: b.cfg.Now(), Detail: detail,
	})
}
