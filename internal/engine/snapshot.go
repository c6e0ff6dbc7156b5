package engine

import (
	"context"
	"log/slog"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
)

// snapshot is one loaded version of an integration's settings: the plan
// that decides alerts, the connector built for those settings and what
// follows from them. reload builds a new one whenever the version moves
// and hands it to the parts of the worker; nothing changes it once handed
// out, so the parts, the lease goroutine and the webhook handler read it
// without locks.
type snapshot struct {
	version int64
	// plan decides alerts, the same code explain predicts with;
	// settings is plan.Settings, kept by name for brevity.
	plan     *Plan
	settings integration.Settings
	conn     psa.Connector
	dueIn    time.Duration

	statuses  rules.StatusMapper
	pollEvery time.Duration
	// picklists label PSA statuses in timelines; nil when status sync is
	// off or the read failed, and timelines show ids instead.
	picklists psa.Picklists
}

// newSnapshot derives the version's settings-only values; it calls no PSA.
func newSnapshot(version int64, plan *Plan, conn psa.Connector) *snapshot {
	s := plan.Settings
	dueIn, err := time.ParseDuration(s.Ticket.DueIn)
	if err != nil || dueIn <= 0 {
		dueIn = 24 * time.Hour
	}
	pollEvery := time.Minute
	if d, err := time.ParseDuration(s.StatusSync.PollInterval); err == nil && d > 0 {
		pollEvery = d
	}
	return &snapshot{
		version: version, plan: plan, settings: s, conn: conn, dueIn: dueIn,
		statuses: rules.NewStatusMapper(s.StatusSync), pollEvery: pollEvery,
	}
}

// readPicklists reads the status labels when status sync is on. It is a
// PSA call, so reload makes it after the connector's budget is seeded and
// before the snapshot is handed out.
func (s *snapshot) readPicklists(ctx context.Context, log *slog.Logger) {
	if !s.settings.StatusSync.Enabled {
		return
	}
	pl, err := s.conn.Picklists(ctx)
	if err != nil {
		log.Warn("read status labels; timelines will show ids", "err", err)
		return
	}
	s.picklists = pl
}

// isClosed reports whether the PSA ticket no longer takes notes.
func (s *snapshot) isClosed(t psa.Ticket) bool { return s.plan.Closed(t) }

// statusLabel names a PSA status for timelines: its label when known.
func (s *snapshot) statusLabel(id string) string {
	if s.picklists == nil {
		return id
	}
	return s.picklists.Label(psa.FieldStatus, id)
}
