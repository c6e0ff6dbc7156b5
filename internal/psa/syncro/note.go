package syncro

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// defaultSubject is a comment's subject when a note has no title: one of
// Syncro's update types that changes no status.
const defaultSubject = "Update"

// AddNote posts a comment: the title is its subject, the text its body.
// Internal notes are hidden; external ones are public but never emailed.
func (c *Connector) AddNote(ctx context.Context, ticketID string, n psa.NewNote) (string, error) {
	subject := strings.TrimSpace(n.Title)
	if subject == "" {
		subject = defaultSubject
	}
	body := n.Description
	if strings.TrimSpace(body) == "" {
		body = subject // Syncro refuses a comment without a body
	}
	in := commentIn{Subject: subject, Body: body, Hidden: n.Visibility != psa.VisibilityExternal, DoNotEmail: true}
	var out struct {
		Comment struct {
			ID int64 `json:"id"`
		} `json:"comment"`
	}
	if err := c.call(ctx, http.MethodPost, "/tickets/"+url.PathEscape(ticketID)+"/comment", nil, "comments.create", in, &out); err != nil {
		return "", err
	}
	if out.Comment.ID == 0 {
		return "", &psa.Error{Class: psa.Retryable, Message: "comments.create: answer without a comment id (the note may have been added; a retry checks first)"}
	}
	return strconv.FormatInt(out.Comment.ID, 10), nil
}

type wireComment struct {
	ID        int64  `json:"id"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	Hidden    bool   `json:"hidden"`
	CreatedAt string `json:"created_at"`
}

// notesPerPage is asked of the comments list (default 10).
const notesPerPage = 100

// Notes lists a ticket's comments oldest first, leaving out the first
// one when it is the description (subject "Initial Issue").
func (c *Connector) Notes(ctx context.Context, ticketID string) ([]psa.Note, error) {
	var out []psa.Note
	first := true
	err := pages(ctx, func(ctx context.Context, n int) (int, meta, error) {
		var page struct {
			Comments []wireComment `json:"comments"`
			Meta     meta          `json:"meta"`
		}
		q := url.Values{"sort_by": {"created_at"}, "sort_direction": {"ASC"}, "per_page": {strconv.Itoa(notesPerPage)}, "page": {strconv.Itoa(n)}}
		if err := c.call(ctx, http.MethodGet, "/tickets/"+url.PathEscape(ticketID)+"/comments", q, "comments.list", nil, &page); err != nil {
			return 0, meta{}, err
		}
		for _, w := range page.Comments {
			if first && w.Subject == initialSubject {
				first = false
				continue
			}
			first = false
			out = append(out, w.note())
		}
		return len(page.Comments), page.Meta, nil
	})
	return out, err
}

func (w wireComment) note() psa.Note {
	n := psa.Note{ID: strconv.FormatInt(w.ID, 10), Title: w.Subject, Description: w.Body, Type: NoteTypeID, Visibility: psa.VisibilityExternal}
	if w.Hidden {
		n.Visibility = psa.VisibilityInternal
	}
	if at, err := time.Parse(time.RFC3339Nano, w.CreatedAt); err == nil {
		n.CreatedAt = at.UTC()
	}
	return n
}
