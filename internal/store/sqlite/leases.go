package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// One statement decides take, renew or refuse, so it is atomic without a
	// transaction and, through SQLite's single write lock, across processes
	// sharing the file. The DO UPDATE runs only when the caller already
	// holds the lease or it has expired (a released lease has expires_at 0);
	// otherwise no row comes back and the caller learns the lease is taken.
	// The token moves on unless the same holder renews a live lease.
	// ?1 name, ?2 holder, ?3 new expiry, ?4 now.
	sqlAcquireLease = `INSERT INTO leases (name, holder, token, expires_at)
VALUES (?1, ?2, 1, ?3)
ON CONFLICT (name) DO UPDATE SET
    token = CASE WHEN leases.holder = excluded.holder AND leases.expires_at > ?4
                 THEN leases.token ELSE leases.token + 1 END,
    holder = excluded.holder,
    expires_at = excluded.expires_at
WHERE leases.holder = excluded.holder OR leases.expires_at <= ?4
RETURNING token`
	// Expiring instead of deleting keeps the name's last token, so the next
	// one is greater.
	sqlReleaseLease = `UPDATE leases SET expires_at = 0 WHERE name = ? AND token = ?`
	sqlCheckLease   = `SELECT 1 FROM leases WHERE name = ? AND token = ? AND expires_at > ?`
)

var leaseStatements = []string{sqlAcquireLease, sqlReleaseLease, sqlCheckLease}

// AcquireLease takes the named lease for holder until now+ttl when it is
// free or expired (with a new, greater token) or renews holder's own live
// lease (same token); ErrConflict when another holder's lease is live.
func (q *queries) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (store.Lease, error) {
	if ttl <= 0 {
		return store.Lease{}, fmt.Errorf("acquire lease %s: ttl %v must be positive", name, ttl)
	}
	l := store.Lease{Name: name, Holder: holder, ExpiresAt: norm(now.Add(ttl))}
	err := q.writeRow(ctx, sqlAcquireLease, name, holder, dbTime(l.ExpiresAt), dbTime(norm(now))).Scan(&l.Token)
	if errors.Is(err, sql.ErrNoRows) {
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
// now. Inside InTx it fences the transaction: the writer's IMMEDIATE
// transaction holds the database's write lock from its start, so no other
// process can take the lease over between this check and the commit.
func (q *queries) CheckLease(ctx context.Context, l store.Lease, now time.Time) error {
	var one int
	err := q.readRow(ctx, sqlCheckLease, l.Name, l.Token, dbTime(norm(now))).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("check lease %s token %d: %w", l.Name, l.Token, store.ErrLeaseLost)
	}
	return wrap(err, "check lease "+l.Name)
}
