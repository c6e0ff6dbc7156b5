package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// The WHERE of the DO UPDATE keeps a newer count when an older report
	// arrives late (sources may send in any order); an equal as-of replaces,
	// so a source can correct a report. The row lock ON CONFLICT takes makes
	// the comparison exact between replicas.
	sqlPutBillableCount = `INSERT INTO billable_counts AS b (tenant_id, organization, count, as_of, updated_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (tenant_id, organization) DO UPDATE SET
    count = excluded.count, as_of = excluded.as_of, updated_at = excluded.updated_at
WHERE excluded.as_of >= b.as_of`
	// PutBillableCount for many counts in one statement. ON CONFLICT may
	// not update a row twice, so each organization's counts are reduced to
	// the one that would be left by putting them one after another: the
	// last of those with the latest as-of (the WHERE then compares it with
	// the stored one, as for one count).
	sqlPutBillableCounts = `INSERT INTO billable_counts AS b (tenant_id, organization, count, as_of, updated_at)
SELECT DISTINCT ON (u.t, u.o) u.t, u.o, u.c, u.a, u.upd
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[], $5::timestamptz[])
    WITH ORDINALITY AS u (t, o, c, a, upd, n)
ORDER BY u.t, u.o, u.a DESC, u.n DESC
ON CONFLICT (tenant_id, organization) DO UPDATE SET
    count = excluded.count, as_of = excluded.as_of, updated_at = excluded.updated_at
WHERE excluded.as_of >= b.as_of`
	sqlBillableCounts = `SELECT tenant_id, organization, count, as_of, updated_at
FROM billable_counts WHERE tenant_id = $1 ORDER BY organization`
	// Selecting the integration inserts nothing for an unknown one
	// (ErrNotFound) instead of failing the foreign key, which would abort
	// the caller's transaction.
	sqlAppendBillingAudit = `INSERT INTO billing_audits (tenant_id, integration_id, organization, period,
    contract_id, contract_service_id, action, before_units, after_units, effective_date, at, detail)
SELECT $1::text, id, $3::text, $4::text, $5::text, $6::text, $7::text, $8::float8, $9::float8,
    $10::timestamptz, $11::timestamptz, $12::text
FROM integrations WHERE id = $2`
	sqlBillingAudits = `SELECT id, tenant_id, integration_id, organization, period, contract_id,
    contract_service_id, action, before_units, after_units, effective_date, at, detail
FROM billing_audits WHERE integration_id = $1
ORDER BY at DESC, id DESC
LIMIT $2`
)

// PutBillableCount sets the organization's billable user count unless a
// report with a later as-of is stored already (then it is a no-op, not an
// error).
func (q *queries) PutBillableCount(ctx context.Context, c store.BillableCount) error {
	_, err := q.exec(ctx, sqlPutBillableCount, c.TenantID, c.Organization, c.Count, norm(c.AsOf),
		q.orNow(c.UpdatedAt))
	return wrap(err, "put billable count")
}

// PutBillableCounts puts the counts with one statement, as if one after
// another.
func (q *queries) PutBillableCounts(ctx context.Context, cs []store.BillableCount) error {
	if len(cs) == 0 {
		return nil
	}
	n := len(cs)
	tenants, orgs, counts := make([]string, n), make([]string, n), make([]int64, n)
	asOf, updated := make([]time.Time, n), make([]time.Time, n)
	for i, c := range cs {
		tenants[i], orgs[i], counts[i], asOf[i], updated[i] = c.TenantID, c.Organization, int64(c.Count), norm(c.AsOf), q.orNow(c.UpdatedAt)
	}
	_, err := q.exec(ctx, sqlPutBillableCounts, tenants, orgs, counts, asOf, updated)
	return wrap(err, "put billable counts")
}

// BillableCounts lists the tenant's counts by organization.
func (q *queries) BillableCounts(ctx context.Context, tenant string) ([]store.BillableCount, error) {
	rows, err := q.db.Query(ctx, sqlBillableCounts, tenant)
	out, err := collect(rows, err, func(r pgx.Row) (store.BillableCount, error) {
		var c store.BillableCount
		err := r.Scan(&c.TenantID, &c.Organization, &c.Count, &c.AsOf, &c.UpdatedAt)
		c.AsOf, c.UpdatedAt = c.AsOf.UTC(), c.UpdatedAt.UTC()
		return c, err
	})
	return out, wrap(err, "list billable counts")
}

// AppendBillingAudit records one billable-user sync decision; ErrNotFound
// when the integration does not exist.
func (q *queries) AppendBillingAudit(ctx context.Context, a store.BillingAudit) error {
	err := affected(q.exec(ctx, sqlAppendBillingAudit, a.TenantID, a.IntegrationID, a.Organization, a.Period,
		a.ContractID, a.ContractServiceID, a.Action, a.Before, a.After, norm(a.EffectiveDate),
		q.orNow(a.At), a.Detail))
	return wrap(err, "append billing audit")
}

// BillingAudits lists the integration's audit, newest first, at most n
// (n <= 0: all).
func (q *queries) BillingAudits(ctx context.Context, integrationID int64, n int) ([]store.BillingAudit, error) {
	rows, err := q.db.Query(ctx, sqlBillingAudits, integrationID, limit(n))
	out, err := collect(rows, err, func(r pgx.Row) (store.BillingAudit, error) {
		var a store.BillingAudit
		err := r.Scan(&a.ID, &a.TenantID, &a.IntegrationID, &a.Organization, &a.Period, &a.ContractID,
			&a.ContractServiceID, &a.Action, &a.Before, &a.After, &a.EffectiveDate, &a.At, &a.Detail)
		a.EffectiveDate, a.At = a.EffectiveDate.UTC(), a.At.UTC()
		return a, err
	})
	return out, wrap(err, "list billing audits")
}
