package integration

import (
	"fmt"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// Catalog is what resolution needs from the PSA, fetched by the caller:
// the picklists, the companies, and the contacts of the companies the
// settings name (by company id).
type Catalog struct {
	Picklists psa.Picklists
	Companies []psa.Company
	Contacts  map[string][]psa.Contact
	// Contracts are the contracts of the companies contracts.map names,
	// by company id; Services the PSA's billable services; and
	// ContractServices the services on those contracts, by contract id.
	// Only settings with contracts need them.
	Contracts        map[string][]psa.Contract
	Services         []psa.Service
	ContractServices map[string][]psa.ContractService
	// OwnContractServices are the contract service ids ticketbridge put on
	// a contract itself (the billing audit's service_added): the default
	// service found there is ours, not a conflict.
	OwnContractServices map[string]bool
}

// fieldNouns names picklist fields in messages.
var fieldNouns = map[string]string{
	psa.FieldStatus:         "status",
	psa.FieldPriority:       "priority",
	psa.FieldQueue:          "queue",
	psa.FieldCategory:       "category",
	psa.FieldType:           "ticket type",
	psa.FieldSource:         "source",
	psa.FieldIssueType:      "issue type",
	psa.FieldSubIssueType:   "sub-issue type",
	psa.FieldNoteType:       "note type",
	psa.FieldCompanyType:    "company type",
	psa.FieldClassification: "classification",
	psa.FieldMarketSegment:  "market segment",
}

// Resolve fills the ID of every Pick from its Name against the catalog and
// rewrites the Name to the PSA's own spelling. Every name that is unknown,
// inactive, or (for a sub-issue type) under another issue type is a
// Problem listing the nearest valid names. A Pick with only an ID (stored
// settings) is kept. It also checks that the catch-all company has an
// active contact when attach_contacts is on.
func Resolve(s *Settings, c Catalog) error {
	r := &resolver{c: c}
	r.companies(&s.Companies)
	r.ticket(&s.Ticket)
	r.pick(psa.FieldNoteType, "notes.type", &s.Notes.Type, "")
	r.statusSync(s)
	r.contracts(s)
	return r.ps.err()
}

type resolver struct {
	c  Catalog
	ps problems
}

// pick resolves p in field; parent, when not empty, is the id the value
// must sit under (sub-issue type → issue type). It reports whether p ends
// up with an id.
func (r *resolver) pick(field, path string, p *Pick, parent string) bool {
	name := strings.TrimSpace(p.Name)
	if name == "" {
		return p.ID != ""
	}
	var inactive, elsewhere *psa.Value
	for _, v := range r.c.Picklists[field] {
		if !strings.EqualFold(strings.TrimSpace(v.Label), name) {
			continue
		}
		switch {
		case parent != "" && v.Parent != parent:
			elsewhere = &v
		case !v.Active:
			inactive = &v
		default:
			*p = Pick{Name: v.Label, ID: v.ID}
			return true
		}
	}
	noun := fieldNouns[field]
	valid := r.activeLabels(field, parent)
	switch {
	case inactive != nil:
		r.ps.add(path, "%s %q is inactive in the PSA%s", noun, inactive.Label, suggest(name, valid, noun))
	case elsewhere != nil:
		r.ps.add(path, "%s %q is under issue type %q, not %q%s", noun, elsewhere.Label,
			r.c.Picklists.Label(psa.FieldIssueType, elsewhere.Parent), r.c.Picklists.Label(psa.FieldIssueType, parent), suggest(name, valid, noun))
	default:
		r.ps.add(path, "unknown %s %q%s", noun, name, suggest(name, valid, noun))
	}
	return false
}

func (r *resolver) activeLabels(field, parent string) []string {
	var out []string
	for _, v := range r.c.Picklists[field] {
		if v.Active && (parent == "" || v.Parent == parent) {
			out = append(out, v.Label)
		}
	}
	return out
}

// ticket resolves the ticket defaults and overrides. The queue comes
// first: where statuses and issue types belong to a board (values with
// the board as Parent), they are resolved on the queue's board.
func (r *resolver) ticket(t *Ticket) {
	for _, f := range []struct {
		field, path string
		p           *Pick
	}{
		{psa.FieldCategory, "ticket.category", &t.Category},
		{psa.FieldType, "ticket.type", &t.Type},
		{psa.FieldQueue, "ticket.queue", &t.Queue},
		{psa.FieldSource, "ticket.source", &t.Source},
	} {
		r.pick(f.field, f.path, f.p, "")
	}
	def := boardRef{queue: t.Queue, path: "ticket.queue"}
	r.onBoard(psa.FieldStatus, "ticket.status", &t.Status, def)
	r.issue("ticket", &t.IssueType, &t.SubIssueType, "", def)
	r.priorities(t.Priority)
	for i := range t.ClosedStatuses {
		r.onBoard(psa.FieldStatus, fmt.Sprintf("ticket.closed_statuses[%d]", i), &t.ClosedStatuses[i], def)
	}
	for i := range t.Overrides {
		o := &t.Overrides[i]
		path := OverridePath(i, *o)
		board := def
		if !o.Queue.IsZero() {
			r.pick(psa.FieldQueue, path+".queue", &o.Queue, "")
			board = boardRef{queue: o.Queue, path: path + ".queue"}
			r.statusOnOtherBoard(path+".queue", t.Status, board)
		}
		r.issue(path, &o.IssueType, &o.SubIssueType, t.IssueType.ID, board)
		r.pick(psa.FieldPriority, path+".priority", &o.Priority, "")
	}
}

// issue resolves an issue type (on board, where issue types belong to
// one) and its sub-issue type under it. An override without its own issue
// type puts its sub-issue type under the default one (defaultIssue). An
// unresolved issue type skips the sub-issue check: its problem is already
// reported and a second one would be noise.
func (r *resolver) issue(path string, issue, sub *Pick, defaultIssue string, board boardRef) {
	parent := defaultIssue
	if !issue.IsZero() {
		if !r.onBoard(psa.FieldIssueType, path+".issue_type", issue, board) {
			return
		}
		parent = issue.ID
	}
	if sub.IsZero() || parent == "" {
		return
	}
	r.pick(psa.FieldSubIssueType, path+".sub_issue_type", sub, parent)
}

func (r *resolver) priorities(prio map[string]Pick) {
	for _, sev := range prioritySeverities(prio) {
		p := prio[sev]
		r.pick(psa.FieldPriority, "ticket.priority."+sev, &p, "")
		prio[sev] = p
	}
}

// severityRank orders severities most severe first, unknown ones last.
func severityRank(sev string) int {
	for i, s := range Severities {
		if s == sev {
			return i
		}
	}
	return len(Severities)
}
