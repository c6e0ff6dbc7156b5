package superopssim

import "time"

// The output objects. JSON-scalar fields (client, requester, techGroup,
// ...) are embedded maps: a client reads them whole and cannot select
// inside them.

func stamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(TimeLayout)
}

func (t *tenant) clientObject(c *Client) object {
	return object{
		"accountId": c.AccountID, "name": c.Name, "stage": c.Stage, "status": c.Status,
		"emailDomains": c.Domains, "accountManager": nil, "primaryContact": nil, "secondaryContact": nil,
		"hqSite": map[string]any{"id": c.SiteID, "name": c.SiteName}, "technicianGroups": nil,
		"customFields": map[string]any{}, "fields": nil,
	}
}

func (t *tenant) userObject(u *ClientUser) object {
	c := t.client(u.ClientID)
	return object{
		"userId": u.UserID, "firstName": u.FirstName, "lastName": u.LastName, "name": u.Name(), "email": u.Email,
		"contactNumber": nil, "reportingManager": nil, "site": map[string]any{"id": c.SiteID, "name": c.SiteName},
		"role":   map[string]any{"roleId": "3", "name": "Requester"},
		"client": map[string]any{"accountId": c.AccountID, "name": c.Name}, "customFields": map[string]any{}, "fields": nil,
	}
}

func (t *tenant) technicianObject(u *Technician) object {
	var groups []any
	for _, id := range u.GroupIDs {
		if g, ok := t.group(id); ok {
			groups = append(groups, map[string]any{"groupId": g.ID, "name": g.Name})
		}
	}
	return object{
		"userId": u.UserID, "firstName": u.FirstName, "lastName": u.LastName, "name": u.Name(), "email": u.Email,
		"contactNumber": nil, "emailSignature": nil, "designation": nil, "businessFunction": nil, "team": nil,
		"reportingManager": nil, "role": map[string]any{"roleId": "1", "name": string(u.Role)}, "groups": groups,
	}
}

func (t *tenant) ticketObject(tk *Ticket) object {
	o := object{
		"ticketId": tk.ID, "displayId": tk.DisplayID, "subject": tk.Subject, "ticketType": "INCIDENT",
		"requestType": nilIfEmpty(tk.RequestType), "source": tk.Source,
		"client": nil, "site": nil, "requester": nil, "additionalRequester": nil, "followers": nil,
		"techGroup": nil, "technician": nil,
		"status": nilIfEmpty(tk.Status), "priority": nilIfEmpty(tk.Priority), "impact": nil, "urgency": nil,
		"category": nilIfEmpty(tk.Category), "subcategory": nilIfEmpty(tk.Subcategory), "cause": nil, "subcause": nil,
		"resolutionCode": nil, "sla": nil, "createdTime": stamp(tk.Created), "updatedTime": stamp(tk.Updated),
		"firstResponseDueTime": nil, "firstResponseTime": nil, "firstResponseViolated": false,
		"resolutionDueTime": nil, "resolutionTime": nil, "resolutionViolated": false,
		"customFields": copyMap(tk.CustomFields), "fields": nil, "worklogTimespent": "0.00",
	}
	if c := t.client(tk.ClientID); c != nil {
		o["client"] = map[string]any{"accountId": c.AccountID, "name": c.Name}
		o["site"] = map[string]any{"id": c.SiteID, "name": c.SiteName}
	}
	if tk.RequesterID != "" {
		o["requester"] = t.userRef(tk.RequesterID)
	}
	if g, ok := t.group(tk.TechGroupID); ok {
		o["techGroup"] = map[string]any{"groupId": g.ID, "name": g.Name}
	}
	if tk.TechnicianID != "" {
		o["technician"] = t.userRef(tk.TechnicianID)
	}
	return o
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (t *tenant) noteObject(n *Note) object {
	return object{
		"noteId": n.ID, "addedBy": t.userRef(n.AddedBy), "addedOn": stamp(n.AddedOn), "content": n.Content,
		"attachments": []object{}, "privacyType": n.Privacy,
	}
}

func (t *tenant) conversationObject(c *Conversation) object {
	var to []object
	for _, email := range c.To {
		to = append(to, object{"user": map[string]any{"email": email}})
	}
	return object{
		"conversationId": c.ID, "content": c.Content, "time": stamp(c.Time), "user": t.userRef(c.UserID),
		"toUsers": to, "ccUsers": []object{}, "bccUsers": []object{}, "attachments": []object{}, "type": c.Type,
	}
}

func (t *tenant) contractObject(k *contract) object {
	c := t.client(k.ClientID)
	var changes []object
	for _, ch := range k.Changes {
		changes = append(changes, object{"changeId": ch.ID, "effectiveDate": ch.Effective, "endDate": nil,
			"quantity": ch.Quantity, "quantityChangeOperation": ch.Operation})
	}
	billable := object{
		"contractId": k.ID, "chargeItem": map[string]any{"itemId": k.ID, "name": k.ChargeItem},
		"quantityCalculationType": "FIXED", "sellingPriceCalculationType": "FIXED", "frequencyType": "RECURRING",
		"billableSiteType": "ALL", "changes": changes,
	}
	return object{
		"contractId": k.ID, "client": map[string]any{"accountId": c.AccountID, "name": c.Name},
		"contract":  object{"contractId": k.ID, "name": k.Name, "description": nil, "contractType": "SERVICE", "billableContract": billable},
		"startDate": k.Start.Format("2006-01-02"), "endDate": nil, "contractStatus": k.Status,
	}
}
