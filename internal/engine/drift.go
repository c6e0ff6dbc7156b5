package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// CursorDrift holds an integration's last drift report as JSON:
// reconcile writes it, apply clears it (the settings apply resolved are
// backed by the PSA again).
const CursorDrift = "drift"

// DriftReport is what the last reconcile of an integration found: the
// settings the PSA no longer backs. While it has findings the
// integration's deliveries wait rather than fail one by one.
type DriftReport struct {
	CheckedAt time.Time      `json:"checked_at"`
	Findings  []DriftFinding `json:"findings"`
	// LinksEnded counts the tickets held as open that the PSA had closed
	// or deleted, whose links reconcile ended.
	LinksEnded int `json:"links_ended,omitempty"`
}

// DriftFinding is one setting, by its path, and what the PSA holds now
// (with the nearest valid names).
type DriftFinding struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// cursorStore reads and writes cursors; store.Queries is one.
type cursorStore interface {
	Cursor(ctx context.Context, integrationID int64, name string) (string, error)
	SetCursor(ctx context.Context, integrationID int64, name, value string) error
}

// ReadDrift returns the integration's last drift report (zero when none).
func ReadDrift(ctx context.Context, st cursorStore, integrationID int64) (DriftReport, error) {
	var r DriftReport
	raw, err := st.Cursor(ctx, integrationID, CursorDrift)
	if isNotFound(err) || (err == nil && raw == "") {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("read drift report: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return r, fmt.Errorf("decode drift report: %w", err)
	}
	return r, nil
}

// SaveDrift stores the integration's drift report; ClearDrift empties it.
func SaveDrift(ctx context.Context, st cursorStore, integrationID int64, r DriftReport) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode drift report: %w", err)
	}
	return st.SetCursor(ctx, integrationID, CursorDrift, string(raw))
}

// ClearDrift forgets the integration's drift findings.
func ClearDrift(ctx context.Context, st cursorStore, integrationID int64) error {
	return st.SetCursor(ctx, integrationID, CursorDrift, "")
}

// Summary is the findings in one line, for timelines and logs.
func (r DriftReport) Summary() string {
	parts := make([]string, len(r.Findings))
	for i, f := range r.Findings {
		parts[i] = f.Path + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}

// driftWait holds deliveries while the PSA no longer backs the settings:
// each would fail on the same missing value, so they wait, each timeline
// saying why once, until apply (or a clean reconcile) clears the report.
type driftWait struct {
	waiting bool
	told    map[int64]bool // delivery ids whose timeline says they wait

	// The report as last read, when (wall clock) and under which
	// settings version: a storm runs many rounds a second, and one store
	// read per Config.Rescan (or per new version, as apply makes) is
	// enough to notice a reconcile's findings.
	report  DriftReport
	readAt  time.Time
	version int64
}

// driftReport returns the integration's drift report, read again when
// the cached one is older than Config.Rescan or the settings changed.
func (dl *deliverer) driftReport(ctx context.Context) (DriftReport, error) {
	now := dl.wall()
	stale := dl.driftStale.Swap(false)
	if !stale && !dl.drift.readAt.IsZero() && dl.drift.version == dl.snap.version && now.Sub(dl.drift.readAt) < dl.cfg.Rescan {
		return dl.drift.report, nil
	}
	r, err := ReadDrift(ctx, dl.st, dl.id)
	if err != nil {
		return r, err
	}
	dl.drift.report, dl.drift.readAt, dl.drift.version = r, now, dl.snap.version
	return r, nil
}

// holdForDrift reports whether the round must not start because the
// integration has drift findings, and tells the due deliveries why.
func (dl *deliverer) holdForDrift(ctx context.Context, due []store.Delivery) (bool, error) {
	r, err := dl.driftReport(ctx)
	if err != nil {
		return false, err
	}
	if len(r.Findings) == 0 {
		if !dl.drift.waiting {
			return false, nil
		}
		// Apply cleared it; redecide only under the settings it wrote,
		// which the worker loads at the start of its next cycle.
		it, err := dl.st.Integration(ctx, dl.id)
		if err != nil || it.Version != dl.snap.version {
			return true, err
		}
		dl.log.Info("drift cleared; deliveries resume")
		err = dl.redecide(ctx, due)
		dl.drift.waiting, dl.drift.told = false, nil
		return false, err
	}
	if !dl.drift.waiting {
		dl.log.Warn("deliveries wait: the PSA no longer backs these settings", "findings", r.Summary())
		dl.drift.waiting, dl.drift.told = true, map[int64]bool{}
	}
	now := dl.cfg.Now()
	detail := "waiting: the PSA no longer backs these settings (fix them and apply): " + r.Summary()
	err = dl.st.InTx(ctx, func(q store.Queries) error {
		for _, d := range due {
			if dl.drift.told[d.ID] {
				continue
			}
			if err := q.AppendTimeline(ctx, store.TimelineEntry{
				TenantID: d.TenantID, AlertSeq: d.AlertSeq, IntegrationID: dl.id, At: now, Event: "waiting", Detail: detail,
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return true, fmt.Errorf("record waiting deliveries: %w", err)
	}
	for _, d := range due {
		dl.drift.told[d.ID] = true
	}
	return true, nil
}

// redecide renders the ticket and note fields of the deliveries that
// waited for drift again under the settings now loaded: they were decided
// with the values the PSA stopped backing (a PSA that keys a queue by its
// name would refuse the old one). Company, contact, contract and group
// stay as routing decided them, so the delivery stays on its ticket link.
func (dl *deliverer) redecide(ctx context.Context, due []store.Delivery) error {
	for i, d := range due {
		if !dl.drift.told[d.ID] || (d.Kind != store.DeliveryCreateTicket && d.Kind != store.DeliveryAddNote) {
			continue
		}
		old, key, err := decodePayload(d)
		if err != nil {
			continue // the round fails it with the decode error
		}
		a, err := dl.st.AlertBySeq(ctx, d.AlertSeq)
		if err != nil {
			return fmt.Errorf("read alert %d: %w", d.AlertSeq, err)
		}
		fresh := dl.snap.plan.Decide(a, nil, nil)
		if fresh.Skip != nil {
			continue
		}
		t := fresh.Ticket
		t.CompanyID, t.ContactID, t.ContractID = old.Ticket.CompanyID, old.Ticket.ContactID, old.Ticket.ContractID
		old.Ticket, old.Note = t, fresh.Note
		if d.Payload, err = encodePayload(key, old); err != nil {
			return err
		}
		if err := dl.st.UpdateDelivery(ctx, d); err != nil {
			return fmt.Errorf("store redecided delivery %d: %w", d.ID, err)
		}
		due[i] = d
	}
	return nil
}

// StatusPolledUpTo is the time the integration's status poll has read
// PSA changes up to; false when it has not polled yet.
func StatusPolledUpTo(ctx context.Context, st cursorStore, integrationID int64) (time.Time, bool, error) {
	raw, err := st.Cursor(ctx, integrationID, cursorStatusPoll)
	if isNotFound(err) || (err == nil && raw == "") {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read status poll cursor: %w", err)
	}
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("parse status poll cursor: %w", err)
	}
	return t, true, nil
}
