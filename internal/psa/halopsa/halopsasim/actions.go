package halopsasim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// getActions lists a ticket's actions, oldest first.
func (s *Sim) getActions(w http.ResponseWriter, r *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := query(r)
	tid, ok := l.num("ticket_id")
	if !ok {
		s.fail(w, http.StatusBadRequest, "Please specify a ticket_id")
		return
	}
	t := s.ticket(tid)
	if t == nil {
		s.notFound(w, "Ticket", strconv.Itoa(tid))
		return
	}
	var out []action
	for _, a := range t.actions {
		switch {
		case id != "" && strconv.Itoa(a.ID) != id:
		case l.flag("excludesys") && a.system:
		case l.flag("excludeprivate") && a.HiddenFromUser:
		default:
			out = append(out, *a)
		}
	}
	if id != "" {
		answerOne(s, w, id, "Action", out)
		return
	}
	writeList(w, l, "actions", out, 1000)
}

// postActions adds actions (notes) to tickets. new_status changes the
// ticket's status; every action bumps the ticket's times.
func (s *Sim) postActions(w http.ResponseWriter, r *http.Request, c *caller) {
	recs, err := readArray(r)
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	staged := make([]action, len(recs))
	for i, rc := range recs {
		a, code, err := s.stageAction(rc)
		if err != nil {
			s.fail(w, code, err.Error())
			return
		}
		staged[i] = a
	}
	now := s.stamp()
	saved := make([]action, len(staged))
	for i, a := range staged {
		saved[i] = s.saveAction(a, c, now)
	}
	answerSaved(w, saved)
}

// stageAction reads and checks one action record. Callers hold mu.
func (s *Sim) stageAction(rc record) (action, int, error) {
	var a action
	for key, dst := range map[string]*int{"ticket_id": &a.TicketID, "outcome_id": &a.OutcomeID, "new_status": &a.NewStatus, "who_type": &a.WhoType} {
		v, _, err := rc.int(key)
		if err != nil {
			return a, http.StatusBadRequest, err
		}
		*dst = v
	}
	for key, dst := range map[string]*bool{"hiddenfromuser": &a.HiddenFromUser, "sendemail": &a.SendEmail} {
		v, _, err := rc.bool(key)
		if err != nil {
			return a, http.StatusBadRequest, err
		}
		*dst = v
	}
	note, _, err := rc.str("note")
	if err != nil {
		return a, http.StatusBadRequest, err
	}
	if html, ok, err := rc.str("note_html"); err != nil {
		return a, http.StatusBadRequest, err
	} else if ok && note == "" {
		note = html
	}
	a.Note = note
	if a.TimeTaken, _, err = rc.num("timetaken"); err != nil {
		return a, http.StatusBadRequest, err
	}
	if s.ticket(a.TicketID) == nil {
		return a, http.StatusNotFound, badf("Ticket %d not found", a.TicketID)
	}
	name, _, err := rc.str("outcome")
	if err != nil {
		return a, http.StatusBadRequest, err
	}
	i := slices.IndexFunc(s.outcomes, func(o outcome) bool {
		return (a.OutcomeID != 0 && o.ID == a.OutcomeID) || (a.OutcomeID == 0 && name != "" && strings.EqualFold(o.Outcome, name))
	})
	if i < 0 {
		return a, http.StatusBadRequest, badf("Outcome %s is not valid", firstOf(strconv.Itoa(a.OutcomeID), name))
	}
	a.OutcomeID, a.Outcome = s.outcomes[i].ID, s.outcomes[i].Outcome
	if a.NewStatus != 0 && !slices.ContainsFunc(s.statuses, func(x status) bool { return x.ID == a.NewStatus }) {
		return a, http.StatusBadRequest, badf("Status %d is not valid", a.NewStatus)
	}
	return a, 0, nil
}

func firstOf(id, name string) string {
	if name != "" && id == "0" {
		return "'" + name + "'"
	}
	return id
}

// saveAction stores a staged action on its ticket. Callers hold mu.
func (s *Sim) saveAction(a action, c *caller, now time.Time) action {
	t := s.ticket(a.TicketID)
	a.ID = len(t.actions) + 1
	a.WhoAgentID, a.Who, a.DateTime = c.agent, s.agentName(c.agent), haloTime(now)
	stored := &a
	t.actions = append(t.actions, stored)
	t.LastUpdate, t.LastActionDate = haloTime(now), haloTime(now)
	if a.NewStatus != 0 {
		t.StatusID = a.NewStatus
	}
	s.hooks.fire(EventActionAdded, t)
	return a
}
