package connectwisesim

import "time"

// createNote serves POST /service/tickets/{id}/notes. A note changes its
// ticket: the ticket's _info.lastUpdated moves and callbacks fire.
func (s *Sim) createNote(c *call) {
	sc := scope{table: tNotes, parent: tTickets, parentField: "ticketId"}
	rec := s.save(c, saveSpec{
		sc:    sc,
		build: func(in *input, _ obj) (obj, error) { return s.buildNote(c, in) },
		after: func(rec, _ obj) {
			if t := s.tables[tTickets].rows[asInt(rec["ticketId"])]; t != nil {
				touch(t, s.now(), c.member.Identifier)
			}
		},
	})
	if rec == nil {
		return
	}
	s.mu.Lock()
	ticket := s.tables[tTickets].rows[asInt(rec["ticketId"])]
	s.mu.Unlock()
	if ticket != nil {
		s.fire(c, "ticket", "updated", ticket)
	}
}

// buildNote validates a note. Callers hold s.mu.
func (s *Sim) buildNote(c *call, in *input) (obj, error) {
	n := noteText{
		detail:     in.boolean("detailDescriptionFlag", false),
		internal:   in.boolean("internalAnalysisFlag", false),
		resolution: in.boolean("resolutionFlag", false),
	}
	if text, ok := in.str("text", 0, true).(string); ok {
		n.text = text
	}
	if !n.detail && !n.internal && !n.resolution && !s.opts.AllowFlaglessNotes {
		in.fail(codeInvalidField, "detailDescriptionFlag",
			"At least one of detailDescriptionFlag, internalAnalysisFlag or resolutionFlag must be true.")
	}
	contact := in.resolve("contact", s.tables[tContacts], false, nil, "")
	if len(in.errs) > 0 {
		return nil, invalidObject("serviceNote", in.errs)
	}
	o := s.noteRecord(c.ids[0], n, c.member, contact, s.now())
	o["customerUpdatedFlag"] = in.boolean("customerUpdatedFlag", false)
	o["processNotifications"] = in.boolean("processNotifications", true)
	o["issueFlag"] = in.boolean("issueFlag", false)
	return o, nil
}

// noteRecord builds a note. A note written for a contact carries the
// contact and no member (reported for customer-authored notes, unverified).
func (s *Sim) noteRecord(ticketID int64, n noteText, m Member, contact obj, now time.Time) obj {
	o := obj{
		"ticketId": ticketID, "text": n.text,
		"detailDescriptionFlag": n.detail, "internalAnalysisFlag": n.internal, "resolutionFlag": n.resolution,
		"issueFlag": false, "member": nil, "contact": nil, "customerUpdatedFlag": false, "processNotifications": true,
		"dateCreated": now, "createdBy": m.Identifier,
		// internalFlag/externalFlag are read-only summaries of the type flags.
		"internalFlag": n.internal, "externalFlag": n.detail || n.resolution,
	}
	if contact != nil {
		o["contact"] = s.tables[tContacts].ref(asInt(contact["id"]))
	} else {
		o["member"] = s.tables[tMembers].ref(int64(m.MemberID))
	}
	return o
}

// insertNote stores a note outside a note request (a ticket's initial
// description). Callers hold s.mu.
func (s *Sim) insertNote(ticketID int64, n noteText, m Member, contact obj, now time.Time) {
	o := s.noteRecord(ticketID, n, m, contact, now)
	t := s.tables[tNotes]
	o["id"] = t.nextID()
	o["_info"] = info(now, m.Identifier)
	t.insert(o)
}
