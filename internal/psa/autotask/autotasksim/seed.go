package autotasksim

import "time"

// Seeded rows. Other packages, the demo and the README refer to these names
// and ids, so they are part of the simulator's contract.

type seedCompany struct {
	id             int64
	name           string
	companyType    int64
	classification int64 // 0 means none
	active         bool
}

var seedCompanies = []seedCompany{
	{0, "Bridge MSP", 8, 0, true},
	{174, "Default Account", 1, 0, true},
	{175, "Acme Corp", 1, 1, true},
	{176, "Globex Corporation", 1, 2, true},
	{177, "Initech", 1, 3, true},
	{178, "Umbrella Prospect", 3, 0, true},
	{179, "Old Corp", 1, 0, false},
}

type seedContact struct {
	id, companyID int64
	first, last   string
	email         string
	active        int64
}

var seedContacts = []seedContact{
	{30, 174, "Default", "Contact", "default.contact@msp.example", 1},
	{31, 175, "Jane", "Doe", "jane@acme.example", 1},
	{32, 175, "Acme", "Helpdesk", "helpdesk@acme.example", 1},
	{33, 176, "Hank", "Scorpio", "hank@globex.example", 1},
	{34, 177, "Bill", "Lumbergh", "bill@initech.example", 1},
	{35, 175, "Former", "Employee", "former@acme.example", 0},
}

// Seeded market segments and the one parent/child pair: Acme Corp is in
// Healthcare, Globex Corporation in Financial Services, and Initech is a
// child account of Globex Corporation.
var (
	seedMarketSegments = map[int64]int64{175: 1, 176: 2}
	seedParents        = map[int64]int64{177: 176}
)

func seedRows(companies, contacts *entity, owner int64, now time.Time) {
	for _, c := range seedCompanies {
		r := record{
			"companyName": c.name, "companyType": c.companyType, "isActive": c.active,
			"ownerResourceID": owner, "phone": "555-0100", "createDate": now,
			"createdByResourceID": owner, "lastTrackedModifiedDateTime": now,
		}
		if c.classification != 0 {
			r["classification"] = c.classification
		}
		if s, ok := seedMarketSegments[c.id]; ok {
			r["marketSegmentID"] = s
		}
		if p, ok := seedParents[c.id]; ok {
			r["parentCompanyID"] = p
		}
		companies.insert(c.id, r)
	}
	for _, c := range seedContacts {
		contacts.insert(c.id, record{
			"companyID": c.companyID, "firstName": c.first, "lastName": c.last,
			"emailAddress": c.email, "isActive": c.active,
			"createDate": now, "lastModifiedDate": now,
		})
	}
}

type seedService struct {
	id              int64
	name            string
	unitPrice, cost float64
}

var seedServices = []seedService{
	{501, "SaaS Alerts User", 3.00, 1.50},
	{502, "Managed Endpoint", 25.00, 10.00},
}

type seedContract struct {
	id, companyID int64
	name, number  string
	active        bool
}

var seedContracts = []seedContract{
	{601, 175, "Acme Managed Services", "ACME-MS-1", true},
	{602, 176, "Globex Security Bundle", "GLOBEX-SEC-1", true},
	{603, 175, "Acme Legacy", "ACME-OLD-1", false},
	{604, 177, "Initech Basic", "INITECH-1", true},
}

// Seeded contract service: Initech's contract already bills Managed
// Endpoint, 10 units from the contract's start.
const (
	seedContractServiceID = 701
	seedInitechUnits      = 10
)

// seedContracts stores the service catalogue, the contracts (running from
// 1 January of last year to 31 December two years on, so they cover "now"
// for years) and Initech's contract service with its units.
func (s *Sim) seedContracts(owner int64, now time.Time) {
	for _, sv := range seedServices {
		s.entities["services"].insert(sv.id, record{
			"name": sv.name, "unitPrice": sv.unitPrice, "unitCost": sv.cost, "isActive": true,
			"periodType": int64(1), "createDate": now, "creatorResourceID": owner, "lastModifiedDate": now,
		})
	}
	start := time.Date(now.Year()-1, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(now.Year()+2, 12, 31, 0, 0, 0, 0, time.UTC)
	for _, c := range seedContracts {
		status := int64(contractInactive)
		if c.active {
			status = contractActive
		}
		s.entities["contracts"].insert(c.id, record{
			"companyID": c.companyID, "contractName": c.name, "contractNumber": c.number,
			"contractType": int64(7), "contractCategory": int64(1), "status": status,
			"startDate": start, "endDate": end, "isDefaultContract": false, "lastModifiedDateTime": now,
		})
	}
	s.entities["contractservices"].insert(seedContractServiceID, record{
		"contractID": int64(604), "serviceID": int64(502), "unitPrice": 25.00, "unitCost": 10.00,
		"internalCurrencyUnitPrice": 25.00, "internalCurrencyAdjustedPrice": 25.00,
	})
	s.entities["contractserviceadjustments"].insert(1, record{
		"contractID": int64(604), "contractServiceID": int64(seedContractServiceID), "serviceID": int64(502),
		"effectiveDate": start, "unitChange": int64(seedInitechUnits), "allowRepeatService": false,
	})
	s.deriveUnits(seedContractServiceID)
}
