package autotasksim

import (
	"fmt"
	"strings"
)

// TicketHistory is Autotask's read-only audit of ticket changes
// (TicketHistoryModel: action, date, detail, resourceID, ticketID). It is
// how a client tells who changed a ticket's status when the ticket record
// only names whoever touched it last.
//
// The wording of action and detail on a live tenant is not recorded
// anywhere we could find; the simulator writes action "Create" or "Edit"
// and a detail such as "Status: New -> In Progress". Clients should match
// loosely (the field's label appears in the detail).

func historyFields() []field {
	return []field{
		fLong("id").ro(),
		fStr("action", 100).ro(),
		fDate("date").ro(),
		fStr("detail", 8000).ro(),
		fInt("resourceID").ro().ref("Resource"),
		fInt("ticketID").ro().ref("Ticket"),
	}
}

func newTicketHistory() *entity {
	e := newEntity("TicketHistory", "TicketHistory", 1, historyFields())
	e.rootPath = true
	return e
}

// recordHistory appends the audit rows of a ticket write: one for a create,
// one per changed writable field for an update.
func (s *Sim) recordHistory(w *write, changed map[string]bool) {
	h := s.entities["tickethistory"]
	add := func(action, detail string) {
		h.lastID++
		h.insert(h.lastID, record{
			"action": action, "date": w.now, "detail": detail,
			"resourceID": w.caller, "ticketID": w.rec["id"],
		})
	}
	if w.old == nil {
		add("Create", "Ticket created")
		return
	}
	for _, f := range w.ent.fields {
		if f.IsReadOnly || !changed[f.Name] {
			continue
		}
		add("Edit", fmt.Sprintf("%s: %s -> %s", pascal(f.Name), historyValue(&f, w.old[f.Name]), historyValue(&f, w.rec[f.Name])))
	}
}

// historyValue shows a picklist value by its label, as the Autotask UI does.
func historyValue(f *field, v any) string {
	if v == nil {
		return "(none)"
	}
	if p, ok := f.picklistEntry(v); ok && f.IsPickList {
		return p.Label
	}
	return formatValue(v)
}

// pascal turns a camelCase field name into the PascalCase Autotask uses in
// webhook payloads and history ("status" → "Status").
func pascal(name string) string {
	if name == "" {
		return name
	}
	return strings.ToUpper(name[:1]) + name[1:]
}
