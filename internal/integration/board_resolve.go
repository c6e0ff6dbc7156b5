package integration

import (
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// boardRef is the queue a value is resolved on and where the settings
// name it ("ticket.queue", "ticket.overrides[alert_type=X].queue").
type boardRef struct {
	queue Pick
	path  string
}

// onBoards reports whether field's values belong to boards: in some PSAs
// statuses and types are per board, and carry the board id as Parent.
func (r *resolver) onBoards(field string) bool {
	for _, v := range r.c.Picklists[field] {
		if v.Parent != "" {
			return true
		}
	}
	return false
}

// onBoard resolves p in field, on board's queue when field's values
// belong to boards, and reports whether p ends up with an id. A board that
// did not resolve is already a problem and is not reported again.
func (r *resolver) onBoard(field, path string, p *Pick, board boardRef) bool {
	if !r.onBoards(field) {
		return r.pick(field, path, p, "")
	}
	name := strings.TrimSpace(p.Name)
	if name == "" {
		return p.ID != ""
	}
	if board.queue.ID == "" {
		return false
	}
	var inactive, elsewhere *psa.Value
	for _, v := range r.c.Picklists[field] {
		if !strings.EqualFold(strings.TrimSpace(v.Label), name) {
			continue
		}
		switch {
		case v.Parent != board.queue.ID:
			elsewhere = &v
		case !v.Active:
			inactive = &v
		default:
			*p = Pick{Name: v.Label, ID: v.ID}
			return true
		}
	}
	r.boardProblem(field, path, name, board, inactive, elsewhere)
	return false
}

// boardProblem reports a name that is not an active value on the board:
// "status "Closed" is not a status of board "Security" (ticket.queue):
// valid statuses are …".
func (r *resolver) boardProblem(field, path, name string, board boardRef, inactive, elsewhere *psa.Value) {
	noun := fieldNouns[field]
	boardName := r.c.Picklists.Label(psa.FieldQueue, board.queue.ID)
	hint := suggest(name, r.activeLabels(field, board.queue.ID), noun)
	switch {
	case inactive != nil:
		r.ps.add(path, "%s %q is inactive on board %q (%s)%s", noun, inactive.Label, boardName, board.path, hint)
	case elsewhere != nil:
		r.ps.add(path, "%s %q is not %s of board %q (%s), it is on board %q%s", noun, elsewhere.Label, article(noun),
			boardName, board.path, r.c.Picklists.Label(psa.FieldQueue, elsewhere.Parent), hint)
	default:
		r.ps.add(path, "%s %q is not %s of board %q (%s)%s", noun, name, article(noun), boardName, board.path, hint)
	}
}

// article prefixes noun with "a" or "an".
func article(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// statusOnOtherBoard checks that an override's board has an active status
// named like the default one: statuses belong to boards, and a ticket sent
// to another board starts in that board's status of the same name.
func (r *resolver) statusOnOtherBoard(path string, status Pick, board boardRef) {
	if !r.onBoards(psa.FieldStatus) || status.ID == "" || board.queue.ID == "" {
		return
	}
	if _, ok := r.c.Picklists.Lookup(psa.FieldStatus, status.Name, board.queue.ID); ok {
		return
	}
	boardName := r.c.Picklists.Label(psa.FieldQueue, board.queue.ID)
	r.ps.add(path, "board %q has no active status %q (ticket.status), which its new tickets would start in: add it to the board in the PSA or choose another board%s",
		boardName, status.Name, suggest(status.Name, r.activeLabels(psa.FieldStatus, board.queue.ID), "status"))
}
