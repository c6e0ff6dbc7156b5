package autotasksim

func noteFields() []field {
	return []field{
		fLong("id").ro(),
		fDate("createDateTime").ro().hook(),
		fInt("createdByContactID").ro().ref("Contact"),
		fInt("creatorResourceID").ro().ref("Resource").hook(),
		fStr("description", 32000).req().hook(),
		fInt("impersonatorCreatorResourceID").ro().ref("Resource"),
		fInt("impersonatorUpdaterResourceID").ro().ref("Resource"),
		fDate("lastActivityDate").ro().hook(),
		fInt("noteType").req().picks(noteTypes()...).hook(),
		fInt("publish").req().picks(pv(1, "All Autotask Users"), pv(2, "Internal Project Team"), pv(4, "Internal & Co-Managed")).hook(),
		fLong("ticketID").req().ref("Ticket").hook(),
		fStr("title", 250).hook(),
	}
}

func noteTypes() []picklistValue {
	return []picklistValue{
		pv(1, "Task Summary"), pv(2, "Task Detail"), pv(3, "Task Notes"),
		pv(13, "Workflow Rule Note").system(), pv(18, "Client Portal Note"),
		pv(99, "RMM Note"), pv(101, "Email Note"),
	}
}

// newTicketNotes builds TicketNotes. It has no collection path of its own:
// notes are created through /Tickets/{id}/Notes and POST /TicketNotes is 404.
func newTicketNotes() *entity {
	e := newEntity("TicketNotes", "TicketNote", 50001, noteFields())
	e.canCreate, e.canUpdate, e.webhooks = true, true, true
	e.rules = noteRules
	e.stamp = noteStamp
	return e
}

func noteRules(s *Sim, w *write) error {
	if w.rec["title"] != nil {
		return nil
	}
	ticket := s.entities["tickets"].rows[asInt(w.rec["ticketID"])]
	if ticket != nil && categoryRules[asInt(ticket["ticketCategory"])].noteTitles {
		return invalid("title is required for notes on tickets in the Security Alert category (ticketID %d)", asInt(w.rec["ticketID"]))
	}
	return nil
}

// noteStamp sets the note's dates and moves its ticket's lastActivityDate.
func noteStamp(s *Sim, w *write) {
	if w.old == nil {
		w.rec["createDateTime"], w.rec["creatorResourceID"] = w.now, w.caller
	}
	w.rec["lastActivityDate"] = w.now
	touchTicket(s, asInt(w.rec["ticketID"]), w.caller, w.now)
}
