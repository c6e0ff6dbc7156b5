package connectwisesim

import "strings"

// Table keys of Sim.tables.
const (
	tCompanies       = "companies"
	tCompanyTypes    = "companyTypes"
	tCompanyStatuses = "companyStatuses"
	tSites           = "sites"
	tContacts        = "contacts"
	tMembers         = "members"
	tBoards          = "boards"
	tStatuses        = "statuses"
	tTypes           = "types"
	tSubtypes        = "subtypes"
	tItems           = "items"
	tAssociations    = "associations"
	tTeams           = "teams"
	tPriorities      = "priorities"
	tSources         = "sources"
	tTickets         = "tickets"
	tNotes           = "notes"
	tAgreementTypes  = "agreementTypes"
	tAgreements      = "agreements"
	tAdditions       = "additions"
	tProducts        = "products"
	tCallbacks       = "callbacks"
	tTimeEntries     = "timeEntries"
)

// newTables builds the empty tables with their reference shapes. The first
// ids of writable tables are where new records start.
func newTables() map[string]*table {
	personName := func(o obj) string {
		first, _ := o["firstName"].(string)
		last, _ := o["lastName"].(string)
		return strings.TrimSpace(first + " " + last)
	}
	underBoard := func(kind string) func(obj) string {
		return func(o obj) string {
			return "/service/boards/" + itoa(refID(o["board"])) + "/" + kind + "/" + itoa(asInt(o["id"]))
		}
	}
	ts := map[string]*table{
		tCompanies:       newTable("Company", "company", "/company/companies", "company", 1),
		tCompanyTypes:    newTable("CompanyType", "companyType", "/company/companies/types", "type", 1),
		tCompanyStatuses: newTable("CompanyStatus", "companyStatus", "/company/companies/statuses", "status", 1),
		tSites:           newTable("CompanySite", "companySite", "/company/sites", "site", 1),
		tContacts:        newTable("Contact", "contact", "/company/contacts", "contact", 1),
		tMembers:         newTable("Member", "member", "/system/members", "member", 1),
		tBoards:          newTable("Board", "board", "/service/boards", "board", 1),
		tStatuses:        newTable("BoardStatus", "boardStatus", "", "status", 1),
		tTypes:           newTable("BoardType", "boardType", "", "type", 1),
		tSubtypes:        newTable("BoardSubType", "boardSubType", "", "subType", 1),
		tItems:           newTable("BoardItem", "boardItem", "", "item", 1),
		tAssociations:    newTable("BoardTypeSubTypeItemAssociation", "boardTypeSubTypeItemAssociation", "", "association", 1),
		tTeams:           newTable("BoardTeam", "boardTeam", "", "team", 1),
		tPriorities:      newTable("Priority", "priority", "/service/priorities", "priority", 1),
		tSources:         newTable("Source", "source", "/service/sources", "source", 1),
		tTickets:         newTable("Ticket", "ticket", "/service/tickets", "ticket", 1001),
		tNotes:           newTable("ServiceNote", "serviceNote", "", "note", 5001),
		tAgreementTypes:  newTable("AgreementType", "agreementType", "/finance/agreements/types", "type", 1),
		tAgreements:      newTable("Agreement", "agreement", "/finance/agreements", "agreement", 1),
		tAdditions:       newTable("Addition", "addition", "", "addition", 1),
		tProducts:        newTable("CatalogItem", "catalogItem", "/procurement/catalog", "product", 1),
		tCallbacks:       newTable("CallbackEntry", "callbackEntry", "/system/callbacks", "callback", 1),
		tTimeEntries:     newTable("TimeEntry", "timeEntry", "/time/entries", "timeEntry", 9001),
	}
	ts[tContacts].refName = personName
	ts[tMembers].refName = personName
	ts[tMembers].refExtra = map[string]string{"identifier": "identifier"}
	ts[tCompanies].refExtra = map[string]string{"identifier": "identifier"}
	ts[tStatuses].refExtra = map[string]string{"sort": "sortOrder"}
	ts[tPriorities].refExtra = map[string]string{"sort": "sortOrder"}
	ts[tProducts].refName = func(obj) string { return "" }
	ts[tProducts].refExtra = map[string]string{"identifier": "identifier"}
	ts[tStatuses].hrefOf = underBoard("statuses")
	ts[tTypes].hrefOf = underBoard("types")
	ts[tSubtypes].hrefOf = underBoard("subtypes")
	ts[tItems].hrefOf = underBoard("items")
	ts[tTeams].hrefOf = func(o obj) string {
		return "/service/boards/" + itoa(asInt(o["boardId"])) + "/teams/" + itoa(asInt(o["id"]))
	}
	ts[tNotes].hrefOf = func(o obj) string {
		return "/service/tickets/" + itoa(asInt(o["ticketId"])) + "/notes/" + itoa(asInt(o["id"]))
	}
	ts[tAdditions].hrefOf = func(o obj) string {
		return "/finance/agreements/" + itoa(asInt(o["agreementId"])) + "/additions/" + itoa(asInt(o["id"]))
	}
	return ts
}
