package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// The tenant's alerts not changed since the cutoff, oldest first, from
	// alerts_tenant_updated; each NOT EXISTS reads one alert's rows
	// through an index that starts with alert_seq. So a batch costs its
	// own alerts plus the old ones it keeps, never the table. An alert is
	// kept while a route or delivery ties it to a creating or open ticket
	// link, while a delivery or callback of it is pending, and while its
	// status change waits for the engine (routes_status_pending's
	// predicate).
	sqlPruneCandidates = `SELECT a.seq FROM alerts a INDEXED BY alerts_tenant_updated
WHERE a.tenant_id = ? AND a.updated_at < ?
  AND NOT EXISTS (SELECT 1 FROM routes r LEFT JOIN ticket_links l ON l.id = r.ticket_link_id
                  WHERE r.alert_seq = a.seq
                    AND (l.state IN ('creating', 'open')
                         OR (r.outcome = 'queued' AND r.alert_status <> r.handled_status)))
  AND NOT EXISTS (SELECT 1 FROM deliveries d LEFT JOIN ticket_links l ON l.id = d.ticket_link_id
                  WHERE d.alert_seq = a.seq AND (d.state = 'pending' OR l.state IN ('creating', 'open')))
  AND NOT EXISTS (SELECT 1 FROM callbacks c WHERE c.alert_seq = a.seq AND c.state = 'pending')
ORDER BY a.updated_at
LIMIT CAST(? AS INTEGER)`
	// The alerts' rows go first (a failed delivery's payload before it):
	// each foreign key is checked when the row it points at is deleted,
	// through the same index.
	sqlPruneTimeline = `DELETE FROM timeline WHERE alert_seq IN (SELECT value FROM json_each(?))`
	sqlPruneRoutes   = `DELETE FROM routes WHERE alert_seq IN (SELECT value FROM json_each(?))`
	sqlPrunePayloads = `DELETE FROM delivery_payloads WHERE delivery_id IN
    (SELECT id FROM deliveries WHERE alert_seq IN (SELECT value FROM json_each(?)))`
	sqlPruneDeliveries = `DELETE FROM deliveries WHERE alert_seq IN (SELECT value FROM json_each(?))`
	sqlPruneCallbacks  = `DELETE FROM callbacks WHERE alert_seq IN (SELECT value FROM json_each(?))`
	sqlPruneAlerts     = `DELETE FROM alerts WHERE seq IN (SELECT value FROM json_each(?))`
)

// pruneDeletes run in this order, each with the batch's seqs.
var pruneDeletes = []string{
	sqlPruneTimeline, sqlPruneRoutes, sqlPrunePayloads, sqlPruneDeliveries, sqlPruneCallbacks, sqlPruneAlerts,
}

var retentionStatements = append([]string{sqlPruneCandidates}, pruneDeletes...)

// PruneAlerts deletes up to limit of the tenant's finished alerts not
// changed since cutoff, with their rows, in one IMMEDIATE transaction:
// the candidates are read under the write lock, so nothing can start
// work on them before they are gone. A batch is short enough that ingest
// waits at most that long for the writer.
func (s *Store) PruneAlerts(ctx context.Context, tenant string, cutoff time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, errors.New("prune alerts: limit must be positive")
	}
	var pruned int
	err := s.InTx(ctx, func(q store.Queries) error {
		var err error
		pruned, err = q.(*queries).pruneAlerts(ctx, tenant, cutoff, limit)
		return err
	})
	if err != nil {
		return 0, err
	}
	return pruned, nil
}

// pruneAlerts is PruneAlerts inside the transaction q.
func (q *queries) pruneAlerts(ctx context.Context, tenant string, cutoff time.Time, limit int) (int, error) {
	rows, err := q.readRows(ctx, sqlPruneCandidates, tenant, dbTime(cutoff), limit)
	seqs, err := collect(rows, err, func(s scanner) (int64, error) {
		var seq int64
		return seq, s.Scan(&seq)
	})
	if err != nil || len(seqs) == 0 {
		return 0, wrap(err, "prune alerts: find")
	}
	list, err := json.Marshal(seqs)
	if err != nil {
		return 0, fmt.Errorf("prune alerts: encode: %w", err)
	}
	for _, del := range pruneDeletes {
		if _, err := q.exec(ctx, del, string(list)); err != nil {
			return 0, wrap(err, "prune alerts")
		}
	}
	return len(seqs), nil
}
