package integration

import (
	"sort"
	"strings"
)

// flatten lists every set value of s in schema order.
func flatten(s *Settings) []leaf {
	f := &flattener{keys: map[string]int{}}
	f.str("name", s.Name)
	f.str("psa", s.PSA)
	f.optBool("enabled", s.Enabled)
	flattenConnection(f, &s.Connection)
	f.str("sync.since", s.Sync.Since)
	f.boolean("sync.update", s.Sync.Update)
	f.list("sync.exclude_types", s.Sync.ExcludeTypes)
	f.str("sync.reconcile_every", s.Sync.ReconcileEvery)
	flattenCompanies(f, &s.Companies)
	flattenTicket(f, &s.Ticket)
	f.pick("notes.type", s.Notes.Type)
	f.str("notes.visibility", s.Notes.Visibility)
	f.str("notes.title", s.Notes.Title)
	flattenStatusSync(f, &s.StatusSync)
	flattenContracts(f, &s.Contracts)
	flattenRouting(f, &s.Routing)
	return f.out
}

func flattenConnection(f *flattener, c *Connection) {
	f.str("connection.url", c.URL)
	refs := c.SecretRefs()
	strs := map[string]string{
		"username": c.Username, "company": c.Company, "public_key": c.PublicKey, "member_id": c.MemberID,
		"tenant": c.Tenant, "subdomain": c.Subdomain, "region": c.Region, "table": c.Table,
	}
	for _, path := range connectionKeyOrder {
		name := strings.TrimPrefix(path, "connection.")
		if r, ok := refs[name]; ok {
			f.secretRef(path, *r)
		} else {
			f.str(path, strs[name])
		}
	}
	f.num("connection.requests_per_hour", c.RequestsPerHour)
	f.num("connection.max_concurrent", c.MaxConcurrent)
}

func flattenCompanies(f *flattener, c *Companies) {
	f.pick("companies.catch_all.company", c.CatchAll.Company)
	f.pick("companies.catch_all.contact", c.CatchAll.Contact)
	f.boolean("companies.attach_contacts", c.AttachContacts)
	f.boolean("companies.auto_match", c.AutoMatch)
	f.list("companies.filter.types", pickNames(c.Filter.Types))
	f.list("companies.filter.classifications", pickNames(c.Filter.Classifications))
	f.list("companies.filter.market_segments", pickNames(c.Filter.MarketSegments))
	f.str("companies.filter.accounts", c.Filter.Accounts)
	f.list("companies.ignore", pickNames(c.Ignore))
	for i, m := range c.Map {
		p := MappingPath(i, m)
		f.pick(p+".company", m.Company)
		f.pick(p+".contact", m.Contact)
		f.optBool(p+".enabled", m.Enabled)
	}
}

func flattenTicket(f *flattener, t *Ticket) {
	f.pick("ticket.category", t.Category)
	f.pick("ticket.type", t.Type)
	f.pick("ticket.status", t.Status)
	f.pick("ticket.queue", t.Queue)
	f.pick("ticket.source", t.Source)
	f.pick("ticket.issue_type", t.IssueType)
	f.pick("ticket.sub_issue_type", t.SubIssueType)
	f.str("ticket.subject", t.Subject)
	f.str("ticket.description", t.Description)
	f.str("ticket.group_by", string(t.GroupBy))
	for _, sev := range prioritySeverities(t.Priority) {
		f.pick("ticket.priority."+sev, t.Priority[sev])
	}
	f.str("ticket.due_in", t.DueIn)
	f.str("ticket.reopen_within", t.ReopenWithin)
	f.list("ticket.closed_statuses", pickNames(t.ClosedStatuses))
	for i, o := range t.Overrides {
		p := OverridePath(i, o)
		f.pick(p+".issue_type", o.IssueType)
		f.pick(p+".sub_issue_type", o.SubIssueType)
		f.pick(p+".queue", o.Queue)
		f.pick(p+".priority", o.Priority)
	}
}

// prioritySeverities lists the keys of a priority map, most severe first,
// unknown keys last in name order.
func prioritySeverities(prio map[string]Pick) []string {
	keys := make([]string, 0, len(prio))
	for k := range prio {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := severityRank(keys[i]), severityRank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}
