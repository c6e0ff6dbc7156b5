package integration

import "github.com/ticketbridge/ticketbridge/internal/psa"

// Kinds of value a drift finding may stand for besides the picklist
// fields (psa.Field*): a company or a contact the settings name.
const (
	ValueCompany = "company"
	ValueContact = "contact"
)

// DriftValue returns what the setting at path held when apply last
// resolved it: the kind of PSA value (a psa.Field* picklist, ValueCompany
// or ValueContact) and its id. Drift reports it so that only the
// deliveries carrying that id wait; ok is false for settings no single
// ticket field stands for (closed statuses, status maps, contracts,
// company filters), whose drift holds every delivery.
func DriftValue(s Settings, path string) (kind, id string, ok bool) {
	v, found := driftValues(&s)[path]
	if !found || v.pick.ID == "" {
		return "", "", false
	}
	return v.kind, v.pick.ID, true
}

type driftValue struct {
	kind string
	pick Pick
}

// driftValues names every setting a delivery's decision copies an id
// from, by the path resolution reports its problems under.
func driftValues(s *Settings) map[string]driftValue {
	t := &s.Ticket
	out := map[string]driftValue{
		"ticket.category":             {psa.FieldCategory, t.Category},
		"ticket.type":                 {psa.FieldType, t.Type},
		"ticket.status":               {psa.FieldStatus, t.Status},
		"ticket.queue":                {psa.FieldQueue, t.Queue},
		"ticket.source":               {psa.FieldSource, t.Source},
		"ticket.issue_type":           {psa.FieldIssueType, t.IssueType},
		"ticket.sub_issue_type":       {psa.FieldSubIssueType, t.SubIssueType},
		"notes.type":                  {psa.FieldNoteType, s.Notes.Type},
		"companies.catch_all.company": {ValueCompany, s.Companies.CatchAll.Company},
		"companies.catch_all.contact": {ValueContact, s.Companies.CatchAll.Contact},
	}
	for sev, p := range t.Priority {
		out["ticket.priority."+sev] = driftValue{psa.FieldPriority, p}
	}
	for i, o := range t.Overrides {
		p := OverridePath(i, o)
		out[p+".queue"] = driftValue{psa.FieldQueue, o.Queue}
		out[p+".priority"] = driftValue{psa.FieldPriority, o.Priority}
		out[p+".issue_type"] = driftValue{psa.FieldIssueType, o.IssueType}
		out[p+".sub_issue_type"] = driftValue{psa.FieldSubIssueType, o.SubIssueType}
	}
	for i, m := range s.Companies.Map {
		p := MappingPath(i, m)
		out[p+".company"] = driftValue{ValueCompany, m.Company}
		out[p+".contact"] = driftValue{ValueContact, m.Contact}
	}
	return out
}
