package integration

import (
	"fmt"
	"strings"
	"time"

	// The sync day's time zone must load the same on every host: a slim
	// container image has no zoneinfo, and apply would reject every zone
	// but UTC there. The embedded database costs about 450 KB.
	_ "time/tzdata"
)

// ContractPath is the path of a contracts.map entry in problems and plans:
// by organization when it has one, else by index.
func ContractPath(i int, m ContractMap) string {
	if org := strings.TrimSpace(m.Organization); org != "" {
		return "contracts.map[" + org + "]"
	}
	return fmt.Sprintf("contracts.map[%d]", i)
}

// validateContracts checks contracts. Billable user sync needs contract
// mapping for tickets (the SaaS Alerts rule: user counts go onto the
// contract tickets are mapped to). Every contract entry's organization
// must be mapped to a company, because a contract belongs to a company.
func validateContracts(ps *problems, s *Settings) {
	c := &s.Contracts
	validateBillableUsers(ps, c)
	companies := mappedCompanies(s.Companies.Map)
	seen := map[string]int{}
	for i, e := range c.Map {
		path := ContractPath(i, e)
		org := nameKey(e.Organization)
		switch j, dup := seen[org]; {
		case org == "":
			ps.add(path+".organization", "required: set the organization id (or its name, when the source sends no id) whose tickets get this contract")
		case dup:
			ps.add(path+".organization", "%q is mapped twice (entries %d and %d): keep one contract per organization", e.Organization, j+1, i+1)
		default:
			seen[org] = i
			checkContractCompany(ps, path, e, companies)
		}
		if e.Contract.IsZero() {
			ps.add(path+".contract", "required: set the name of one of the company's active contracts")
		}
		if e.AddService && !c.BillableUsers.Enabled {
			ps.add(path+".add_service", "needs contracts.billable_users.enabled: true: add_service syncs the user count onto the contract (or remove add_service)")
		}
		checkNotNegative(ps, path+".unit_price", e.UnitPrice, "price per user for this organization, or remove it to use the default")
		checkNotNegative(ps, path+".unit_cost", e.UnitCost, "cost per user for this organization, or remove it to use the default")
	}
}

func validateBillableUsers(ps *problems, c *Contracts) {
	b := &c.BillableUsers
	if b.Enabled && !c.AttachToTickets {
		ps.add("contracts.billable_users.enabled", "needs contracts.attach_to_tickets: true: contract mapping for tickets must be on to sync user counts (or set billable_users.enabled: false)")
	}
	if b.DayOfMonth != 0 || b.Enabled {
		if b.DayOfMonth < 1 || b.DayOfMonth > MaxDayOfMonth {
			ps.add("contracts.billable_users.day_of_month", "%d is not a day from 1 to %d: set the day of the month user counts are synced (every month has days 1 to %d)", b.DayOfMonth, MaxDayOfMonth, MaxDayOfMonth)
		}
	}
	if b.TimeZone != "" {
		if _, err := time.LoadLocation(b.TimeZone); err != nil || strings.TrimSpace(b.TimeZone) != b.TimeZone {
			ps.add("contracts.billable_users.time_zone", "unknown time zone %q: set an IANA name like \"UTC\" or \"America/New_York\"", b.TimeZone)
		}
	}
	if b.Enabled && b.DefaultService.IsZero() {
		ps.add("contracts.billable_users.default_service", "required when billable_users.enabled is true: set the contract service whose units follow the user count")
	}
	checkNotNegative(ps, "contracts.billable_users.unit_price", &b.UnitPrice, "price per user, or 0 to use the service's price")
	checkNotNegative(ps, "contracts.billable_users.unit_cost", &b.UnitCost, "cost per user, or 0 to use the service's cost")
}

// checkContractCompany reports an entry whose organization has no company
// in companies.map.
func checkContractCompany(ps *problems, path string, e ContractMap, companies map[string]Mapping) {
	m, ok := companies[nameKey(e.Organization)]
	switch {
	case !ok:
		ps.add(path+".organization", "%q is not in companies.map: a contract belongs to a company: map the organization to its company under companies.map first", e.Organization)
	case !m.IsEnabled() || m.Company.IsZero():
		ps.add(path+".organization", "%s maps no company: set its company (a contract belongs to a company), or remove this entry", MappingPath(0, m))
	}
}

// mappedCompanies keys companies.map entries by organization; the first
// entry wins, as in the rules (Validate reports duplicates).
func mappedCompanies(ms []Mapping) map[string]Mapping {
	out := make(map[string]Mapping, len(ms))
	for _, m := range ms {
		k := nameKey(m.Organization)
		if _, dup := out[k]; !dup && k != "" {
			out[k] = m
		}
	}
	return out
}

func checkNotNegative(ps *problems, path string, v *float64, what string) {
	if v != nil && *v < 0 {
		ps.add(path, "%v must not be negative: set the %s", *v, what)
	}
}
