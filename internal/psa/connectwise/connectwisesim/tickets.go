package connectwisesim

import (
	"slices"
	"strings"
)

// Ticket defaults the simulator applies when a create leaves them out.
const (
	defaultBoardID    = 2 // Service Desk
	defaultPriorityID = 8 // Priority 3 - Medium
)

// ticketFields are every field of a stored ticket. externalXRef is the
// documented free-text "external cross-reference" of a ticket and what
// ticketbridge keeps its stable reference in.
var ticketFields = []string{
	"summary", "recordType", "board", "status", "company", "site", "siteName", "contact", "contactName",
	"contactPhoneNumber", "contactEmailAddress", "type", "subType", "item", "team", "owner", "priority",
	"source", "severity", "impact", "externalXRef", "poNumber", "agreement", "agreementType", "closedDate",
	"closedBy", "closedFlag", "requiredDate", "budgetHours", "actualHours", "billTime",
	"automaticEmailContactFlag", "customerUpdatedFlag", "parentTicketId", "hasChildTicket", "approved",
	"integratorTags", "customFields",
}

// ticketWrite carries what a ticket write asks for beyond its fields.
type ticketWrite struct {
	initial      []noteText // initialDescription & co., on create only
	skipCallback bool
}

type noteText struct {
	text                         string
	detail, internal, resolution bool
}

func (s *Sim) ticketSpec(c *call, tw *ticketWrite) saveSpec {
	return saveSpec{
		sc:    scope{table: tTickets},
		build: func(in *input, old obj) (obj, error) { return s.buildTicket(c, in, old, tw) },
		after: func(rec, old obj) {
			for _, n := range tw.initial {
				s.insertNote(asInt(rec["id"]), n, c.member, nil, s.now())
			}
		},
	}
}

func (s *Sim) createTicket(c *call) { s.writeTicket(c, "added") }
func (s *Sim) patchTicket(c *call)  { s.writeTicket(c, "updated") }
func (s *Sim) putTicket(c *call)    { s.writeTicket(c, "updated") }

func (s *Sim) writeTicket(c *call, action string) {
	tw := &ticketWrite{}
	if rec := s.save(c, s.ticketSpec(c, tw)); rec != nil && !tw.skipCallback {
		s.fire(c, "ticket", action, rec)
	}
}

func (s *Sim) deleteTicket(c *call) {
	if o := s.remove(c, scope{table: tTickets}); o != nil {
		s.mu.Lock()
		for id, n := range s.tables[tNotes].rows {
			if asInt(n["ticketId"]) == asInt(o["id"]) {
				delete(s.tables[tNotes].rows, id)
			}
		}
		s.mu.Unlock()
		s.fire(c, "ticket", "deleted", o)
	}
}

// buildTicket validates a ticket write. Callers hold s.mu.
func (s *Sim) buildTicket(c *call, in *input, old obj, tw *ticketWrite) (obj, error) {
	ts := s.tables
	t := obj{}
	for _, f := range ticketFields {
		t[f] = nil
	}
	t["summary"] = in.str("summary", 100, true)
	t["recordType"] = in.enum("recordType", []string{"ServiceTicket", "ProjectTicket", "ProjectIssue"}, "ServiceTicket")
	company := in.resolve("company", ts[tCompanies], true, s.companyWritable, "has a status that does not allow saving records")
	t["company"] = refOrNil(ts[tCompanies], company)
	s.ticketCompanyRefs(in, t, company, old)
	s.ticketBoard(in, t, old)
	t["owner"] = refOrNil(ts[tMembers], in.resolve("owner", ts[tMembers], false, nil, ""))
	t["priority"] = refOrNil(ts[tPriorities], in.resolve("priority", ts[tPriorities], false, nil, ""))
	if t["priority"] == nil && in.raw("priority") == nil {
		t["priority"] = ts[tPriorities].ref(defaultPriorityID)
	}
	t["source"] = refOrNil(ts[tSources], in.resolve("source", ts[tSources], false, nil, ""))
	levels := []string{"Low", "Medium", "High"}
	t["severity"], t["impact"] = in.enum("severity", levels, "Medium"), in.enum("impact", levels, "Medium")
	t["externalXRef"] = in.str("externalXRef", 0, false)
	t["poNumber"] = in.str("poNumber", 50, false)
	t["requiredDate"] = in.date("requiredDate")
	t["budgetHours"] = in.number("budgetHours")
	t["billTime"] = in.enum("billTime", []string{"Billable", "DoNotBill", "NoCharge", "NoDefault"}, "")
	t["automaticEmailContactFlag"] = in.boolean("automaticEmailContactFlag", false)
	t["customerUpdatedFlag"] = in.boolean("customerUpdatedFlag", false)
	t["parentTicketId"] = in.integer("parentTicketId")
	t["hasChildTicket"], t["approved"] = false, true
	if tags := in.strings("integratorTags"); tags != nil {
		t["integratorTags"] = tags
	}
	t["customFields"] = customFields(in.raw("customFields"))
	tw.skipCallback = in.boolean("skipCallback", false)
	if old == nil {
		tw.initial = initialNotes(in)
	}
	if len(in.errs) > 0 {
		return nil, invalidObject("ticket", in.errs)
	}
	s.closeState(t, old, c.member.Identifier)
	return t, nil
}

// companyWritable reports whether tickets may be saved for company o.
func (s *Sim) companyWritable(o obj) bool {
	st := s.tables[tCompanyStatuses].rows[refID(o["status"])]
	return st == nil || st["disallowSavingFlag"] != true
}

func refOrNil(t *table, row obj) any {
	if row == nil {
		return nil
	}
	return t.ref(asInt(row["id"]))
}

// ticketCompanyRefs validates what must belong to the ticket's company:
// site, contact and agreement; it fills the contact's name, email and
// phone unless the ticket carries a free-text contact.
func (s *Sim) ticketCompanyRefs(in *input, t obj, company, old obj) {
	ts := s.tables
	cid := int64(-1)
	if company != nil {
		cid = asInt(company["id"])
	}
	ofCompany := func(o obj) bool { return company == nil || refID(o["company"]) == cid }
	why := "does not belong to company " + itoa(cid)
	site := in.resolve("site", ts[tSites], false, ofCompany, why)
	if site == nil && company != nil && in.raw("site") == nil {
		site = ts[tSites].rows[siteID(cid)]
	}
	t["site"] = refOrNil(ts[tSites], site)
	if site != nil {
		t["siteName"] = site["name"]
	}
	agreement := in.resolve("agreement", ts[tAgreements], false, ofCompany, why)
	t["agreement"] = refOrNil(ts[tAgreements], agreement)
	if agreement != nil {
		t["agreementType"] = agreement["type"].(obj)["name"]
	}
	contact := in.resolve("contact", ts[tContacts], false, ofCompany, why)
	t["contact"] = refOrNil(ts[tContacts], contact)
	t["contactName"] = in.str("contactName", 62, false)
	t["contactEmailAddress"] = in.str("contactEmailAddress", 250, false)
	t["contactPhoneNumber"] = in.str("contactPhoneNumber", 20, false)
	if contact != nil && (old == nil || refID(old["contact"]) != asInt(contact["id"]) || t["contactName"] == nil) {
		t["contactName"] = ts[tContacts].refName(contact)
		t["contactEmailAddress"] = commValue(contact, "Email")
		t["contactPhoneNumber"] = commValue(contact, "Phone")
	}
}

// commValue is a contact's default communication item of a kind.
func commValue(contact obj, kind string) any {
	items, _ := contact["communicationItems"].([]obj)
	for _, it := range items {
		if it["communicationType"] == kind && it["defaultFlag"] == true {
			return it["value"]
		}
	}
	return nil
}

func initialNotes(in *input) []noteText {
	var out []noteText
	for _, f := range []struct {
		name string
		note noteText
	}{
		{"initialDescription", noteText{detail: true}},
		{"initialInternalAnalysis", noteText{internal: true}},
		{"initialResolution", noteText{resolution: true}},
	} {
		if v, ok := in.str(f.name, 0, false).(string); ok {
			n := f.note
			n.text = v
			out = append(out, n)
		}
	}
	return out
}

// customFields keeps the documented keys of each custom field value.
func customFields(v any) any {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	out := []obj{}
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		cf := obj{}
		for _, k := range []string{"id", "caption", "type", "entryMethod", "numberOfDecimals", "value"} {
			cf[k] = m[k]
		}
		out = append(out, cf)
	}
	return out
}

// closeState sets closedFlag, closedDate and closedBy from the status: a
// move to a closed status records when and by whom; reopening clears them.
func (s *Sim) closeState(t, old obj, who string) {
	st := s.tables[tStatuses].rows[refID(t["status"])]
	closed := st != nil && st["closedStatus"] == true
	t["closedFlag"] = closed
	switch {
	case closed && old != nil && old["closedFlag"] == true:
		t["closedDate"], t["closedBy"] = old["closedDate"], old["closedBy"]
	case closed:
		t["closedDate"], t["closedBy"] = s.now(), who
	}
}

// ticketBoard validates the board and what must be on it: status, type,
// subtype, item (as a valid combination) and team.
func (s *Sim) ticketBoard(in *input, t, old obj) {
	ts := s.tables
	board := in.resolve("board", ts[tBoards], false, func(o obj) bool { return o["inactiveFlag"] != true }, "is inactive")
	if board == nil {
		if in.raw("board") != nil {
			return // already reported; the rest cannot be checked
		}
		board = ts[tBoards].rows[defaultBoardID]
	}
	bid := asInt(board["id"])
	t["board"] = ts[tBoards].ref(bid)
	if old != nil && refID(old["board"]) != bid && s.opts.BoardMoveDefaults {
		s.dropOffBoard(in, bid)
	}
	onBoard := func(o obj) bool { return refID(o["board"]) == bid }
	why := "is not on board " + board["name"].(string)
	status := in.resolve("status", ts[tStatuses], false, onBoard, why)
	if status == nil && in.raw("status") == nil {
		status = s.defaultStatus(bid)
	}
	t["status"] = refOrNil(ts[tStatuses], status)
	typ := in.resolve("type", ts[tTypes], false, onBoard, why)
	sub := in.resolve("subType", ts[tSubtypes], false, onBoard, why)
	item := in.resolve("item", ts[tItems], false, onBoard, why)
	t["type"], t["subType"], t["item"] = refOrNil(ts[tTypes], typ), refOrNil(ts[tSubtypes], sub), refOrNil(ts[tItems], item)
	s.checkCombination(in, bid, typ, sub, item)
	team := in.resolve("team", ts[tTeams], false, func(o obj) bool { return asInt(o["boardId"]) == bid }, why)
	t["team"] = refOrNil(ts[tTeams], team)
}

// dropOffBoard removes references to another board's records from a
// moved ticket, so they take the new board's defaults.
func (s *Sim) dropOffBoard(in *input, bid int64) {
	for name, table := range map[string]string{"status": tStatuses, "type": tTypes, "subType": tSubtypes, "item": tItems} {
		if spec := in.ref(name); spec != nil && spec.id != 0 {
			if row := s.tables[table].rows[spec.id]; row != nil && refID(row["board"]) != bid {
				delete(in.m, strings.ToLower(name))
			}
		}
	}
	if spec := in.ref("team"); spec != nil && spec.id != 0 {
		if row := s.tables[tTeams].rows[spec.id]; row != nil && asInt(row["boardId"]) != bid {
			delete(in.m, "team")
		}
	}
}

func (s *Sim) defaultStatus(bid int64) obj {
	for _, st := range s.tables[tStatuses].sorted() {
		if refID(st["board"]) == bid && st["defaultFlag"] == true {
			return st
		}
	}
	return nil
}

// checkCombination requires a subtype to be associated with the type and
// an item to be part of a listed type/subtype/item association.
func (s *Sim) checkCombination(in *input, bid int64, typ, sub, item obj) {
	if sub != nil {
		if typ == nil {
			in.fail(codeInvalidField, "subType", "A subType needs a type.")
			return
		}
		if ids, _ := sub["typeAssociationIds"].([]int64); !slices.Contains(ids, asInt(typ["id"])) {
			in.fail(codeInvalidField, "subType", "Subtype %s is not valid for type %s on this board.", sub["name"], typ["name"])
			return
		}
	}
	if item == nil {
		return
	}
	if typ == nil {
		in.fail(codeInvalidField, "item", "An item needs a type.")
		return
	}
	for _, a := range s.tables[tAssociations].rows {
		if refID(a["board"]) == bid && refID(a["type"]) == asInt(typ["id"]) &&
			refID(a["subType"]) == asInt(sub["id"]) && refID(a["item"]) == asInt(item["id"]) {
			return
		}
	}
	in.fail(codeInvalidField, "item", "Item %s is not valid for this type and subtype combination.", item["name"])
}
