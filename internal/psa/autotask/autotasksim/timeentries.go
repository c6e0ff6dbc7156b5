package autotasksim

// TimeEntries is kept minimal: enough for a technician's time on a ticket
// to exist, so "touched by a human" can be tested. Task time entries, the
// billing approval fields and the hours arithmetic of live Autotask are not
// simulated.

func timeEntryFields() []field {
	return []field{
		fLong("id").ro(),
		fInt("billingCodeID").ref("BillingCode"),
		fInt("contractID").ref("Contract"),
		fDate("createDateTime").ro(),
		fInt("creatorUserID").ro().ref("Resource"),
		fDate("dateWorked").req(),
		fDate("endDateTime"),
		fDec("hoursToBill"),
		fDec("hoursWorked"),
		fStr("internalNotes", 8000),
		fBool("isNonBillable"),
		fDate("lastModifiedDateTime").ro(),
		fInt("resourceID").req().ref("Resource"),
		fInt("roleID"),
		fDate("startDateTime"),
		fStr("summaryNotes", 8000).req(),
		fInt("taskID").ref("Task"),
		fInt("ticketID").ref("Ticket"),
	}
}

func newTimeEntries() *entity {
	e := newEntity("TimeEntries", "TimeEntry", 90001, timeEntryFields())
	e.canCreate, e.canUpdate = true, true
	e.rootPath, e.rootWrite = true, true
	e.rules = timeEntryRules
	e.stamp = func(_ *Sim, w *write) {
		if w.old == nil {
			w.rec["createDateTime"], w.rec["creatorUserID"] = w.now, w.caller
		}
		w.rec["lastModifiedDateTime"] = w.now
	}
	// Time worked on a ticket is activity on it, like a note: it moves
	// lastActivityDate but not lastTrackedModificationDateTime.
	e.after = func(s *Sim, w *write) {
		if t := w.rec["ticketID"]; t != nil {
			touchTicket(s, asInt(t), w.caller, w.now)
		}
	}
	return e
}

func timeEntryRules(_ *Sim, w *write) error {
	r := w.rec
	switch {
	case r["ticketID"] == nil && r["taskID"] == nil:
		return invalid("A time entry must reference a ticketID or a taskID.")
	case r["ticketID"] != nil && r["roleID"] == nil:
		return invalid("TimeEntries for Tickets must have a roleID.")
	case r["hoursWorked"] == nil:
		return invalid("Missing Required Field: hoursWorked")
	}
	if h, _ := r["hoursWorked"].(float64); h <= 0 || h > 24 {
		return invalid("hoursWorked must be more than 0 and at most 24, got %s", formatValue(r["hoursWorked"]))
	}
	return nil
}
