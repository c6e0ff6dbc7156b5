package integration

import "strconv"

// flattenStatusSync lists status_sync for Plan, from_psa entries keyed by
// their PSA status.
func flattenStatusSync(f *flattener, st *StatusSync) {
	f.boolean("status_sync.enabled", st.Enabled)
	flattenStatusMap(f, "status_sync.issues", &st.Issues)
	flattenStatusMap(f, "status_sync.incidents", &st.Incidents)
	f.boolean("status_sync.auto_resolve", st.AutoResolve)
	f.boolean("status_sync.only_untouched", st.OnlyUntouched)
	f.str("status_sync.poll_interval", st.PollInterval)
	f.boolean("status_sync.webhooks", st.Webhooks)
	f.str("status_sync.public_url", st.PublicURL)
}

func flattenStatusMap(f *flattener, path string, m *StatusMap) {
	for _, p := range m.picks() {
		f.pick(path+"."+p.key, *p.p)
	}
	for i, e := range m.FromPSA {
		f.str(FromPSAPath(path, i, e), e.To)
	}
}

// flattenContracts lists contracts for Plan, map entries keyed by
// organization. add_service shows only when on, so a new entry does not
// list a "false" for it.
func flattenContracts(f *flattener, c *Contracts) {
	f.boolean("contracts.attach_to_tickets", c.AttachToTickets)
	b := &c.BillableUsers
	f.boolean("contracts.billable_users.enabled", b.Enabled)
	f.num("contracts.billable_users.day_of_month", b.DayOfMonth)
	f.str("contracts.billable_users.time_zone", b.TimeZone)
	f.pick("contracts.billable_users.default_service", b.DefaultService)
	f.money("contracts.billable_users.unit_price", &b.UnitPrice, false)
	f.money("contracts.billable_users.unit_cost", &b.UnitCost, false)
	for i, e := range c.Map {
		p := ContractPath(i, e)
		f.pick(p+".contract", e.Contract)
		if e.AddService {
			f.boolean(p+".add_service", true)
		}
		f.money(p+".unit_price", e.UnitPrice, true)
		f.money(p+".unit_cost", e.UnitCost, true)
	}
}

// money adds an amount; zero is shown only when it is an explicit
// override (a per-organization price of 0 means free, not "default").
func (f *flattener) money(path string, v *float64, zeroIsSet bool) {
	if v == nil || (*v == 0 && !zeroIsSet) {
		return
	}
	s := strconv.FormatFloat(*v, 'f', -1, 64)
	f.add(path, path, s, s, false)
}
