package syncrosim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

func jsonObject(raw json.RawMessage, v any) error { return json.Unmarshal(raw, v) }

// json renders a comment. do_not_email is never echoed.
func (c Comment) json() map[string]any {
	return map[string]any{
		"id": c.ID, "ticket_id": c.TicketID, "subject": c.Subject, "body": c.Body, "tech": c.Tech,
		"hidden": c.Hidden, "user_id": nullID(c.UserID), "is_rich_text": false,
		"created_at": c.CreatedAt.Format(timeFormat), "updated_at": c.UpdatedAt.Format(timeFormat),
	}
}

// commentIn is a comment as a request carries it.
type commentIn struct {
	Subject    string `json:"subject"`
	Body       string `json:"body"`
	Hidden     bool   `json:"hidden"`
	DoNotEmail bool   `json:"do_not_email"`
	Tech       string `json:"tech"`
}

// newComment validates a comment: subject and body are required.
func (s *Sim) newComment(in commentIn, tok Token, now time.Time) (Comment, []string) {
	var msgs []string
	if strings.TrimSpace(in.Body) == "" {
		msgs = append(msgs, "Body can't be blank")
	}
	if strings.TrimSpace(in.Subject) == "" {
		msgs = append(msgs, "Subject can't be blank")
	}
	tech := in.Tech
	if tech == "" {
		u, _ := s.t.user(tok.UserID)
		tech = u.Name
	}
	return Comment{UserID: tok.UserID, Subject: in.Subject, Body: in.Body, Tech: tech, Hidden: in.Hidden,
		DoNotEmail: in.DoNotEmail, CreatedAt: now, UpdatedAt: now}, msgs
}

// initialComments reads comments_attributes of a create. Callers hold mu.
func (s *Sim) initialComments(b body, tok Token, now time.Time) ([]Comment, []string) {
	if !b.has("comments_attributes") {
		return nil, nil
	}
	var ins []commentIn
	if err := json.Unmarshal(b["comments_attributes"], &ins); err != nil {
		return nil, []string{"Comments is invalid"}
	}
	var out []Comment
	var msgs []string
	for _, in := range ins {
		c, m := s.newComment(in, tok, now)
		out, msgs = append(out, c), append(msgs, m...)
	}
	return out, msgs
}

// subjectStatus is the UI's update types that move a ticket's status.
var subjectStatus = map[string]string{"Diagnosis": "In Progress", "Parts Arrival": "In Progress", "Parts Order": "Waiting for Parts"}

// addComment answers POST /tickets/{id}/comment.
func (s *Sim) addComment(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	var in commentIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"success": false, "message": []string{"Body can't be blank", "Subject can't be blank"}})
		return
	}
	tok := tokenOf(r)
	now := stamp(s.opt.Now())
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.t.ticket(id)
	if t == nil || !visible(tok, t.CustomerID) {
		notFound(w)
		return
	}
	c, msgs := s.newComment(in, tok, now)
	if len(msgs) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"success": false, "message": msgs})
		return
	}
	c.ID, c.TicketID = s.t.nextComment, t.ID
	s.t.nextComment++
	t.Comments = append(t.Comments, c)
	t.UpdatedAt = now
	if st, ok := subjectStatus[c.Subject]; ok && s.opt.CommentSubjectStatus {
		before := t.Status
		t.Status = st
		s.statusChanged(t, before, now)
	}
	writeJSON(w, http.StatusOK, map[string]any{"comment": c.json()})
}

// listComments answers GET /tickets/{id}/comments: sort_by created_at or
// updated_at, sort_direction ASC or DESC, created_/updated_ after and
// before, page and per_page (default 10).
func (s *Sim) listComments(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	q := r.URL.Query()
	perPage, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || perPage < 1 {
		perPage = DefaultCommentsPerPage
	}
	perPage = min(perPage, 100)
	s.mu.Lock()
	t := s.t.ticket(id)
	if t == nil || !visible(tokenOf(r), t.CustomerID) {
		s.mu.Unlock()
		notFound(w)
		return
	}
	list := slices.Clone(t.Comments)
	users := map[int64]string{}
	for _, u := range s.t.users {
		users[u.ID] = u.Name
	}
	s.mu.Unlock()
	key := func(c Comment) time.Time { return c.CreatedAt }
	if q.Get("sort_by") == "updated_at" {
		key = func(c Comment) time.Time { return c.UpdatedAt }
	}
	list = slices.DeleteFunc(list, func(c Comment) bool { return !inRange(q.Get, c) })
	slices.SortStableFunc(list, func(a, b Comment) int {
		if c := key(a).Compare(key(b)); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	if strings.EqualFold(q.Get("sort_direction"), "DESC") {
		slices.Reverse(list)
	}
	out := make([]map[string]any, 0, len(list))
	for _, c := range list {
		m := c.json()
		m["user"] = map[string]any{"id": c.UserID, "full_name": users[c.UserID]}
		out = append(out, m)
	}
	listPage(w, r, "comments", out, perPage)
}

func inRange(get func(string) string, c Comment) bool {
	for _, f := range []struct {
		key   string
		at    time.Time
		after bool
	}{{"created_after", c.CreatedAt, true}, {"created_before", c.CreatedAt, false}, {"updated_after", c.UpdatedAt, true}, {"updated_before", c.UpdatedAt, false}} {
		v, ok := parseTime(get(f.key))
		if ok && ((f.after && f.at.Before(v)) || (!f.after && f.at.After(v))) {
			return false
		}
	}
	return true
}
