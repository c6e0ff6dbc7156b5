package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Pragma returns a pragma's value as the writer and as a reader connection
// see it, for tests that check every pool got the connection settings.
func (s *Store) Pragma(ctx context.Context, name string) (writer, reader string, err error) {
	if err := s.writer.QueryRowContext(ctx, "PRAGMA "+name).Scan(&writer); err != nil {
		return "", "", fmt.Errorf("writer pragma %s: %w", name, err)
	}
	if err := s.reader.QueryRowContext(ctx, "PRAGMA "+name).Scan(&reader); err != nil {
		return "", "", fmt.Errorf("reader pragma %s: %w", name, err)
	}
	return writer, reader, nil
}

// AppliedMigrations lists the names recorded in schema_migrations.
func (s *Store) AppliedMigrations(ctx context.Context) ([]string, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// MigrationNames lists the embedded migrations in order.
func MigrationNames() ([]string, error) {
	all, err := loadMigrations()
	var names []string
	for _, m := range all {
		names = append(names, m.Name)
	}
	return names, err
}

// QueryPlan returns the detail column of EXPLAIN QUERY PLAN for query on
// the reader pool, one line per step.
func (s *Store) QueryPlan(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.reader.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, err
		}
		plan = append(plan, detail)
	}
	return plan, rows.Err()
}

// Statements of the reads whose plans are tested.
const (
	SQLStatusChanges          = sqlStatusChanges
	SQLLastClosedTicketLink   = sqlLastClosedTicketLink
	SQLCountDeliveriesInState = sqlCountDeliveriesInState
	SQLDueDeliveries          = sqlDueDeliveries
	SQLTimelineOfAlert        = sqlTimelineOfAlert
	SQLAlertBySourceID        = sqlAlertBySourceID
	SQLAlertsOfSourceByIDs    = sqlAlertsOfSourceByIDs
	SQLTicketPage             = sqlTicketPage
	SQLTicketPageInState      = sqlTicketPageInState
	SQLTicketLinkAlerts       = sqlTicketLinkAlerts
	SQLDeliveryBacklog        = sqlDeliveryBacklog
)

// FilterQuery is the statement and arguments Deliveries runs for f.
func FilterQuery(f store.DeliveryFilter) (string, []any) { return filterQuery(f) }

// SetWriterQueryOnly sets PRAGMA query_only on the writer connection: every
// write then fails as it would on a read-only file, also for root, whom
// file modes do not stop.
func (s *Store) SetWriterQueryOnly(ctx context.Context, on bool) error {
	v := "0"
	if on {
		v = "1"
	}
	_, err := s.writer.ExecContext(ctx, "PRAGMA query_only = "+v)
	return err
}

// Statements of retention, whose plans are tested.
var (
	SQLPruneCandidates = sqlPruneCandidates
	SQLPruneDeletes    = pruneDeletes
)

// Statements lists every statement the store prepares.
func Statements() []string { return statements }

// Waiting is how many callers wait for the writer's turn.
func (s *Store) Waiting() int {
	s.turns.mu.Lock()
	defer s.turns.mu.Unlock()
	return len(s.turns.queue)
}

// Commits is how many writer transactions (groups) have committed.
func (s *Store) Commits() int {
	s.turns.mu.Lock()
	defer s.turns.mu.Unlock()
	return s.turns.commits
}

// BreakTransaction ends the transaction q is in behind database/sql's
// back, as SQLite does on a full disk or an I/O error.
func BreakTransaction(ctx context.Context, q store.Queries) error {
	_, err := q.(*queries).tx.ExecContext(ctx, "ROLLBACK")
	return err
}

// GroupFor sets how long a group's first member may wait for later ones,
// so tests that queue callers by hand do not depend on their speed.
func (s *Store) GroupFor(d time.Duration) { s.groupFor = d }
