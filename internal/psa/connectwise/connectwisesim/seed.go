package connectwisesim

import (
	"strings"
	"time"
)

// Seeded records. The connector's tests, the demo and the README refer to
// these names and ids, so they are part of the simulator's contract; the
// package documentation lists them.

type seedCompany struct {
	id         int64
	identifier string
	name       string
	typeID     int64 // 1 Client, 2 Prospect, 3 Vendor
	statusID   int64 // 1 Active, 2 Inactive
}

var seedCompanies = []seedCompany{
	{250, "DefaultAccount", "Default Account", 1, 1},
	{251, "AcmeCorp", "Acme Corp", 1, 1},
	{252, "Globex", "Globex Corporation", 1, 1},
	{253, "Initech", "Initech", 1, 1},
	{254, "Umbrella", "Umbrella Prospect", 2, 1},
	{255, "OldCorp", "Old Corp", 1, 2},
}

// siteID is the id of a seeded company's "Main" site.
func siteID(companyID int64) int64 { return 1000 + companyID - 250 }

type seedContact struct {
	id, companyID int64
	first, last   string
	email, phone  string
	inactive      bool
}

var seedContacts = []seedContact{
	{30, 250, "Default", "Contact", "default.contact@msp.example", "", false},
	{31, 251, "Jane", "Doe", "jane@acme.example", "555-0131", false},
	{32, 251, "Acme", "Helpdesk", "helpdesk@acme.example", "", false},
	{33, 252, "Hank", "Scorpio", "hank@globex.example", "", false},
	{34, 253, "Bill", "Lumbergh", "bill@initech.example", "", false},
	{35, 251, "Former", "Employee", "former@acme.example", "", true},
}

type seedBoard struct {
	id       int64
	name     string
	inactive bool
}

// Boards 1-3 carry statuses id*10+1.. (New, In Progress, Waiting Customer,
// Completed, Closed; Security adds 16 Escalated), types id*100+1..4,
// subtypes id*100+11..17 and items id*100+21..23.
var seedBoards = []seedBoard{
	{1, "Security", false},
	{2, "Service Desk", false},
	{3, "Monitoring Alert", false},
	{4, "Retired Board", true},
}

type seedStatus struct {
	offset     int64
	name       string
	closed     bool
	escalation string
}

var seedStatuses = []seedStatus{
	{1, "New", false, "NotResponded"},
	{2, "In Progress", false, "Responded"},
	{3, "Waiting Customer", false, "Responded"},
	{4, "Completed", true, "Resolved"},
	{5, "Closed", true, "Resolved"},
}

// Type, subtype and item names with their id offsets on each board.
var (
	seedTypes    = []string{1: "Security Incident", 2: "Account Security", 3: "Data Loss", 4: "Malware"}
	seedSubtypes = []struct {
		offset, typeOffset int64
		name               string
	}{
		{11, 2, "Suspicious Sign-in"}, {12, 2, "MFA Failure"}, {13, 3, "Excessive Download"},
		{14, 3, "Excessive Upload"}, {15, 4, "Ransomware"}, {16, 1, "Phishing"}, {17, 1, "Other"},
	}
	seedItems = []string{21: "Endpoint", 22: "User Account", 23: "Mailbox"}
	// seedCombos are the valid type/subtype/item offsets (0: none).
	seedCombos = [][3]int64{
		{1, 0, 0}, {1, 16, 0}, {1, 16, 23}, {1, 17, 0}, {1, 17, 21}, {1, 17, 22}, {1, 17, 23},
		{2, 0, 0}, {2, 11, 0}, {2, 11, 22}, {2, 12, 0}, {2, 12, 22},
		{3, 0, 0}, {3, 13, 0}, {3, 13, 21}, {3, 13, 23}, {3, 14, 0}, {3, 14, 21},
		{4, 0, 0}, {4, 15, 0}, {4, 15, 21},
	}
)

func (s *Sim) seed(now time.Time) {
	s.tables = newTables()
	who := s.opts.Members[0].Identifier
	s.seedMembers(now)
	s.seedCompanies(now, who)
	s.seedContacts(now, who)
	for _, b := range seedBoards {
		s.seedBoard(b, now, who)
	}
	s.seedLists(now, who)
	s.seedAgreements(now, who)
}

func (s *Sim) seedMembers(now time.Time) {
	for _, m := range s.opts.Members {
		s.tables[tMembers].insert(obj{
			"id": int64(m.MemberID), "identifier": m.Identifier, "firstName": m.Identifier, "lastName": "",
			"inactiveFlag": false, "officeEmail": m.Identifier + "@msp.example", "_info": info(now, m.Identifier),
		})
	}
}

func (s *Sim) seedCompanies(now time.Time, who string) {
	ts := s.tables
	for _, t := range []struct {
		id           int64
		name         string
		dflt, vendor bool
	}{{1, "Client", true, false}, {2, "Prospect", false, false}, {3, "Vendor", false, true}} {
		ts[tCompanyTypes].insert(obj{"id": t.id, "name": t.name, "defaultFlag": t.dflt, "vendorFlag": t.vendor, "_info": info(now, who)})
	}
	ts[tCompanyStatuses].insert(obj{"id": int64(1), "name": "Active", "defaultFlag": true, "inactiveFlag": false, "disallowSavingFlag": false, "_info": info(now, who)})
	ts[tCompanyStatuses].insert(obj{"id": int64(2), "name": "Inactive", "defaultFlag": false, "inactiveFlag": true, "disallowSavingFlag": true, "_info": info(now, who)})
	for _, c := range seedCompanies {
		ts[tCompanies].insert(obj{
			"id": c.id, "identifier": c.identifier, "name": c.name,
			"status": ts[tCompanyStatuses].ref(c.statusID), "types": []obj{ts[tCompanyTypes].ref(c.typeID)},
			"phoneNumber": "555-0100", "website": nil, "deletedFlag": false, "dateAcquired": now,
			"_info": info(now, who),
		})
		ts[tSites].insert(obj{
			"id": siteID(c.id), "name": "Main", "company": ts[tCompanies].ref(c.id),
			"primaryAddressFlag": true, "defaultShippingFlag": true, "inactiveFlag": false, "_info": info(now, who),
		})
	}
}

func (s *Sim) seedContacts(now time.Time, who string) {
	ts := s.tables
	var itemID int64
	for _, c := range seedContacts {
		itemID++
		items := []obj{{
			"id": itemID, "type": obj{"id": int64(1), "name": "Email"}, "value": c.email, "extension": nil,
			"defaultFlag": true, "domain": c.email[strings.IndexByte(c.email, '@'):], "communicationType": "Email",
		}}
		if c.phone != "" {
			itemID++
			items = append(items, obj{
				"id": itemID, "type": obj{"id": int64(2), "name": "Direct"}, "value": c.phone, "extension": nil,
				"defaultFlag": true, "domain": nil, "communicationType": "Phone",
			})
		}
		ts[tContacts].insert(obj{
			"id": c.id, "firstName": c.first, "lastName": c.last, "company": ts[tCompanies].ref(c.companyID),
			"site": ts[tSites].ref(siteID(c.companyID)), "inactiveFlag": c.inactive, "title": nil,
			"communicationItems": items, "_info": info(now, who),
		})
	}
}

func (s *Sim) seedBoard(b seedBoard, now time.Time, who string) {
	ts := s.tables
	ts[tBoards].insert(obj{
		"id": b.id, "name": b.name, "inactiveFlag": b.inactive, "projectFlag": false,
		"location": obj{"id": int64(1), "name": "Main Office"}, "department": obj{"id": int64(1), "name": "Service"},
		"_info": info(now, who),
	})
	board := ts[tBoards].ref(b.id)
	statuses := seedStatuses
	if b.inactive {
		statuses = []seedStatus{{1, "New", false, "NotResponded"}, {2, "Closed", true, "Resolved"}}
	}
	if b.id == 1 {
		statuses = append(append([]seedStatus{}, statuses...), seedStatus{6, "Escalated", false, "Responded"})
	}
	for i, st := range statuses {
		ts[tStatuses].insert(obj{
			"id": b.id*10 + st.offset, "name": st.name, "board": board, "sortOrder": int64(i),
			"displayOnBoard": true, "inactive": false, "closedStatus": st.closed, "defaultFlag": st.offset == 1,
			"timeEntryNotAllowed": st.closed, "escalationStatus": st.escalation, "customerPortalFlag": false,
			"_info": info(now, who),
		})
	}
	ts[tTeams].insert(obj{"id": 70 + b.id, "name": "Tier 1", "boardId": b.id, "defaultFlag": true, "_info": info(now, who)})
	if b.inactive {
		return
	}
	s.seedBoardTypes(b.id, board, now, who)
}

func (s *Sim) seedBoardTypes(boardID int64, board obj, now time.Time, who string) {
	ts := s.tables
	base := boardID * 100
	for off, name := range seedTypes {
		if name != "" {
			ts[tTypes].insert(obj{"id": base + int64(off), "name": name, "category": "Reactive", "defaultFlag": false,
				"inactiveFlag": false, "requestForChangeFlag": false, "board": board, "_info": info(now, who)})
		}
	}
	for _, st := range seedSubtypes {
		ts[tSubtypes].insert(obj{"id": base + st.offset, "name": st.name, "inactiveFlag": false,
			"typeAssociationIds": []int64{base + st.typeOffset}, "board": board, "_info": info(now, who)})
	}
	for off, name := range seedItems {
		if name != "" {
			ts[tItems].insert(obj{"id": base + int64(off), "name": name, "inactiveFlag": false, "board": board, "_info": info(now, who)})
		}
	}
	for i, c := range seedCombos {
		a := obj{"id": boardID*1000 + int64(i) + 1, "type": ts[tTypes].ref(base + c[0]), "subType": nil, "item": nil, "board": board}
		if c[1] != 0 {
			a["subType"] = ts[tSubtypes].ref(base + c[1])
		}
		if c[2] != 0 {
			a["item"] = ts[tItems].ref(base + c[2])
		}
		ts[tAssociations].insert(a)
	}
}

func (s *Sim) seedLists(now time.Time, who string) {
	ts := s.tables
	for i, p := range []struct {
		id    int64
		name  string
		color string
	}{{4, "Priority 1 - Critical", "red"}, {15, "Priority 2 - High", "orange"}, {8, "Priority 3 - Medium", "yellow"}, {7, "Priority 4 - Low", "green"}} {
		ts[tPriorities].insert(obj{"id": p.id, "name": p.name, "color": p.color, "sortOrder": int64(i + 1),
			"defaultFlag": p.id == 8, "level": "Priority" + itoa(int64(i+1)), "urgencySortOrder": int64(i + 1), "_info": info(now, who)})
	}
	for _, src := range []struct {
		id   int64
		name string
	}{{1, "Phone"}, {2, "Email"}, {6, "Monitoring Alert"}} {
		ts[tSources].insert(obj{"id": src.id, "name": src.name, "defaultFlag": false, "_info": info(now, who)})
	}
	ts[tProducts].insert(obj{"id": int64(700), "identifier": "MDR-USER", "description": "Managed detection and response, per user",
		"inactiveFlag": false, "price": 12.5, "cost": 4.0, "_info": info(now, who)})
	ts[tProducts].insert(obj{"id": int64(701), "identifier": "EDR-DEVICE", "description": "Endpoint protection, per device",
		"inactiveFlag": false, "price": 6.0, "cost": 2.0, "_info": info(now, who)})
}

func (s *Sim) seedAgreements(now time.Time, who string) {
	ts := s.tables
	ts[tAgreementTypes].insert(obj{"id": int64(1), "name": "Managed Security", "defaultFlag": true, "inactiveFlag": false, "_info": info(now, who)})
	start := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	for _, a := range []struct {
		id, company, contact, addition int64
		name                           string
		quantity                       float64
	}{{500, 251, 31, 600, "Acme MDR", 25}, {501, 252, 33, 601, "Globex MDR", 40}} {
		ts[tAgreements].insert(obj{
			"id": a.id, "name": a.name, "type": ts[tAgreementTypes].ref(1), "company": ts[tCompanies].ref(a.company),
			"contact": ts[tContacts].ref(a.contact), "site": ts[tSites].ref(siteID(a.company)), "agreementStatus": "Active",
			"cancelledFlag": false, "startDate": start, "endDate": nil, "noEndingDateFlag": true, "billAmount": 0.0,
			"_info": info(now, who),
		})
		add := obj{"id": a.addition, "product": ts[tProducts].ref(700), "quantity": a.quantity, "lessIncluded": 0.0,
			"unitPrice": 12.5, "unitCost": 4.0, "billCustomer": "Billable", "effectiveDate": start, "cancelledDate": nil,
			"taxableFlag": false, "invoiceDescription": "Managed detection and response, per user",
			"agreementId": a.id, "agreementStatus": "Active", "_info": info(now, who)}
		priceAddition(add)
		ts[tAdditions].insert(add)
	}
}
