package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// notesStep sets how an alert joining an open ticket is written: the
// note's type (where the PSA has kinds of notes), its visibility and
// its title.
var notesStep = wizardStep{
	key: "notes", title: "Notes",
	load: func(c *Console, r *http.Request, sess *session, d *draft) (any, error) {
		prof, _ := c.cfg.Profiles.Lookup(d.Settings.PSA)
		_, lacks := prof.Lacks("notes.type")
		page := notesPage{Visibility: d.Settings.Notes.Visibility, Title: d.Settings.Notes.Title}
		if page.Visibility == "" {
			page.Visibility = integration.DefaultVisibility
		}
		if page.Title == "" {
			page.Title = integration.DefaultNoteTitle
		}
		var err error
		if !lacks {
			var lists picklists
			lists, err = c.draftPicklists(r, sess, d)
			f := pickField{Name: "note_type", ID: "note_type", Label: "Note type",
				Required: !slices.Contains(prof.Optional, "notes.type"),
				Hint:     "The PSA's note type for alerts added to an open ticket.",
				Options:  lists.options(psa.FieldNoteType, nil, d.Settings.Notes.Type.String())}
			// A PSA with one kind of note lists none: nothing to choose.
			if f.Required || len(f.Options) > 0 {
				page.NoteType = &f
			}
		}
		return page, err
	},
	read: readNotes,
}

// notesPage is what the notes step shows.
type notesPage struct {
	// NoteType is nil where the PSA has one kind of note.
	NoteType          *pickField
	Visibility, Title string
}

func readNotes(r *http.Request, d *draft) error {
	n := &d.Settings.Notes
	if sent(r, "note_type") {
		takePick(&n.Type, r.PostFormValue("note_type"))
	}
	if sent(r, "title") {
		n.Title = strings.TrimSpace(r.PostFormValue("title"))
	}
	if !sent(r, "visibility") {
		return nil
	}
	switch v := r.PostFormValue("visibility"); v {
	case "internal", "external":
		n.Visibility = v
	default:
		return fmt.Errorf("visibility: choose internal or external")
	}
	return nil
}
