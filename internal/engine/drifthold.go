package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// driftRecheck is how far a held delivery's next attempt moves: held
// rows must not fill every batch of due deliveries ahead of those that
// may go. Apply (or a clean reconcile) makes them due again at once; the
// recheck only matters to rows held before a restart.
const driftRecheck = 30 * time.Second

// driftWait holds the deliveries that would use a value the PSA no longer
// backs: each would fail on it, so they wait, each timeline saying why
// once, until apply (or a clean reconcile) clears the report. Deliveries
// that do not use a drifted value go on.
type driftWait struct {
	waiting bool
	told    map[int64]bool // delivery ids held, whose timeline says they wait

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

// holdForDrift returns the due deliveries the round may carry out: all
// of them without drift findings; otherwise those of the ticket links
// none of whose work uses a drifted value. The others wait, pushed back
// by driftRecheck, their timelines told why.
func (dl *deliverer) holdForDrift(ctx context.Context, due []store.Delivery) ([]store.Delivery, error) {
	r, err := dl.driftReport(ctx)
	if err != nil {
		return nil, err
	}
	if len(r.Findings) == 0 {
		if !dl.drift.waiting {
			return due, nil
		}
		// Apply cleared it; redecide only under the settings it wrote,
		// which the worker loads at the start of its next cycle.
		it, err := dl.st.Integration(ctx, dl.id)
		if err != nil || it.Version != dl.snap.version {
			return nil, err
		}
		dl.log.Info("drift cleared; deliveries resume")
		if err := dl.resumeHeld(ctx); err != nil {
			return nil, err
		}
		dl.drift.waiting, dl.drift.told = false, nil
		// The held rows are due again with their fields redecided: the
		// next round lists them with the rest.
		return nil, nil
	}
	going, held, err := dl.partitionForDrift(ctx, r.Findings, due)
	if err != nil || len(held) == 0 {
		return going, err
	}
	if !dl.drift.waiting {
		dl.log.Warn("deliveries that use settings the PSA no longer backs wait", "findings", r.Summary())
		dl.drift.waiting, dl.drift.told = true, map[int64]bool{}
	}
	return going, dl.recordHeld(ctx, held)
}

// heldDelivery is a delivery that waits and the findings it would use.
type heldDelivery struct {
	d     store.Delivery
	using []DriftFinding
}

// partitionForDrift splits due deliveries by ticket link: a link waits
// when any of its work (the due rows, and the notes pending on it, which
// go out coalesced with them) would use a drifted value.
func (dl *deliverer) partitionForDrift(ctx context.Context, fs []DriftFinding, due []store.Delivery) ([]store.Delivery, []heldDelivery, error) {
	byLink := map[int64][]store.Delivery{}
	for _, d := range due {
		byLink[d.TicketLinkID] = append(byLink[d.TicketLinkID], d)
	}
	heldLinks := map[int64][]DriftFinding{}
	for linkID, ds := range byLink {
		pending, err := dl.st.PendingNotes(ctx, linkID)
		if err != nil {
			return nil, nil, fmt.Errorf("list pending notes of link %d: %w", linkID, err)
		}
		if using := findingsUsed(fs, append(pending, ds...)); len(using) > 0 {
			heldLinks[linkID] = using
		}
	}
	var going []store.Delivery
	var held []heldDelivery
	for _, d := range due {
		if using, ok := heldLinks[d.TicketLinkID]; ok {
			held = append(held, heldDelivery{d: d, using: using})
		} else {
			going = append(going, d)
		}
	}
	return going, held, nil
}

// findingsUsed returns the findings any of the deliveries would use.
func findingsUsed(fs []DriftFinding, ds []store.Delivery) []DriftFinding {
	var out []DriftFinding
	for _, f := range fs {
		for _, d := range ds {
			if f.usedBy(d) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// usedBy reports whether the delivery would use the finding's value. A
// finding that names no value, and a delivery whose decision cannot be
// read, count as used: waiting is the safe side of not knowing.
func (f DriftFinding) usedBy(d store.Delivery) bool {
	if f.Kind == "" || f.Value == "" {
		return true
	}
	if d.Kind != store.DeliveryCreateTicket && d.Kind != store.DeliveryAddNote {
		return false // a status push carries only a status_sync status
	}
	dec, _, err := decodePayload(d)
	if err != nil {
		return true
	}
	return f.carriedBy(dec)
}

// carriedBy reports whether the decision carries the finding's value. A
// note's ticket fields count too: a note for a ticket closed meanwhile
// becomes a new ticket with them.
func (f DriftFinding) carriedBy(dec rules.Decision) bool {
	t := dec.Ticket
	fields := map[string]string{
		psa.FieldCategory: t.Category, psa.FieldType: t.Type, psa.FieldStatus: t.Status,
		psa.FieldQueue: t.Queue, psa.FieldSource: t.Source, psa.FieldPriority: t.Priority,
		psa.FieldIssueType: t.IssueType, psa.FieldSubIssueType: t.SubIssueType,
		psa.FieldNoteType: dec.Note.Type, integration.ValueContact: dec.Contact.FallbackID,
	}
	if f.Kind == integration.ValueCompany {
		return dec.CompanyID == f.Value || t.CompanyID == f.Value
	}
	v, known := fields[f.Kind]
	return !known || v == f.Value
}

// recordHeld pushes the held deliveries' next attempts back and tells
// each one's timeline, once, which findings it waits for.
func (dl *deliverer) recordHeld(ctx context.Context, held []heldDelivery) error {
	now := dl.cfg.Now()
	err := dl.st.InTx(ctx, func(q store.Queries) error {
		for _, h := range held {
			d := h.d
			d.NextAttemptAt, d.UpdatedAt = now.Add(max(driftRecheck, dl.cfg.Rescan)), now
			if err := q.UpdateDelivery(ctx, d); err != nil {
				return err
			}
			if dl.drift.told[d.ID] {
				continue
			}
			detail := "waiting: the PSA no longer backs these settings (fix them and apply): " + DriftReport{Findings: h.using}.Summary()
			if err := q.AppendTimeline(ctx, store.TimelineEntry{
				TenantID: d.TenantID, AlertSeq: d.AlertSeq, IntegrationID: dl.id, At: now, Event: "waiting", Detail: detail,
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record waiting deliveries: %w", err)
	}
	for _, h := range held {
		dl.drift.told[h.d.ID] = true
	}
	return nil
}

// resumeHeld makes the held deliveries due now, their ticket and note
// fields rendered again under the settings now loaded: they were decided
// with the values the PSA stopped backing (a PSA that keys a queue by
// its name would refuse the old one). Company, contact, contract and
// group stay as routing decided them, so each stays on its ticket link.
func (dl *deliverer) resumeHeld(ctx context.Context) error {
	now := dl.cfg.Now()
	for id := range dl.drift.told {
		d, err := dl.st.Delivery(ctx, id)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read held delivery %d: %w", id, err)
		}
		if d.State != store.DeliveryPending {
			continue
		}
		if err := dl.redecide(ctx, &d); err != nil {
			return err
		}
		d.NextAttemptAt, d.UpdatedAt = now, now
		if err := dl.st.UpdateDelivery(ctx, d); err != nil {
			return fmt.Errorf("resume held delivery %d: %w", d.ID, err)
		}
	}
	return nil
}

// redecide renders a create or note delivery's fields again under the
// loaded settings; other kinds, and a payload that no longer decodes
// (the round fails it with the decode error), are left as they are.
func (dl *deliverer) redecide(ctx context.Context, d *store.Delivery) error {
	if d.Kind != store.DeliveryCreateTicket && d.Kind != store.DeliveryAddNote {
		return nil
	}
	old, pa, err := decodePayload(*d)
	if err != nil {
		return nil
	}
	a, err := dl.st.AlertBySeq(ctx, d.AlertSeq)
	if err != nil {
		return fmt.Errorf("read alert %d: %w", d.AlertSeq, err)
	}
	fresh := dl.snap.plan.Decide(a, nil, nil)
	if fresh.Skip != nil {
		return nil
	}
	t := fresh.Ticket
	t.CompanyID, t.ContactID, t.ContractID = old.Ticket.CompanyID, old.Ticket.ContactID, old.Ticket.ContractID
	old.Ticket, old.Note = t, fresh.Note
	if d.Payload, err = encodePayload(pa, old); err != nil {
		return err
	}
	return nil
}
