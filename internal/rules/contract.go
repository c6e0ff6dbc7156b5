package rules

import (
	"fmt"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// ContractFor returns the contract id to attach for an organization key
// (the organization id, or its name when the source sends no id, as
// written in contracts.map; case-insensitive) when attach_to_tickets is
// on. ok is false when attaching is off, the organization has no entry,
// or the entry's contract has no resolved id.
func ContractFor(c integration.Contracts, orgKey string) (string, bool) {
	k := norm(orgKey)
	if !c.AttachToTickets || k == "" {
		return "", false
	}
	for _, e := range c.Map {
		if norm(e.Organization) == k { // the first entry wins, as in Decide
			return e.Contract.ID, e.Contract.ID != ""
		}
	}
	return "", false
}

// compileContracts keys the contract entries that attach a contract by
// organization; nil when attach_to_tickets is off. The first entry of an
// organization wins, as for companies.map.
func compileContracts(c integration.Contracts) map[string]integration.ContractMap {
	if !c.AttachToTickets {
		return nil
	}
	out := make(map[string]integration.ContractMap, len(c.Map))
	for _, e := range c.Map {
		k := norm(e.Organization)
		if _, dup := out[k]; k != "" && !dup {
			out[k] = e
		}
	}
	return out
}

// attachContract puts the organization's mapped contract on the ticket.
// Only a company chosen by companies.map gets one: a contract belongs to
// the company its organization is mapped to (Validate enforces the
// pairing), so a catch-all or auto-matched ticket never carries it.
func (r *Ruleset) attachContract(d *Decision, m integration.Mapping, src companySource) {
	if r.contracts == nil {
		return
	}
	if e, ok := r.contracts[norm(m.Organization)]; ok && e.Contract.ID != "" && src == fromMap {
		d.Ticket.ContractID = e.Contract.ID
		d.Reasons = append(d.Reasons, fmt.Sprintf("contract %s attached", e.Contract))
		return
	}
	d.Reasons = append(d.Reasons, "no contract: the organization has none in contracts.map")
}
