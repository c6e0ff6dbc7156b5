package connectwisesim

// Time entries: the minimal slice of time/entries the connector reads to
// tell a technician's work on a ticket from ours. An entry is charged to
// a service ticket (chargeToType ServiceTicket, chargeToId the ticket id)
// and belongs to a member, by default the caller.

// chargeToTypes are the documented values of chargeToType.
var chargeToTypes = []string{"ServiceTicket", "ProjectTicket", "ChargeCode", "Activity"}

func (s *Sim) timeEntrySpec(c *call) saveSpec {
	return saveSpec{
		sc:    scope{table: tTimeEntries},
		build: func(in *input, _ obj) (obj, error) { return s.buildTimeEntry(c, in) },
		after: func(rec, _ obj) {
			// Time on a ticket changes its actual hours, so the ticket
			// counts as updated, by the member who logged the time.
			if rec["chargeToType"] == "ServiceTicket" {
				if t := s.tables[tTickets].rows[asInt(rec["chargeToId"])]; t != nil {
					touch(t, s.now(), c.member.Identifier)
				}
			}
		},
	}
}

func (s *Sim) createTimeEntry(c *call) { s.save(c, s.timeEntrySpec(c)) }

// buildTimeEntry validates a time entry: chargeToId, chargeToType and
// timeStart are required; a ServiceTicket charge must name a ticket.
// Callers hold s.mu.
func (s *Sim) buildTimeEntry(c *call, in *input) (obj, error) {
	ts := s.tables
	e := obj{"chargeToType": in.enum("chargeToType", chargeToTypes, "")}
	if e["chargeToType"] == nil && in.raw("chargeToType") == nil {
		in.missing("chargeToType")
	}
	e["chargeToId"] = in.integer("chargeToId")
	switch {
	case e["chargeToId"] == nil && in.raw("chargeToId") == nil:
		in.missing("chargeToId")
	case e["chargeToType"] == "ServiceTicket" && e["chargeToId"] != nil && ts[tTickets].rows[asInt(e["chargeToId"])] == nil:
		in.fail(codeInvalidField, "chargeToId", "Ticket %d was not found.", asInt(e["chargeToId"]))
	}
	member := in.resolve("member", ts[tMembers], false, nil, "")
	if member == nil && in.raw("member") == nil {
		member = ts[tMembers].rows[int64(c.member.MemberID)]
	}
	e["member"] = refOrNil(ts[tMembers], member)
	e["timeStart"], e["timeEnd"] = in.date("timeStart"), in.date("timeEnd")
	if e["timeStart"] == nil && in.raw("timeStart") == nil {
		in.missing("timeStart")
	}
	e["actualHours"] = in.number("actualHours")
	e["notes"] = in.str("notes", 0, false)
	e["billableOption"] = in.enum("billableOption", []string{"Billable", "DoNotBill", "NoCharge", "NoDefault"}, "Billable")
	if len(in.errs) > 0 {
		return nil, invalidObject("timeEntry", in.errs)
	}
	return e, nil
}
