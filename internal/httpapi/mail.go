package httpapi

import (
	"net/http"
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
	limit, bad := limitParam(r.URL.Query(), 100, 1000)
	if bad != nil {
		badRequest(w, "invalid query parameters", *bad)
		return
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
