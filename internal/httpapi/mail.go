package httpapi

import (
	"net/http"
	"strconv"
	"time"
)

// unmatchedView is an unmatched mail as listed: why it became no alert,
// and enough to find it; the raw message is fetched on its own.
type unmatchedView struct {
	ID         int64     `json:"id"`
	Source     string    `json:"source"`
	ReceivedAt time.Time `json:"received_at"`
	Sender     string    `json:"sender"`
	Subject    string    `json:"subject"`
	MessageID  string    `json:"message_id,omitempty"`
	Reason     string    `json:"reason"`
	Size       int       `json:"size"`
}

// listUnmatchedMail serves GET /api/v1/mail/unmatched?limit=N: the
// tenant's mail that became no alert, newest first.
func (s *server) listUnmatchedMail(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			badRequest(w, "limit must be 1 to 1000", FieldError{"limit", "must be 1 to 1000"})
			return
		}
		limit = n
	}
	mails, err := s.cfg.Store.UnmatchedMails(r.Context(), principalFrom(r.Context()).tenant, limit)
	if err != nil {
		s.internal(w, r, "list unmatched mail", err)
		return
	}
	views := make([]unmatchedView, 0, len(mails))
	for _, m := range mails {
		views = append(views, unmatchedView{ID: m.ID, Source: m.SourceID, ReceivedAt: m.ReceivedAt, Sender: m.Sender,
			Subject: m.Subject, MessageID: m.MessageID, Reason: m.Reason, Size: len(m.Raw)})
	}
	ok(w, http.StatusOK, map[string]any{"unmatched": views})
}
