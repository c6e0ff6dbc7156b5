package superopssim

import "strings"

// The directory mutations: clients, requesters and categories, with
// SuperOps' uniqueness rules (unique_validation_failed), and param.index
// on the bulk createCategories.

func (x *session) createClient(args map[string]any) (any, error) {
	in := input(args)
	name := strings.TrimSpace(str(in, "name"))
	if name == "" {
		return nil, fault(CodeMandatory, "name")
	}
	for _, c := range x.t.clients {
		if strings.EqualFold(c.Name, name) {
			return nil, fault(CodeUnique, "name")
		}
	}
	stage := str(in, "stage")
	if stage == "" {
		stage = x.t.stages[0].Name
	}
	if err := x.picklist(x.t.stages, "stage", stage); err != nil {
		return nil, err
	}
	status := str(in, "status")
	if status == "" {
		status = "Active"
	}
	c := &Client{AccountID: x.s.ids.id(), Name: name, Stage: canonical(x.t.stages, stage), Status: status, SiteID: x.s.ids.id(), SiteName: "HQ"}
	if ds, ok := in["emailDomains"].([]any); ok {
		c.Domains = values(ds)
	}
	x.t.clients = append(x.t.clients, c)
	return x.t.clientObject(c), nil
}

// createClientUser adds a requester to the client of its first
// association; emails are unique among the tenant's requesters.
func (x *session) createClientUser(args map[string]any) (any, error) {
	in := input(args)
	email := strings.TrimSpace(str(in, "email"))
	if email == "" || strings.TrimSpace(str(in, "firstName")) == "" {
		return nil, fault(CodeMandatory, "firstName", "email")
	}
	if !strings.Contains(email, "@") {
		return nil, fault("value_pattern_validation_failed", "email")
	}
	for _, u := range x.t.users {
		if !u.Deleted && strings.EqualFold(u.Email, email) {
			return nil, fault(CodeUnique, "email")
		}
	}
	assocs, _ := in["addAssociations"].([]any)
	if len(assocs) == 0 {
		return nil, fault(CodeMandatory, "addAssociations")
	}
	first, _ := assocs[0].(map[string]any)
	c := x.t.client(ref(first, "client", "accountId"))
	if c == nil {
		return nil, fault(CodeReferredValue, "addAssociations.client")
	}
	u := &ClientUser{UserID: x.s.ids.id(), FirstName: str(in, "firstName"), LastName: str(in, "lastName"), Email: email, ClientID: c.AccountID}
	x.t.users = append(x.t.users, u)
	return x.t.userObject(u), nil
}

// createCategories is all or nothing: the first bad element is reported
// with its index and nothing is added.
func (x *session) createCategories(args map[string]any) (any, error) {
	list, _ := args["input"].([]any)
	seen := map[string]bool{}
	for _, c := range x.t.categories {
		seen[strings.ToLower(c.Name)] = true
	}
	var adds []category
	for i, item := range list {
		m, _ := item.(map[string]any)
		name := strings.TrimSpace(str(m, "name"))
		if name == "" {
			return nil, &Fault{Code: CodeMandatory, Attributes: []string{"name"}, Index: i}
		}
		if seen[strings.ToLower(name)] {
			return nil, &Fault{Code: CodeUnique, Attributes: []string{"name"}, Index: i}
		}
		seen[strings.ToLower(name)] = true
		c := category{named: named{x.s.ids.id(), name}}
		subs, _ := m["addSubCategories"].([]any)
		for _, s := range subs {
			sm, _ := s.(map[string]any)
			c.Subs = append(c.Subs, named{x.s.ids.id(), str(sm, "name")})
		}
		adds = append(adds, c)
	}
	x.t.categories = append(x.t.categories, adds...)
	var out []object
	for _, c := range adds {
		out = append(out, object{"id": c.ID, "name": c.Name, "subCategories": x.namedList(c.Subs, "")})
	}
	return out, nil
}
