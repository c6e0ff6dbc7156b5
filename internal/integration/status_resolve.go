package integration

import (
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// statusSync resolves both status maps against the PSA's statuses. Where
// statuses belong to a board (where each board has its own), they
// are resolved on ticket.queue's board, the board new tickets go to.
func (r *resolver) statusSync(s *Settings) {
	st := &s.StatusSync
	if !statusMapSet(&st.Issues) && !statusMapSet(&st.Incidents) {
		return
	}
	board, ok := r.statusBoard(&s.Ticket)
	if !ok {
		return
	}
	for _, m := range []struct {
		path string
		sm   *StatusMap
	}{{"status_sync.issues", &st.Issues}, {"status_sync.incidents", &st.Incidents}} {
		for _, f := range m.sm.picks() {
			r.status(m.path+"."+f.key, f.p, board)
		}
		for i := range m.sm.FromPSA {
			e := &m.sm.FromPSA[i]
			r.status(FromPSAPath(m.path, i, *e)+".psa", &e.PSA, board)
		}
	}
}

func statusMapSet(m *StatusMap) bool {
	for _, f := range m.picks() {
		if !f.p.IsZero() {
			return true
		}
	}
	return len(m.FromPSA) > 0
}

// statusBoard returns the board statuses are resolved on: "" when the
// PSA's statuses belong to no board. ok is false when they do and
// ticket.queue names none; a queue that did not resolve is already a
// problem and is not reported twice.
func (r *resolver) statusBoard(t *Ticket) (board string, ok bool) {
	onBoards := false
	for _, v := range r.c.Picklists[psa.FieldStatus] {
		if v.Parent != "" {
			onBoards = true
			break
		}
	}
	switch {
	case !onBoards:
		return "", true
	case t.Queue.ID != "":
		return t.Queue.ID, true
	case t.Queue.IsZero():
		r.ps.add("status_sync", "this PSA's statuses belong to a board: set ticket.queue to the board whose statuses status_sync maps")
	}
	return "", false
}

// status resolves a status pick, on board when it is not "".
func (r *resolver) status(path string, p *Pick, board string) {
	if board == "" {
		r.pick(psa.FieldStatus, path, p, "")
		return
	}
	name := strings.TrimSpace(p.Name)
	if name == "" {
		return
	}
	var inactive, elsewhere *psa.Value
	for _, v := range r.c.Picklists[psa.FieldStatus] {
		if !strings.EqualFold(strings.TrimSpace(v.Label), name) {
			continue
		}
		switch {
		case v.Parent != board:
			elsewhere = &v
		case !v.Active:
			inactive = &v
		default:
			*p = Pick{Name: v.Label, ID: v.ID}
			return
		}
	}
	boardName := r.c.Picklists.Label(psa.FieldQueue, board)
	hint := suggest(name, r.activeLabels(psa.FieldStatus, board), "status")
	switch {
	case inactive != nil:
		r.ps.add(path, "status %q is inactive on board %q (ticket.queue)%s", inactive.Label, boardName, hint)
	case elsewhere != nil:
		r.ps.add(path, "status %q is on board %q, not on %q (ticket.queue)%s", elsewhere.Label,
			r.c.Picklists.Label(psa.FieldQueue, elsewhere.Parent), boardName, hint)
	default:
		r.ps.add(path, "unknown status %q on board %q (ticket.queue)%s", name, boardName, hint)
	}
}
