package servicenow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// AddNote implements psa.Connector with one PATCH of the ticket's
// work_notes (internal) or comments (external). The PATCH answers with
// the ticket, not the journal entry, so the note's id is derived from
// what identifies the entry (ticket, field, text), the same way Notes
// derives it from sys_journal_field: a second read per note would double
// the calls of a storm. Two identical texts on one ticket share an id,
// which recovery, the id's only reader, does not mind: it matches notes
// by the alert marker in their text.
func (c *Connector) AddNote(ctx context.Context, ticketID string, n psa.NewNote) (string, error) {
	if !isSysID(ticketID) {
		return "", psa.ErrNotFound
	}
	if n.Type != "" && n.Type != NoteTypeID {
		return "", permanent("unknown note type %q: ServiceNow journal entries have no type, use %q (%s)", n.Type, NoteTypeID, NoteTypeLabel)
	}
	element := journalField(n.Visibility)
	text := noteText(n.Title, n.Description)
	q := url.Values{"sysparm_fields": {"sys_id"}}
	if err := c.call(ctx, http.MethodPatch, c.table.name+"/"+ticketID, q, map[string]string{element: text}, nil, "note.create"); err != nil {
		return "", notFound(err, "ticket "+ticketID)
	}
	return noteID(ticketID, element, text), nil
}

// journalField is where a note of the visibility goes: external notes
// are customer-visible comments, anything else a work note (the safe side
// for security alerts).
func journalField(v psa.Visibility) string {
	if v == psa.VisibilityExternal {
		return "comments"
	}
	return "work_notes"
}

// noteText joins title and description: the title is kept to one line,
// then a blank line, so splitNote finds it again.
func noteText(title, description string) string {
	title = strings.Join(strings.Fields(title), " ")
	if title == "" {
		return description
	}
	return title + "\n\n" + description
}

// splitNote is noteText's inverse; text without a blank line after a
// single first line has no title.
func splitNote(text string) (title, description string) {
	head, rest, ok := strings.Cut(text, "\n\n")
	if !ok || strings.Contains(head, "\n") {
		return "", text
	}
	return head, rest
}

// noteID identifies a journal entry by its ticket, field and text.
func noteID(ticketID, element, text string) string {
	sum := sha256.Sum256([]byte(ticketID + "\x00" + element + "\x00" + strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))))
	return "j" + hex.EncodeToString(sum[:12])
}

// Notes implements psa.Connector from sys_journal_field, oldest first.
func (c *Connector) Notes(ctx context.Context, ticketID string) ([]psa.Note, error) {
	if !isSysID(ticketID) {
		return nil, psa.ErrNotFound
	}
	rows, err := list[row](ctx, c, "sys_journal_field", url.Values{
		"sysparm_query":  {"element_id=" + ticketID + "^elementINcomments,work_notes^ORDERBYsys_created_on"},
		"sysparm_fields": {fields("sys_id", "element", "value", "sys_created_on", "sys_created_by")},
	}, 500, "note.query")
	if err != nil {
		return nil, err
	}
	out := make([]psa.Note, 0, len(rows))
	for _, r := range rows {
		vis := psa.VisibilityInternal
		if r.get("element") == "comments" {
			vis = psa.VisibilityExternal
		}
		title, desc := splitNote(r.get("value"))
		out = append(out, psa.Note{ID: noteID(ticketID, r.get("element"), r.get("value")), Title: title, Description: desc,
			Type: NoteTypeID, Visibility: vis, CreatedAt: parseTime(r.get("sys_created_on"))})
	}
	return out, nil
}

// TicketActivity implements psa.ActivityReader: a journal entry or a
// state change (sys_audit) by anyone but the integration user. The
// integration user is connection.username, or for a refresh-token OAuth
// client whose user is not configured, whoever created the ticket.
func (c *Connector) TicketActivity(ctx context.Context, ticketID string) (psa.TicketActivity, error) {
	if !isSysID(ticketID) {
		return psa.TicketActivity{}, psa.ErrNotFound
	}
	us, err := c.apiUser(ctx, ticketID)
	if err != nil {
		return psa.TicketActivity{}, err
	}
	var notes []row
	if err := c.call(ctx, http.MethodGet, "sys_journal_field", url.Values{
		"sysparm_query":  {"element_id=" + ticketID + "^elementINcomments,work_notes^sys_created_by!=" + us + "^ORDERBYsys_created_on"},
		"sysparm_fields": {fields("element", "sys_created_on", "sys_created_by")}, "sysparm_limit": {"1"},
	}, nil, &notes, "note.query"); err != nil {
		return psa.TicketActivity{}, err
	}
	if len(notes) > 0 {
		n := notes[0]
		return psa.TicketActivity{TouchedByOthers: true, Detail: fmt.Sprintf("%s by %s at %s UTC",
			strings.ReplaceAll(n.get("element"), "_", " "), n.get("sys_created_by"), n.get("sys_created_on"))}, nil
	}
	var changes []row
	if err := c.call(ctx, http.MethodGet, "sys_audit", url.Values{
		"sysparm_query":  {"documentkey=" + ticketID + "^fieldname=state^sys_created_by!=" + us + "^ORDERBYsys_created_on"},
		"sysparm_fields": {fields("newvalue", "sys_created_on", "sys_created_by")}, "sysparm_limit": {"1"},
	}, nil, &changes, "audit.query"); err != nil {
		return psa.TicketActivity{}, err
	}
	if len(changes) > 0 {
		a := changes[0]
		return psa.TicketActivity{TouchedByOthers: true, Detail: fmt.Sprintf("state set to %s by %s at %s UTC",
			a.get("newvalue"), a.get("sys_created_by"), a.get("sys_created_on"))}, nil
	}
	return psa.TicketActivity{}, nil
}

// apiUser is the integration user's user_name.
func (c *Connector) apiUser(ctx context.Context, ticketID string) (string, error) {
	if c.cfg.Username != "" {
		return c.cfg.Username, nil
	}
	var r row
	if err := c.call(ctx, http.MethodGet, c.table.name+"/"+ticketID, url.Values{"sysparm_fields": {"sys_created_by"}}, nil, &r, "ticket.get"); err != nil {
		return "", notFound(err, "ticket "+ticketID)
	}
	return r.get("sys_created_by"), nil
}
