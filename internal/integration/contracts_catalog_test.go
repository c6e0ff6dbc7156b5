package integration

import "github.com/ticketbridge/ticketbridge/internal/psa"

// testContracts mirrors the Autotask simulator's seeded contracts, by
// company id: Acme has an inactive one besides its active contract.
func testContracts() map[string][]psa.Contract {
	return map[string][]psa.Contract{
		"101": {
			{ID: "501", CompanyID: "101", Name: "Acme Managed Services", Active: true},
			{ID: "504", CompanyID: "101", Name: "Acme Legacy Support"},
		},
		"102": {{ID: "502", CompanyID: "102", Name: "Globex Security Bundle", Active: true}},
		"103": {{ID: "503", CompanyID: "103", Name: "Initech Basic", Active: true}},
	}
}

func testServices() []psa.Service {
	return []psa.Service{
		{ID: "601", Name: "SaaS Alerts User", UnitPrice: 4, UnitCost: 1.5},
		{ID: "602", Name: "Managed Endpoint", UnitPrice: 12, UnitCost: 6},
	}
}

// testContractServices: Initech's contract already bills Managed Endpoint.
func testContractServices() map[string][]psa.ContractService {
	return map[string][]psa.ContractService{
		"503": {{ID: "701", ContractID: "503", ServiceID: "602", UnitPrice: 12, UnitCost: 6}},
	}
}
