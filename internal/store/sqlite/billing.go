package sqlite

import (
	"context"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// The WHERE of the DO UPDATE keeps a newer count when an older report
	// arrives late (sources may send in any order); an equal as-of replaces,
	// so a source can correct a report.
	sqlPutBillableCount = `INSERT INTO billable_counts (tenant_id, organization, count, as_of, updated_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (tenant_id, organization) DO UPDATE SET
    count = excluded.count, as_of = excluded.as_of, updated_at = excluded.updated_at
WHERE excluded.as_of >= billable_counts.as_of`
	sqlBillableCounts = `SELECT tenant_id, organization, count, as_of, updated_at
FROM billable_counts WHERE tenant_id = ? ORDER BY organization`
	sqlAppendBillingAudit = `INSERT INTO billing_audits (tenant_id, integration_id, organization, period,
    contract_id, contract_service_id, action, before_units, after_units, effective_date, at, detail)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlBillingAudits = `SELECT id, tenant_id, integration_id, organization, period, contract_id,
    contract_service_id, action, before_units, after_units, effective_date, at, detail
FROM billing_audits WHERE integration_id = ?
ORDER BY at DESC, id DESC
LIMIT CAST(? AS INTEGER)`
)

var billingStatements = []string{sqlPutBillableCount, sqlBillableCounts, sqlAppendBillingAudit, sqlBillingAudits}

// PutBillableCount sets the organization's billable user count unless a
// report with a later as-of is stored already (then it is a no-op, not an
// error).
func (q *queries) PutBillableCount(ctx context.Context, c store.BillableCount) error {
	_, err := q.exec(ctx, sqlPutBillableCount, c.TenantID, c.Organization, c.Count, dbTime(norm(c.AsOf)),
		dbTime(q.orNow(c.UpdatedAt)))
	return wrap(err, "put billable count")
}

// PutBillableCounts puts each count in order: one statement each costs
// no round trip on an embedded database.
func (q *queries) PutBillableCounts(ctx context.Context, cs []store.BillableCount) error {
	for _, c := range cs {
		if err := q.PutBillableCount(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// BillableCounts lists the tenant's counts by organization.
func (q *queries) BillableCounts(ctx context.Context, tenant string) ([]store.BillableCount, error) {
	rows, err := q.readRows(ctx, sqlBillableCounts, tenant)
	out, err := collect(rows, err, func(s scanner) (store.BillableCount, error) {
		var c store.BillableCount
		var asOf, updated int64
		err := s.Scan(&c.TenantID, &c.Organization, &c.Count, &asOf, &updated)
		c.AsOf, c.UpdatedAt = goTime(asOf), goTime(updated)
		return c, err
	})
	return out, wrap(err, "list billable counts")
}

// AppendBillingAudit records one billable-user sync decision; ErrNotFound
// when the integration does not exist.
func (q *queries) AppendBillingAudit(ctx context.Context, a store.BillingAudit) error {
	_, err := q.exec(ctx, sqlAppendBillingAudit, a.TenantID, a.IntegrationID, a.Organization, a.Period,
		a.ContractID, a.ContractServiceID, a.Action, a.Before, a.After, dbTime(norm(a.EffectiveDate)),
		dbTime(q.orNow(a.At)), a.Detail)
	return wrap(err, "append billing audit")
}

// BillingAudits lists the integration's audit, newest first, at most n
// (n <= 0: all).
func (q *queries) BillingAudits(ctx context.Context, integrationID int64, n int) ([]store.BillingAudit, error) {
	rows, err := q.readRows(ctx, sqlBillingAudits, integrationID, limit(n))
	out, err := collect(rows, err, func(s scanner) (store.BillingAudit, error) {
		var a store.BillingAudit
		var effective, at int64
		err := s.Scan(&a.ID, &a.TenantID, &a.IntegrationID, &a.Organization, &a.Period, &a.ContractID,
			&a.ContractServiceID, &a.Action, &a.Before, &a.After, &effective, &at, &a.Detail)
		a.EffectiveDate, a.At = goTime(effective), goTime(at)
		return a, err
	})
	return out, wrap(err, "list billing audits")
}
