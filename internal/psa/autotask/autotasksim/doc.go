// Package autotasksim is an in-memory Autotask PSA tenant that speaks
// Autotask's REST wire API over real HTTP, so the Autotask connector can be
// tested end to end without a live tenant.
//
// It reproduces what clients depend on and what live tenants were observed
// to do: zone discovery, header authentication and its odd status codes
// (unknown user → 500, bad secret → 401, bad integration code → 500),
// case-insensitive paths, the query language with paging by nextPageUrl,
// validation driven by the entityInformation/fields metadata it serves
// (required fields, active picklist values, sub-issue types under their
// issue type, resource/role pairing), generated ticket fields, the
// rolling-hour request threshold and the per-endpoint thread limit.
//
// State changes only through the API, as on a real tenant. Start one with
//
//	srv := httptest.NewServer(autotasksim.New(autotasksim.Options{}))
//	defer srv.Close()
//
// and point a client at srv.URL + "/atservicesrest/" (or let it discover
// that URL through GET /atservicesrest/v1.0/zoneInformation?user=...).
//
// Seeded data: companies 0 "Bridge MSP", 174 "Default Account", 175 "Acme
// Corp", 176 "Globex Corporation", 177 "Initech", 178 "Umbrella Prospect",
// 179 "Old Corp" (inactive); contacts 30-35; the stock Tickets and
// TicketNotes picklists; one resource per user; services 501 "SaaS Alerts
// User" (3.00 / 1.50) and 502 "Managed Endpoint" (25.00 / 10.00); contracts
// 601 "Acme Managed Services" (175), 602 "Globex Security Bundle" (176), 603
// "Acme Legacy" (175, inactive) and 604 "Initech Basic" (177), which carries
// service 502 as contract service 701 with 10 units. Contracts run from 1
// January of last year to 31 December two years on. See seed.go and the
// entity files for exact values.
//
// Beyond tickets and notes it serves TimeEntries (minimal), TicketHistory
// (who changed what), Contracts, Services, ContractServices,
// ContractServiceUnits (derived from the adjustments), the create-only
// ContractServiceAdjustments, and ticket webhooks: TicketWebhooks with their
// Fields and ExcludedResources, signed PascalCase callouts delivered by a
// goroutine the Sim owns (stop it with Close), retried on non-2xx, and
// deactivation after repeated failures. lastTrackedModificationDateTime is
// strictly increasing across the tenant, so a change feed can page by it.
//
// Entities are one file each (tickets.go, notes.go, contracts.go,
// webhooks.go, ...) built on the shared router, query engine and
// validation.
package autotasksim
