package superopssim

import (
	"slices"
	"strings"
)

// maxSubject is the subject length the simulator accepts. SuperOps
// documents none; 255 is the common column size.
const maxSubject = 255

// mutationRoot is the Mutation type's object for the session. A
// read-only token may run none of them.
func (x *session) mutationRoot() object {
	m := object{
		"createTicket":             resolver(x.createTicket),
		"updateTicket":             resolver(x.updateTicket),
		"createTicketNote":         resolver(x.createTicketNote),
		"createNote":               resolver(x.createNote),
		"createTicketConversation": resolver(x.createTicketConversation),
		"updateClientContract":     resolver(x.updateClientContract),
		"createClient":             resolver(x.createClient),
		"createClientUser":         resolver(x.createClientUser),
		"createCategories":         resolver(x.createCategories),
	}
	if x.user.Role == RoleReadOnly {
		for name := range m {
			m[name] = resolver(func(map[string]any) (any, error) { return nil, fault(CodeForbidden) })
		}
	}
	return m
}

// picklist checks a picklist value passed by name.
func (x *session) picklist(list []named, attr, value string) error {
	if value == "" || slices.ContainsFunc(list, func(n named) bool { return strings.EqualFold(n.Name, value) }) {
		return nil
	}
	return fault(x.s.picklistCode(), attr)
}

// fields are the ticket fields create and update share.
type fields struct {
	in map[string]any
}

func (f fields) set(key string) bool { _, ok := f.in[key]; return ok }

// apply validates the fields present in in and sets them on tk.
func (x *session) apply(tk *Ticket, f fields) error {
	in := f.in
	if f.set("subject") {
		subject := strings.TrimSpace(str(in, "subject"))
		switch {
		case subject == "":
			return fault(CodeMandatory, "subject")
		case len([]rune(subject)) > maxSubject:
			return fault(CodeValueLength, "subject")
		}
		tk.Subject = subject
	}
	if f.set("client") {
		c := x.t.client(ref(in, "client", "accountId"))
		if c == nil {
			return fault(CodeReferredValue, "client")
		}
		tk.ClientID, tk.SiteID = c.AccountID, c.SiteID
	}
	if f.set("requester") {
		u := x.t.user(ref(in, "requester", "userId"))
		if u == nil || u.Deleted || u.ClientID != tk.ClientID {
			return fault(CodeReferredValue, "requester")
		}
		tk.RequesterID = u.UserID
	}
	if f.set("techGroup") {
		g, ok := x.t.group(ref(in, "techGroup", "groupId"))
		if !ok {
			return fault(CodeReferredValue, "techGroup")
		}
		tk.TechGroupID = g.ID
	}
	if f.set("technician") {
		u := x.t.technician(ref(in, "technician", "userId"))
		if u == nil {
			return fault(CodeReferredValue, "technician")
		}
		tk.TechnicianID = u.UserID
	}
	return x.applyPicklists(tk, f)
}

// applyPicklists sets the fields passed by name: status, priority,
// category and subcategory (which must be one of the category's).
func (x *session) applyPicklists(tk *Ticket, f fields) error {
	in := f.in
	for _, p := range []struct {
		key  string
		list []named
		dst  *string
	}{
		{"status", x.t.statuses, &tk.Status},
		{"priority", x.t.priorities, &tk.Priority},
	} {
		if !f.set(p.key) {
			continue
		}
		if err := x.picklist(p.list, p.key, str(in, p.key)); err != nil {
			return err
		}
		*p.dst = canonical(p.list, str(in, p.key))
	}
	if f.set("category") {
		c, ok := x.category(str(in, "category"))
		if !ok && str(in, "category") != "" {
			return fault(x.s.picklistCode(), "category")
		}
		tk.Category, tk.Subcategory = c.Name, ""
	}
	if f.set("subcategory") && str(in, "subcategory") != "" {
		c, _ := x.category(tk.Category)
		if !slices.ContainsFunc(c.Subs, func(n named) bool { return strings.EqualFold(n.Name, str(in, "subcategory")) }) {
			return fault(CodeDependent, "subcategory")
		}
		tk.Subcategory = canonical(c.Subs, str(in, "subcategory"))
	}
	if f.set("requestType") {
		tk.RequestType = str(in, "requestType")
	}
	if f.set("source") {
		tk.Source = str(in, "source")
	}
	if cf, ok := in["customFields"].(map[string]any); ok {
		for k, v := range cf {
			if !slices.ContainsFunc(x.t.customFields, func(c customField) bool { return c.Column == k }) {
				return fault(CodeReferredValue, "customFields."+k)
			}
			tk.CustomFields[k] = v
		}
	}
	return nil
}

func (x *session) category(name string) (category, bool) {
	for _, c := range x.t.categories {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return category{}, false
}

// canonical is the list's own spelling of name.
func canonical(list []named, name string) string {
	for _, n := range list {
		if strings.EqualFold(n.Name, name) {
			return n.Name
		}
	}
	return name
}

// createTicket validates everything before it stores anything, so a
// refused create leaves no ticket behind.
func (x *session) createTicket(args map[string]any) (any, error) {
	in := input(args)
	now := x.s.now()
	tk := &Ticket{ID: x.s.ids.id(), Source: "FORM", CustomFields: map[string]any{}, Created: now, Updated: now}
	if _, ok := in["subject"]; !ok {
		return nil, fault(CodeMandatory, "subject")
	}
	if x.s.opts.StrictStatus && str(in, "status") == "" {
		return nil, fault(CodeMandatory, "status")
	}
	if err := x.apply(tk, fields{in}); err != nil {
		return nil, err
	}
	if tk.Status == "" {
		tk.Status = x.t.statuses[0].Name
	}
	tk.SubSource, tk.SourceRef = str(in, "subSource"), str(in, "sourceReferenceId")
	tk.DisplayID = x.t.displayID(now)
	if d := str(in, "description"); d != "" {
		author := tk.RequesterID
		if author == "" {
			author = x.user.UserID
		}
		tk.Conversations = append(tk.Conversations, &Conversation{ID: x.s.ids.id(), Content: d, Type: "DESCRIPTION", UserID: author, Time: now})
	}
	x.t.tickets = append(x.t.tickets, tk)
	x.t.byID[tk.ID] = tk
	return x.t.ticketObject(tk), nil
}

func (x *session) updateTicket(args map[string]any) (any, error) {
	tk, err := x.ticket(args)
	if err != nil {
		return nil, err
	}
	in := input(args)
	draft := *tk
	draft.CustomFields = copyMap(tk.CustomFields)
	if err := x.apply(&draft, fields{in}); err != nil {
		return nil, err
	}
	draft.Updated = x.s.now()
	*tk = draft
	return x.t.ticketObject(tk), nil
}

// addNote adds a note; PRIVATE unless asked otherwise. The ticket's
// updatedTime moves, so polling sees the activity.
func (x *session) addNote(ticketID string, in map[string]any) (any, error) {
	tk := x.t.byID[ticketID]
	if tk == nil {
		return nil, fault(CodeEntityDoesNotExist, "ticketId")
	}
	content := str(in, "content")
	if strings.TrimSpace(content) == "" {
		return nil, fault(CodeMandatory, "content")
	}
	privacy := str(in, "privacyType")
	if privacy == "" {
		privacy = "PRIVATE"
	}
	author := x.user.UserID
	if id := ref(in, "addedBy", "userId"); id != "" {
		if x.t.technician(id) == nil {
			return nil, fault(CodeReferredValue, "addedBy")
		}
		author = id
	}
	now := x.s.now()
	added := now
	if on, ok := parseTime(str(in, "addedOn")); ok {
		added = on
	}
	n := &Note{ID: x.s.ids.id(), Content: content, Privacy: privacy, AddedBy: author, AddedOn: added}
	tk.Notes = append(tk.Notes, n)
	tk.Updated = now
	return x.t.noteObject(n), nil
}

func (x *session) createTicketNote(args map[string]any) (any, error) {
	in := input(args)
	return x.addNote(ref(in, "ticket", "ticketId"), in)
}

// createNote is the newer spelling: a work item of module TICKET.
func (x *session) createNote(args map[string]any) (any, error) {
	in := input(args)
	if ref(in, "workItem", "module") != "TICKET" {
		return nil, fault(CodeEntityDoesNotExist, "workItem")
	}
	return x.addNote(ref(in, "workItem", "workId"), in)
}

// createTicketConversation records a reply; sendMail is kept, no mail
// leaves the simulator.
func (x *session) createTicketConversation(args map[string]any) (any, error) {
	in := input(args)
	tk := x.t.byID[ref(in, "ticket", "ticketId")]
	if tk == nil {
		return nil, fault(CodeEntityDoesNotExist, "ticket")
	}
	author, typ := x.user.UserID, "TECH_REPLY"
	if id := ref(in, "user", "userId"); id != "" {
		switch {
		case x.t.technician(id) != nil:
			author = id
		case x.t.user(id) != nil:
			author, typ = id, "REQ_REPLY"
		default:
			return nil, fault(CodeReferredValue, "user")
		}
	}
	c := &Conversation{ID: x.s.ids.id(), Content: str(in, "content"), Type: typ, UserID: author, Time: x.s.now(), SendMail: in["sendMail"] == true}
	if to, ok := in["toUsers"].([]any); ok {
		for _, u := range to {
			m, _ := u.(map[string]any)
			c.To = append(c.To, str(m, "email"))
		}
	}
	tk.Conversations = append(tk.Conversations, c)
	tk.Updated = c.Time
	return x.t.conversationObject(c), nil
}

// updateClientContract appends a quantity change and answers the
// contract's id.
func (x *session) updateClientContract(args map[string]any) (any, error) {
	in := input(args)
	c, _ := in["contract"].(map[string]any)
	id := str(c, "contractId")
	var k *contract
	for _, kk := range x.t.contracts {
		if kk.ID == id {
			k = kk
		}
	}
	if k == nil {
		return nil, fault(CodeEntityDoesNotExist, "contractId")
	}
	bc, _ := c["billableContract"].(map[string]any)
	if change, ok := bc["change"].(map[string]any); ok {
		qc := quantityChange{ID: str(change, "changeId"), Effective: str(change, "effectiveDate"),
			Quantity: str(change, "quantity"), Operation: str(change, "quantityChangeOperation")}
		if qc.Quantity == "" || qc.Effective == "" {
			return nil, fault(CodeMandatory, "quantity", "effectiveDate")
		}
		if qc.Operation == "" {
			qc.Operation = "BASELINE"
		}
		if qc.ID == "" {
			qc.ID = x.s.ids.id()
		}
		k.Changes = append(k.Changes, qc)
	}
	return k.ID, nil
}
