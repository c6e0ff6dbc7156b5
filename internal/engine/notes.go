package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// MaxNoteChars keeps a coalesced note under the tightest note size of the
// PSA drivers, with room for the separators; a drivers test holds every
// profile's note limit above it.
const MaxNoteChars = 30000

// pendingNote is a note delivery with its decoded decision.
type pendingNote struct {
	d   store.Delivery
	dec rules.Decision
	key string // alert key, whose marker line is in the note body
	// received is when the alert arrived; zero in payloads from before
	// it was kept.
	received time.Time
}

// addNotes writes every pending note of an open link. Under a storm many
// alerts of one group wait together; they go out as one note (or as few
// as the size limit allows), not one call each.
func (dl *deliverer) addNotes(ctx context.Context, link store.TicketLink, prefetched map[string]psa.Ticket) error {
	ds, err := dl.st.PendingNotes(ctx, link.ID)
	if err != nil || len(ds) == 0 {
		return err
	}
	now := dl.cfg.Now()
	for _, d := range ds {
		if d.Attempts > 0 && d.NextAttemptAt.After(now) {
			return nil // the link is backing off; do not hammer the PSA
		}
	}
	t, ok := prefetched[link.PSATicketID]
	if !ok {
		var err error
		if t, err = dl.snap.conn.Ticket(ctx, link.PSATicketID); errors.Is(err, psa.ErrNotFound) {
			return dl.endDeleted(ctx, link)
		} else if err != nil {
			return dl.fail(ctx, ds, fmt.Errorf("read ticket %s: %w", link.TicketNumber, err))
		}
	}
	if dl.snap.isClosed(t) {
		return dl.reopenGroup(ctx, link, t.Status, endedClosed, ds, dl.snap.plan.ReopenWithin > 0)
	}
	notes := make([]pendingNote, 0, len(ds))
	for _, d := range ds {
		dec, pa, err := decodePayload(d)
		if err != nil {
			if ferr := dl.fail(ctx, []store.Delivery{d}, &psa.Error{Class: psa.Permanent, Message: err.Error()}); ferr != nil {
				return ferr
			}
			continue
		}
		notes = append(notes, pendingNote{d, dec, pa.Key, pa.ReceivedAt})
	}
	notes, err = dl.dropWritten(ctx, link, notes)
	if err != nil {
		return err
	}
	for _, chunk := range chunkNotes(notes) {
		if gone, err := dl.writeNote(ctx, link, chunk); err != nil || gone {
			return err
		}
	}
	return nil
}

// dropWritten finds notes a crashed earlier attempt already added (their
// alert marker is in the ticket) and records them as done, so a restart
// never writes the same alert twice.
func (dl *deliverer) dropWritten(ctx context.Context, link store.TicketLink, notes []pendingNote) ([]pendingNote, error) {
	retried := false
	for _, n := range notes {
		retried = retried || n.d.Attempts > 0
	}
	if !retried {
		return notes, nil
	}
	existing, err := dl.snap.conn.Notes(ctx, link.PSATicketID)
	if err != nil {
		ds := make([]store.Delivery, len(notes))
		for i, n := range notes {
			ds[i] = n.d
		}
		return nil, dl.fail(ctx, ds, fmt.Errorf("list notes of ticket %s: %w", link.TicketNumber, err))
	}
	var keep []pendingNote
	for _, n := range notes {
		if id := findMarker(existing, n); id != "" {
			if err := dl.recordNote(ctx, link, []pendingNote{n}, id, "found after restart"); err != nil {
				return nil, err
			}
			continue
		}
		keep = append(keep, n)
	}
	return keep, nil
}

func findMarker(existing []psa.Note, n pendingNote) string {
	for _, e := range existing {
		if rules.HasAlertMarker(e.Description, n.key) {
			return e.ID
		}
	}
	return ""
}

func chunkNotes(notes []pendingNote) [][]pendingNote {
	var chunks [][]pendingNote
	var cur []pendingNote
	size := 0
	for _, n := range notes {
		l := len(n.dec.Note.Description) + 8
		if len(cur) > 0 && size+l > MaxNoteChars {
			chunks = append(chunks, cur)
			cur, size = nil, 0
		}
		cur = append(cur, n)
		size += l
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	return chunks
}

func composeNote(chunk []pendingNote) psa.NewNote {
	n := chunk[0].dec.Note
	if len(chunk) == 1 {
		return n
	}
	bodies := make([]string, len(chunk))
	for i, c := range chunk {
		bodies[i] = c.dec.Note.Description
	}
	n.Title = truncate(fmt.Sprintf("%s (+%d more alerts)", n.Title, len(chunk)-1), 250)
	n.Description = strings.Join(bodies, "\n\n----------\n\n")
	return n
}

// writeNote adds one chunk of notes. It reports gone when the ticket
// turned out to be deleted in the PSA: its group then moved every waiting
// note (this chunk's and the rest) to a new ticket.
func (dl *deliverer) writeNote(ctx context.Context, link store.TicketLink, chunk []pendingNote) (gone bool, err error) {
	ds := make([]store.Delivery, len(chunk))
	for i, c := range chunk {
		ds[i] = c.d
	}
	if err := dl.startAttempt(ctx, ds); err != nil {
		return false, err
	}
	for i := range chunk {
		chunk[i].d = ds[i]
	}
	id, err := dl.snap.conn.AddNote(ctx, link.PSATicketID, composeNote(chunk))
	if err != nil && ticketGone(ctx, dl.snap.conn, link.PSATicketID, err) {
		return true, dl.endDeleted(ctx, link)
	}
	if err != nil {
		return false, dl.fail(ctx, ds, fmt.Errorf("add note to ticket %s: %w", link.TicketNumber, err))
	}
	how := "group open"
	if len(chunk) > 1 {
		how = fmt.Sprintf("group open; coalesced with %d other alerts", len(chunk)-1)
	}
	return false, dl.recordNote(ctx, link, chunk, id, how)
}

func (dl *deliverer) recordNote(ctx context.Context, link store.TicketLink, chunk []pendingNote, noteID, how string) error {
	now := dl.cfg.Now()
	err := dl.st.InTx(ctx, func(q store.Queries) error {
		for _, c := range chunk {
			d := c.d
			d.State, d.Result, d.LastError, d.CompletedAt, d.UpdatedAt = store.DeliveryDone, noteID, "", &now, now
			if err := q.UpdateDelivery(ctx, d); err != nil {
				return err
			}
			if err := q.AppendTimeline(ctx, store.TimelineEntry{
				TenantID: d.TenantID, AlertSeq: d.AlertSeq, IntegrationID: dl.id, At: now, Event: "note_added",
				Detail: fmt.Sprintf("added as note %s to ticket %s: %s", noteID, link.TicketNumber, how),
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record note %s: %w", noteID, err)
	}
	for _, c := range chunk {
		dl.observeDone(ctx, c.d, c.received, "ok")
	}
	return nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// ErrSimulatedCrash is what an AfterCreate test hook returns to stop a
// delivery between the PSA write and the store write.
var ErrSimulatedCrash = errors.New("engine: simulated crash")
