package integration

import "github.com/ticketbridge/ticketbridge/internal/psa"

// testCatalog mirrors the Autotask simulator's seed data, with ids of our
// own choosing.
func testCatalog() Catalog {
	v := func(id, label string) psa.Value { return psa.Value{ID: id, Label: label, Active: true} }
	off := func(id, label string) psa.Value { return psa.Value{ID: id, Label: label} }
	sub := func(id, label, parent string) psa.Value {
		return psa.Value{ID: id, Label: label, Active: true, Parent: parent}
	}
	return Catalog{
		Picklists: psa.Picklists{
			psa.FieldStatus:   {v("1", "New"), v("5", "Complete"), v("7", "Waiting Customer"), v("8", "In Progress"), v("9", "Escalated"), off("10", "Legacy Hold")},
			psa.FieldPriority: {v("4", "Critical"), v("1", "High"), v("2", "Medium"), v("3", "Low")},
			psa.FieldQueue: {v("5", "Client Portal"), v("6", "Post Sale"), v("8", "Monitoring Alert"),
				v("29683325", "Security"), v("29683326", "Service Desk"), off("29683327", "Retired Queue")},
			psa.FieldSource:    {v("-1", "Client Portal"), v("1", "Other"), v("4", "Email"), v("8", "Monitoring Alert")},
			psa.FieldType:      {v("1", "Service Request"), v("2", "Incident"), v("3", "Problem"), v("4", "Change Request"), v("5", "Alert")},
			psa.FieldCategory:  {v("3", "Standard"), v("12", "Security Alert"), off("13", "Legacy")},
			psa.FieldIssueType: {v("20", "Security Incident"), v("21", "Account Security"), v("22", "Data Loss"), v("23", "Malware")},
			psa.FieldSubIssueType: {
				sub("201", "Phishing", "20"), sub("202", "Other", "20"),
				sub("211", "Suspicious Sign-in", "21"), sub("212", "MFA Failure", "21"),
				sub("221", "Excessive Download", "22"), sub("222", "Excessive Upload", "22"),
				sub("231", "Ransomware", "23"),
			},
			psa.FieldNoteType:       {v("1", "Task Summary"), v("2", "Task Detail"), v("3", "Task Notes"), v("18", "Client Portal Note"), v("101", "Email Note")},
			psa.FieldCompanyType:    {v("1", "Customer"), v("2", "Lead"), v("3", "Prospect"), v("7", "Vendor"), v("8", "Partner")},
			psa.FieldClassification: {v("100", "Gold"), v("101", "Silver"), v("102", "Bronze")},
		},
		Companies: []psa.Company{
			{ID: "0", Name: "Default Account", Type: "1", Active: true},
			{ID: "101", Name: "Acme Corp", Type: "1", Classification: "100", Active: true},
			{ID: "102", Name: "Globex Corporation", Type: "1", Classification: "101", Active: true},
			{ID: "103", Name: "Initech", Type: "1", Classification: "102", Active: true},
			{ID: "104", Name: "Umbrella Prospect", Type: "3", Active: true},
			{ID: "105", Name: "Old Corp", Type: "1"},
		},
		Contracts:        testContracts(),
		Services:         testServices(),
		ContractServices: testContractServices(),
		Contacts: map[string][]psa.Contact{
			"0": {{ID: "30", CompanyID: "0", FirstName: "Default", LastName: "Contact", Email: "default.contact@msp.example", Active: true}},
			"101": {
				{ID: "31", CompanyID: "101", FirstName: "Jane", LastName: "Doe", Email: "jane@acme.example", Active: true},
				{ID: "32", CompanyID: "101", FirstName: "Acme", LastName: "Helpdesk", Email: "helpdesk@acme.example", Active: true},
				{ID: "33", CompanyID: "101", FirstName: "Former", LastName: "Employee", Email: "former@acme.example"},
			},
			"102": {{ID: "34", CompanyID: "102", FirstName: "Hank", LastName: "Scorpio", Email: "hank@globex.example", Active: true}},
			"103": {{ID: "35", CompanyID: "103", FirstName: "Bill", LastName: "Lumbergh", Email: "bill@initech.example", Active: true}},
		},
	}
}
