package superopssim

import "strings"

// session is one request's view: its tenant and the user its token
// belongs to.
type session struct {
	s    *Sim
	t    *tenant
	user *Technician
}

// queryRoot is the Query type's object for the session.
func (x *session) queryRoot() object {
	return object{
		"getClientList":             resolver(x.getClientList),
		"getClient":                 resolver(x.getClient),
		"getClientUserList":         resolver(x.getClientUserList),
		"getClientUser":             resolver(x.getClientUser),
		"getClientStageList":        resolver(x.getClientStageList),
		"getStatusList":             resolver(func(map[string]any) (any, error) { return x.namedList(x.t.statuses, "description"), nil }),
		"getPriorityList":           resolver(func(map[string]any) (any, error) { return x.namedList(x.t.priorities, "colorCode"), nil }),
		"getCategoryList":           resolver(x.getCategoryList),
		"getTechnicianGroupList":    resolver(x.getTechnicianGroupList),
		"getTechnicianList":         resolver(x.getTechnicianList),
		"getTicket":                 resolver(x.getTicket),
		"getTicketList":             resolver(x.getTicketList),
		"getTicketNoteList":         resolver(x.getTicketNoteList),
		"getTicketConversationList": resolver(x.getTicketConversationList),
		"getTicketCustomFieldList":  resolver(x.getTicketCustomFieldList),
		"getClientContractList":     resolver(x.getClientContractList),
		"__schema":                  x.s.intro.schemaObject(),
		"__type":                    resolver(x.s.intro.typeByName),
	}
}

func input(args map[string]any) map[string]any {
	m, _ := args["input"].(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// ref reads an identifier input ({"accountId": "..."}).
func ref(m map[string]any, field, key string) string {
	inner, _ := m[field].(map[string]any)
	return str(inner, key)
}

func (x *session) lister() lister {
	return lister{rejectDates: x.s.opts.RejectDateOperators, ignoreCustom: x.s.opts.IgnoreCustomFieldConditions, now: x.s.now().UTC()}
}

func (x *session) getClientList(args map[string]any) (any, error) {
	var recs []object
	for _, c := range x.t.clients {
		recs = append(recs, x.t.clientObject(c))
	}
	page, info, err := x.lister().list(recs, input(args))
	if err != nil {
		return nil, err
	}
	return object{"clients": page, "listInfo": info}, nil
}

func (x *session) getClient(args map[string]any) (any, error) {
	if c := x.t.client(str(input(args), "accountId")); c != nil {
		return x.t.clientObject(c), nil
	}
	return nil, fault(CodeEntityDoesNotExist, "accountId")
}

// getClientUserList lists a client's requesters; deleted ones are gone.
func (x *session) getClientUserList(args map[string]any) (any, error) {
	in := input(args)
	clientID := str(in, "clientId")
	if clientID != "" && x.t.client(clientID) == nil {
		return nil, fault(CodeReferredValue, "clientId")
	}
	var recs []object
	for _, u := range x.t.users {
		if !u.Deleted && (clientID == "" || u.ClientID == clientID) {
			recs = append(recs, x.t.userObject(u))
		}
	}
	li, _ := in["listInfo"].(map[string]any)
	if li == nil {
		li = map[string]any{}
	}
	page, info, err := x.lister().list(recs, li)
	if err != nil {
		return nil, err
	}
	return object{"userList": page, "listInfo": info}, nil
}

func (x *session) getClientUser(args map[string]any) (any, error) {
	if u := x.t.user(str(input(args), "userId")); u != nil && !u.Deleted {
		return x.t.userObject(u), nil
	}
	return nil, fault(CodeEntityDoesNotExist, "userId")
}

func (x *session) getClientStageList(map[string]any) (any, error) {
	var out []object
	for _, s := range x.t.stages {
		out = append(out, object{"stageId": s.ID, "name": s.Name, "constant": strings.ToUpper(s.Name),
			"statuses": []object{{"statusId": s.ID + "1", "name": "Active", "constant": "ACTIVE"}, {"statusId": s.ID + "2", "name": "Inactive", "constant": "INACTIVE"}}})
	}
	return out, nil
}

func (x *session) namedList(list []named, extra string) []object {
	var out []object
	for _, n := range list {
		o := object{"id": n.ID, "name": n.Name}
		if extra != "" {
			o[extra] = nil
		}
		out = append(out, o)
	}
	return out
}

func (x *session) getCategoryList(map[string]any) (any, error) {
	var out []object
	for _, c := range x.t.categories {
		out = append(out, object{"id": c.ID, "name": c.Name, "subCategories": x.namedList(c.Subs, "")})
	}
	return out, nil
}

func (x *session) getTechnicianGroupList(map[string]any) (any, error) {
	var out []object
	for _, g := range x.t.groups {
		out = append(out, object{"groupId": g.ID, "name": g.Name})
	}
	return out, nil
}

func (x *session) getTechnicianList(args map[string]any) (any, error) {
	var recs []object
	for _, u := range x.t.technicians {
		recs = append(recs, x.t.technicianObject(u))
	}
	page, info, err := x.lister().list(recs, input(args))
	if err != nil {
		return nil, err
	}
	return object{"userList": page, "listInfo": info}, nil
}

func (x *session) ticket(args map[string]any) (*Ticket, error) {
	if tk := x.t.byID[str(input(args), "ticketId")]; tk != nil {
		return tk, nil
	}
	return nil, fault(CodeEntityDoesNotExist, "ticketId")
}

func (x *session) getTicket(args map[string]any) (any, error) {
	tk, err := x.ticket(args)
	if err != nil {
		return nil, err
	}
	return x.t.ticketObject(tk), nil
}

func (x *session) getTicketList(args map[string]any) (any, error) {
	recs := make([]object, 0, len(x.t.tickets))
	for _, tk := range x.t.tickets {
		recs = append(recs, x.t.ticketObject(tk))
	}
	page, info, err := x.lister().list(recs, input(args))
	if err != nil {
		return nil, err
	}
	return object{"tickets": page, "listInfo": info}, nil
}

func (x *session) getTicketNoteList(args map[string]any) (any, error) {
	tk, err := x.ticket(args)
	if err != nil {
		return nil, err
	}
	out := []object{}
	for _, n := range tk.Notes {
		out = append(out, x.t.noteObject(n))
	}
	return out, nil
}

func (x *session) getTicketConversationList(args map[string]any) (any, error) {
	tk, err := x.ticket(args)
	if err != nil {
		return nil, err
	}
	out := []object{}
	for _, c := range tk.Conversations {
		out = append(out, x.t.conversationObject(c))
	}
	return out, nil
}

func (x *session) getTicketCustomFieldList(map[string]any) (any, error) {
	var out []object
	for _, f := range x.t.customFields {
		out = append(out, object{"id": f.ID, "columnName": f.Column, "label": f.Label, "description": nil,
			"fieldType": f.Type, "showToClient": false})
	}
	return out, nil
}

func (x *session) getClientContractList(args map[string]any) (any, error) {
	var recs []object
	for _, k := range x.t.contracts {
		recs = append(recs, x.t.contractObject(k))
	}
	page, info, err := x.lister().list(recs, input(args))
	if err != nil {
		return nil, err
	}
	return object{"clientContracts": page, "listInfo": info}, nil
}
