package connectwise

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

type noteWire struct {
	ID                    int64  `json:"id"`
	Text                  string `json:"text"`
	DetailDescriptionFlag bool   `json:"detailDescriptionFlag"`
	InternalAnalysisFlag  bool   `json:"internalAnalysisFlag"`
	DateCreated           string `json:"dateCreated"`
	Info                  info   `json:"_info"`
}

// noteBody is the ServiceNote create request. processNotifications is off:
// a note per alert would otherwise mail the ticket's contact every time.
type noteBody struct {
	Text                  string `json:"text"`
	DetailDescriptionFlag bool   `json:"detailDescriptionFlag"`
	InternalAnalysisFlag  bool   `json:"internalAnalysisFlag"`
	ResolutionFlag        bool   `json:"resolutionFlag"`
	ProcessNotifications  bool   `json:"processNotifications"`
}

// AddNote adds a service note. External notes are Discussion notes
// (detailDescriptionFlag), anything else is Internal Analysis, the safe
// side for security alerts. ConnectWise notes have no title: it becomes
// the text's first line, followed by a blank line.
func (c *Connector) AddNote(ctx context.Context, ticketID string, n psa.NewNote) (string, error) {
	tid, err := parseID("ticket", ticketID)
	if err != nil {
		return "", err
	}
	if n.Type != "" && n.Type != NoteTypeID {
		return "", &psa.Error{Class: psa.Permanent,
			Message: fmt.Sprintf("unknown note type %q: ConnectWise notes have no types, use %q (%s)", n.Type, NoteTypeID, NoteTypeLabel)}
	}
	external := n.Visibility == psa.VisibilityExternal
	body := noteBody{
		Text:                  noteText(n.Title, n.Description),
		DetailDescriptionFlag: external,
		InternalAnalysisFlag:  !external,
	}
	var res noteWire
	path := fmt.Sprintf("service/tickets/%d/notes", tid)
	if _, err := c.call(ctx, http.MethodPost, path, "notes.create", body, &res); err != nil {
		return "", notFound(err, "ticket "+ticketID)
	}
	if res.ID == 0 {
		return "", &psa.Error{Class: psa.Permanent, Message: "notes.create: answer has no id"}
	}
	return itoa(res.ID), nil
}

// noteText joins title and description; the title is kept to one line so
// splitNote finds it again.
func noteText(title, description string) string {
	title = strings.Join(strings.Fields(title), " ")
	if title == "" {
		return description
	}
	return title + "\n\n" + description
}

// splitNote undoes noteText: the part before the first blank line is the
// title. Line ends are normalised first, as a server may store CRLF.
func splitNote(text string) (title, description string) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if t, d, ok := strings.Cut(text, "\n\n"); ok && !strings.Contains(t, "\n") {
		return t, d
	}
	return "", text
}

// Notes lists a ticket's notes, oldest first. Every note reports the one
// synthetic note type.
func (c *Connector) Notes(ctx context.Context, ticketID string) ([]psa.Note, error) {
	tid, err := parseID("ticket", ticketID)
	if err != nil {
		return nil, err
	}
	path := fmt.Sprintf("service/tickets/%d/notes", tid)
	rows, err := collect[noteWire](ctx, c, path, nil, "notes.list")
	if err != nil {
		return nil, notFound(err, "ticket "+ticketID)
	}
	out := make([]psa.Note, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.note())
	}
	slices.SortStableFunc(out, func(a, b psa.Note) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(numeric(a.ID), numeric(b.ID)))
	})
	return out, nil
}

// note converts the wire form. A note is external only when it is a
// Discussion note and not also Internal Analysis.
func (r noteWire) note() psa.Note {
	vis := psa.VisibilityInternal
	if r.DetailDescriptionFlag && !r.InternalAnalysisFlag {
		vis = psa.VisibilityExternal
	}
	title, desc := splitNote(r.Text)
	created := parseTime(r.DateCreated)
	if created.IsZero() {
		created = r.Info.time("dateEntered")
	}
	return psa.Note{
		ID: itoa(r.ID), Title: title, Description: desc,
		Type: NoteTypeID, Visibility: vis, CreatedAt: created,
	}
}

// numeric orders ids as numbers; unreadable ones sort first.
func numeric(id string) int64 {
	n, _ := strconv.ParseInt(id, 10, 64)
	return n
}
