package autotask

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// Note field lengths Autotask enforces.
const (
	maxNoteTitle       = 250
	maxNoteDescription = 32000
)

type noteWire struct {
	ID          flexString `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	NoteType    flexString `json:"noteType"`
	Publish     flexString `json:"publish"`
	CreatedAt   wireTime   `json:"createDateTime"`
}

// AddNote adds a note through the ticket's child path (POST /TicketNotes
// does not exist). Visibility maps to the configured publish values;
// anything but external is internal, the safe side for security alerts.
func (c *Connector) AddNote(ctx context.Context, ticketID string, n psa.NewNote) (string, error) {
	tid, err := parseID("ticket", ticketID)
	if err != nil {
		return "", err
	}
	noteType, err := parseID("note type", n.Type)
	if err != nil {
		return "", err
	}
	publish := c.cfg.PublishInternal
	if n.Visibility == psa.VisibilityExternal {
		publish = c.cfg.PublishExternal
	}
	body := map[string]any{
		"ticketID":    tid,
		"title":       cut(n.Title, maxNoteTitle),
		"description": cut(n.Description, maxNoteDescription),
		"noteType":    noteType,
		"publish":     publish,
	}
	var res itemResult
	path := fmt.Sprintf("V1.0/Tickets/%d/Notes", tid)
	if err := c.call(ctx, http.MethodPost, path, "notes.create", body, &res); err != nil {
		return "", notFound(err, "ticket "+ticketID)
	}
	if res.ItemID == "" {
		return "", &psa.Error{Class: psa.Permanent, Message: "notes.create: answer has no itemId"}
	}
	return string(res.ItemID), nil
}

// Notes lists a ticket's notes, oldest first.
func (c *Connector) Notes(ctx context.Context, ticketID string) ([]psa.Note, error) {
	tid, err := parseID("ticket", ticketID)
	if err != nil {
		return nil, err
	}
	path := fmt.Sprintf("V1.0/Tickets/%d/Notes", tid)
	rows, err := collect[noteWire](ctx, c, http.MethodGet, path, "notes.list", nil)
	if err != nil {
		return nil, notFound(err, "ticket "+ticketID)
	}
	out := make([]psa.Note, 0, len(rows))
	external := strconv.Itoa(c.cfg.PublishExternal)
	for _, r := range rows {
		vis := psa.VisibilityInternal
		if string(r.Publish) == external {
			vis = psa.VisibilityExternal
		}
		out = append(out, psa.Note{
			ID:          string(r.ID),
			Title:       r.Title,
			Description: r.Description,
			Type:        string(r.NoteType),
			Visibility:  vis,
			CreatedAt:   time.Time(r.CreatedAt),
		})
	}
	slices.SortStableFunc(out, func(a, b psa.Note) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(numeric(a.ID), numeric(b.ID))
	})
	return out, nil
}

// numeric orders ids as numbers; unreadable ones sort first.
func numeric(id string) int64 {
	n, _ := strconv.ParseInt(id, 10, 64)
	return n
}
