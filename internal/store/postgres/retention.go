package postgres

import (
	"context"
	"errors"
	"time"
)

// sqlPruneAlerts is one batch of retention as one statement, so one short
// transaction. doomed is the tenant's alerts not changed since the cutoff
// ($2), oldest first, from alerts_tenant_updated; each NOT EXISTS reads one
// alert's rows through an index that starts with alert_seq, so a batch
// costs its own alerts plus the old ones it keeps, never the table. An
// alert is kept while a route or delivery ties it to a creating or open
// ticket link, while a delivery or callback of it is pending, and while
// its status change waits for the engine (routes.status_pending).
//
// FOR UPDATE SKIP LOCKED passes over alerts another transaction is writing
// (a re-send moving updated_at, a status change): they are not idle, and
// retention never waits for ingest. The lock then holds off any writer
// that would add a row pointing at a doomed alert until it is gone.
//
// The alerts' rows are deleted by the WITH parts and the alerts by the
// main statement, all on one snapshot. The foreign keys to alerts are NO
// ACTION, checked at the end of the statement, when the rows pointing at
// a deleted alert are already gone.
const sqlPruneAlerts = `WITH doomed AS (
    SELECT a.seq FROM alerts a
    WHERE a.tenant_id = $1 AND a.updated_at < $2
      AND NOT EXISTS (SELECT 1 FROM routes r LEFT JOIN ticket_links l ON l.id = r.ticket_link_id
                      WHERE r.alert_seq = a.seq AND (l.state IN ('creating', 'open') OR r.status_pending))
      AND NOT EXISTS (SELECT 1 FROM deliveries d LEFT JOIN ticket_links l ON l.id = d.ticket_link_id
                      WHERE d.alert_seq = a.seq AND (d.state = 'pending' OR l.state IN ('creating', 'open')))
      AND NOT EXISTS (SELECT 1 FROM callbacks c WHERE c.alert_seq = a.seq AND c.state = 'pending')
    ORDER BY a.updated_at
    LIMIT $3
    FOR UPDATE OF a SKIP LOCKED
), timeline_gone AS (
    DELETE FROM timeline t USING doomed WHERE t.alert_seq = doomed.seq
), routes_gone AS (
    DELETE FROM routes r USING doomed WHERE r.alert_seq = doomed.seq
), deliveries_gone AS (
    DELETE FROM deliveries d USING doomed WHERE d.alert_seq = doomed.seq
), callbacks_gone AS (
    DELETE FROM callbacks c USING doomed WHERE c.alert_seq = doomed.seq
)
DELETE FROM alerts a USING doomed WHERE a.seq = doomed.seq`

// PruneAlerts deletes up to limit of the tenant's finished alerts not
// changed since cutoff, with their rows, in one statement.
func (s *Store) PruneAlerts(ctx context.Context, tenant string, cutoff time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, errors.New("prune alerts: limit must be positive")
	}
	n, err := s.queries.exec(ctx, sqlPruneAlerts, tenant, norm(cutoff), limit)
	if err != nil {
		return 0, wrap(err, "prune alerts")
	}
	return int(n), nil
}
