package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// One statement decides take, renew or refuse. Replicas racing for a
	// free name meet on the primary key: one inserts, the others wait for
	// it and then see its row. The DO UPDATE runs only when the caller
	// already holds the lease or it has expired (a released lease expires
	// at the epoch); otherwise no row comes back and the caller learns the
	// lease is taken. Under READ COMMITTED the WHERE is re-checked on the
	// newest row version, so two replicas cannot both take an expired
	// lease. The token moves on unless the same holder renews a live lease.
	sqlAcquireLease = `INSERT INTO leases AS l (name, holder, token, expires_at)
VALUES ($1, $2, 1, $3)
ON CONFLICT (name) DO UPDATE SET
    token = CASE WHEN l.holder = excluded.holder AND l.expires_at > $4
                 THEN l.token ELSE l.token + 1 END,
    holder = excluded.holder,
    expires_at = excluded.expires_at
WHERE l.holder = excluded.holder OR l.expires_at <= $4
RETURNING token`
	// Expiring instead of deleting keeps the name's last token, so the next
	// one is greater.
	sqlReleaseLease = `UPDATE leases SET expires_at = 'epoch' WHERE name = $1 AND token = $2`
	// FOR SHARE keeps the row locked until the transaction ends: a replica
	// taking the lease over (an UPDATE of the row) waits for this
	// transaction to commit or roll back, so the old holder's checked
	// writes land before the takeover, never after it.
	sqlCheckLease = `SELECT 1 FROM leases WHERE name = $1 AND token = $2 AND expires_at > $3 FOR SHARE`
)

// AcquireLease takes the named lease for holder until now+ttl when it is
// free or expired (with a new, greater token) or renews holder's own live
// lease (same token); ErrConflict when another holder's lease is live.
func (q *queries) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (store.Lease, error) {
	if ttl <= 0 {
		return store.Lease{}, fmt.Errorf("acquire lease %s: ttl %v must be positive", name, ttl)
	}
	l := store.Lease{Name: name, Holder: holder, ExpiresAt: norm(now.Add(ttl))}
	err := q.writeRow(ctx, func(r pgx.Row) error { return r.Scan(&l.Token) },
		sqlAcquireLease, name, holder, l.ExpiresAt, norm(now))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Lease{}, fmt.Errorf("acquire lease %s: held by another holder: %w", name, store.ErrConflict)
	}
	if err != nil {
		return store.Lease{}, wrap(err, "acquire lease "+name)
	}
	return l, nil
}

// ReleaseLease expires l at once if its token is still current; a lease
// already taken over or released is left alone.
func (q *queries) ReleaseLease(ctx context.Context, l store.Lease) error {
	_, err := q.exec(ctx, sqlReleaseLease, l.Name, l.Token)
	return wrap(err, "release lease "+l.Name)
}

// CheckLease returns ErrLeaseLost unless l's token is current and live at
// now. Inside InTx it also locks the lease row until the transaction ends,
// which fences the transaction's writes against a takeover.
func (q *queries) CheckLease(ctx context.Context, l store.Lease, now time.Time) error {
	var one int
	err := q.db.QueryRow(ctx, sqlCheckLease, l.Name, l.Token, norm(now)).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("check lease %s token %d: %w", l.Name, l.Token, store.ErrLeaseLost)
	}
	return wrap(err, "check lease "+l.Name)
}
