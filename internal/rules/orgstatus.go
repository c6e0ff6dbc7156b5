package rules

import (
	"slices"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// OrgStatus is how an integration treats an organization's alerts: the
// mapping status the customer mapping screens show.
type OrgStatus string

// Organization mapping statuses.
const (
	OrgMapped      OrgStatus = "mapped"       // companies.map names its company
	OrgAutoMatched OrgStatus = "auto_matched" // auto_match finds a company of its name
	OrgCatchAll    OrgStatus = "catch_all"    // its tickets go to the catch-all company
	// OrgIgnored: the company of its name is in companies.ignore, so it
	// goes to the catch-all company although a match exists.
	OrgIgnored  OrgStatus = "ignored"
	OrgDisabled OrgStatus = "disabled" // mapped with enabled: false: no tickets
)

// OrgStatuses lists every status, for validating filters.
var OrgStatuses = []OrgStatus{OrgMapped, OrgAutoMatched, OrgCatchAll, OrgIgnored, OrgDisabled}

// OrgMatch is an organization's standing under one integration.
type OrgMatch struct {
	Status OrgStatus
	// CompanyID and CompanyName are the company its tickets go to (none
	// when disabled).
	CompanyID, CompanyName string
	// Proposal is the company of its exact name that auto-match would
	// choose, whether auto_match is on or not, when it is not mapped; nil
	// when there is none or it is ignored.
	Proposal *psa.Company
}

// MatchOrganization says how the rules treat an organization's alerts,
// deciding the company as Decide does (the same mapping lookup and the
// same name match), so a listing never disagrees with where tickets go.
// companies are those Ruleset.CompanyListFilter names.
func (r *Ruleset) MatchOrganization(o alert.Organization, companies []psa.Company) OrgMatch {
	m, mapped := r.mapping(o)
	switch {
	case mapped && !m.IsEnabled():
		return OrgMatch{Status: OrgDisabled}
	case mapped && !m.Company.IsZero():
		return OrgMatch{Status: OrgMapped, CompanyID: m.Company.ID, CompanyName: m.Company.String()}
	}
	match, ignored := r.matchByName(o.Name, companies)
	out := OrgMatch{Status: OrgCatchAll, CompanyID: r.catchAll.Company.ID, CompanyName: r.catchAll.Company.String(), Proposal: match}
	switch {
	case match != nil && r.autoMatch:
		out.Status, out.CompanyID, out.CompanyName = OrgAutoMatched, match.ID, match.Name
	case match == nil && ignored != nil:
		out.Status = OrgIgnored
	}
	return out
}

// CompanyListFilter is companies.filter as ids: the companies matching
// and mapping choose from, whether auto_match is on or not. It is the
// whole filter CompanyFilter gives Decide (market segments and accounts
// too), so a listing never proposes a company Decide's list leaves out.
func (r *Ruleset) CompanyListFilter() psa.CompanyFilter {
	return psa.CompanyFilter{
		Types:           slices.Clone(r.companyFilter.Types),
		Classifications: slices.Clone(r.companyFilter.Classifications),
		MarketSegments:  slices.Clone(r.companyFilter.MarketSegments),
		Accounts:        r.companyFilter.Accounts,
	}
}
