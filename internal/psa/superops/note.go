package superops

import (
	"context"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// Notes have no title: ours is the content's first paragraph, the text
// the rest.
const titleSep = "\n\n"

func noteContent(n psa.NewNote) string {
	if n.Title == "" {
		return n.Description
	}
	return n.Title + titleSep + n.Description
}

func splitContent(content string) (title, text string) {
	if t, rest, ok := strings.Cut(content, titleSep); ok && !strings.Contains(t, "\n") {
		return t, rest
	}
	return "", content
}

var privacy = map[psa.Visibility]string{psa.VisibilityInternal: "PRIVATE", psa.VisibilityExternal: "PUBLIC"}

// AddNote adds a note with createNote (createTicketNote is deprecated);
// internal notes are PRIVATE, external ones PUBLIC (shown to the
// requester, no mail sent).
func (c *Connector) AddNote(ctx context.Context, ticketID string, n psa.NewNote) (string, error) {
	p := privacy[n.Visibility]
	if p == "" {
		p = "PRIVATE"
	}
	in := map[string]any{"workItem": map[string]any{"workId": ticketID, "module": "TICKET"}, "content": noteContent(n), "privacyType": p}
	var a struct {
		Note *struct {
			NoteID string `json:"noteId"`
		} `json:"createNote"`
	}
	if err := c.do(ctx, "note.create", docCreateNote, map[string]any{"input": in}, true, &a); err != nil {
		return "", err
	}
	if a.Note == nil || a.Note.NoteID == "" {
		return "", &psa.Error{Class: psa.Retryable, Status: 200, Message: "superops note.create: no note in the answer"}
	}
	return a.Note.NoteID, nil
}

// Notes lists a ticket's notes in SuperOps' order, oldest first.
func (c *Connector) Notes(ctx context.Context, ticketID string) ([]psa.Note, error) {
	var a struct {
		Notes []struct {
			NoteID      string `json:"noteId"`
			Content     string `json:"content"`
			PrivacyType string `json:"privacyType"`
			AddedOn     string `json:"addedOn"`
		} `json:"getTicketNoteList"`
	}
	if err := c.do(ctx, "note.list", docNotes, map[string]any{"input": map[string]any{"ticketId": ticketID}}, false, &a); err != nil {
		return nil, err
	}
	out := make([]psa.Note, 0, len(a.Notes))
	for _, n := range a.Notes {
		title, text := splitContent(n.Content)
		v := psa.VisibilityInternal
		if n.PrivacyType == "PUBLIC" {
			v = psa.VisibilityExternal
		}
		at, _ := parseTime(n.AddedOn)
		out = append(out, psa.Note{ID: n.NoteID, Title: title, Description: text, Type: NoteTypeID, Visibility: v, CreatedAt: at})
	}
	return out, nil
}
